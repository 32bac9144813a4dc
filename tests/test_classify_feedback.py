"""Curator corrections teach the classifier: the report, its proposals, and applied proposals that last.

End to end through the command line on a real SQLite file, plus the pure analysis on its own.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import Engine

from bot.classify import classify, load_catalogue
from bot.classify.additions import CatalogueAddition, with_additions
from bot.classify.feedback import Correction, ToolMention, analyse, render_report
from bot.cli import cli
from bot.networks.mastodon.normalise import normalise_status
from tests.payloads import hashtag_link, status

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def post_status(number: int, text: str) -> dict[str, Any]:
    return status(str(114000000000000000 + number), content=f"<p>{text} {hashtag_link('fliplead')}</p>")


# The rules miss these tools: a misspelling and a name outside the catalogue, each only the subject.
MISSPELT = post_status(1, "Padlett is up in the staff room for everyone's ideas.")
GAMMA_1 = post_status(2, "Gamma saved my evening: governor slides done before tea.")
GAMMA_2 = post_status(3, "Gamma again tonight for the parents' evening deck, far quicker than by hand.")
# The rules take a colleague for a tool here.
SARAH = post_status(4, "Made the slides with Sarah in the maths office.")
# And they miss a request here.
REQUEST = post_status(5, "Our cover policy needs a rethink and other heads will have been here before.")
PLAIN = post_status(6, "Thank you all for a wonderful term!")
ALL = (MISSPELT, GAMMA_1, GAMMA_2, SARAH, REQUEST, PLAIN)


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "exemplar.toml"
    path.write_text('hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8")
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def import_statuses(config: Path, tmp_path: Path, statuses: tuple[dict[str, Any], ...], name: str) -> None:
    export = tmp_path / name
    export.write_text("\n".join(json.dumps(s) for s in statuses), encoding="utf-8")
    assert run(config, "import", str(export), "--format", "mastodon").exit_code == 0


def stored(config: Path) -> dict[str, dict[str, Any]]:
    return {r["uri"]: r for r in map(json.loads, run(config, "posts", "--json").output.splitlines())}


def test_corrections_are_reported_proposed_applied_and_kept(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    import_statuses(config, tmp_path, ALL, "posts.jsonl")
    posts = stored(config)
    assert [posts[s["uri"]]["labels"] for s in ALL] == [[], [], [], ["tool"], [], []]

    for item, change in ((MISSPELT, "+tool"), (GAMMA_1, "+tool"), (GAMMA_2, "+tool"), (SARAH, "-tool")):
        assert run(config, "label", str(posts[item["uri"]]["id"]), change, "--by", "sam").exit_code == 0
    assert run(config, "label", str(posts[REQUEST["uri"]]["id"]), "+question", "--by", "sam").exit_code == 0
    # A curator confirming what the rules said is not a correction.
    assert run(config, "label", str(posts[PLAIN["uri"]]["id"]), "-video", "--by", "sam").exit_code == 0

    report = run(config, "classify", "--report")
    assert report.exit_code == 0, report.output
    text = report.output
    assert text.startswith("5 curator corrections\n")
    assert f"post {posts[MISSPELT['uri']]['id']} {MISSPELT['url']}: tool added by sam" in text
    assert "pattern: tool: a misspelt catalogue name" in text
    assert "'Padlett' (one slip from Padlet)" in text
    assert "pattern: tool: a name outside the catalogue\n" in text
    assert "pattern: tool: a name outside the catalogue taken for a tool" in text
    assert "the rules said: names Sarah (not in the catalogue; what something was made with)" in text
    assert "pattern: question: a request the rules do not know" in text
    assert "    2  tool: a name outside the catalogue\n" in text
    assert "- alias:Padlet=Padlett\n" in text
    assert "- tool:Gamma\n" in text
    assert "the rules still disagree" in text
    assert "the rules now agree" not in text

    bad = CliRunner().invoke(cli, ["--config", str(config), "classify", "--apply", "tool:Nonsense"])
    assert bad.exit_code == 1
    assert bad.output.count("\n") == 1
    assert "no such proposal: tool:Nonsense" in bad.output

    applied = run(
        config, "classify", "--apply", "alias:Padlet=Padlett", "--apply", "tool:Gamma", "--by", "kim"
    )
    assert applied.output.startswith("applied alias:Padlet=Padlett, tool:Gamma;")
    again = run(config, "classify", "--apply", "all")
    assert "tool:Gamma" not in again.output

    with sqlite3.connect(tmp_path / "exemplar.db") as db:
        rows = db.execute(
            "SELECT kind, tool, spelling, applied_by FROM catalogue_additions ORDER BY id"
        ).fetchall()
    assert rows == [("alias", "Padlet", "Padlett", "kim"), ("tool", "Gamma", "", "kim")]
    pending = run(config, "classify", "--report").output
    assert pending.count("the rules now agree; `exemplar classify --all` re-labels") == 3
    assert "1 more curator label agrees with the rules" in pending

    assert run(config, "classify", "--all").exit_code == 0
    posts = stored(config)
    for item in (MISSPELT, GAMMA_1, GAMMA_2):
        assert posts[item["uri"]]["labelled_by"]["tool"] == "curator"
    with sqlite3.connect(tmp_path / "exemplar.db") as db:
        rule_reasons = dict(
            db.execute(
                "SELECT p.uri, l.reason FROM post_labels l JOIN posts p ON p.id = l.post_id "
                "WHERE l.origin = 'rule' AND l.label = 'tool'"
            ).fetchall()
        )
    assert rule_reasons[MISSPELT["uri"]] == "names Padlet"
    assert rule_reasons[GAMMA_1["uri"]] == "names Gamma"
    assert posts[SARAH["uri"]]["labels"] == []

    after = run(config, "classify", "--report").output
    assert after.startswith("2 curator corrections\n")
    assert "the rules now agree" not in after
    assert "- alias:Padlet=Padlett" not in after
    assert "Applied: alias:Padlet=Padlett, tool:Gamma" in after
    assert "4 more curator labels agree with the rules" in after

    # Posts stored later are labelled with the applied proposals too.
    later = post_status(7, "Padlett wins again: every idea from the INSET in one place.")
    import_statuses(config, tmp_path, (later,), "later.jsonl")
    assert stored(config)[later["uri"]]["reasons"]["tool"] == "names Padlet"


def test_a_report_without_corrections_says_how_to_make_them(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    import_statuses(config, tmp_path, (PLAIN,), "posts.jsonl")
    report = run(config, "classify", "--report")
    assert report.output.startswith("No curator corrections yet")
    assert "No catalogue changes to propose." in report.output


def test_classify_takes_exactly_one_action(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(config), "classify", "--report", "--all"])
    assert result.exit_code == 2
    assert "exactly one of --all, --input FILE, --report or --apply KEY" in result.output


def correction(number: int, text: str, label: str, *, added: bool, reason: str | None = None) -> Correction:
    post = normalise_status(post_status(number, text))
    return Correction(number, post, label, added, reason, "sam", NOW)


def test_tools_named_by_several_posts_are_proposed_with_their_domain() -> None:
    catalogue = load_catalogue()
    text = "Our trust now runs every survey with Vevox, see https://vevox.com/ for the free plan."
    mentions = [
        ToolMention(
            10, normalise_status(post_status(10, text)), "names Vevox (not in the catalogue; what...)"
        ),
        ToolMention(
            11, normalise_status(post_status(11, "Vevox!")), "names Vevox (not in the catalogue; used)"
        ),
    ]
    report = analyse([], catalogue, tool_mentions=mentions)
    assert [(p.key, p.post_ids, p.addition.domains) for p in report.proposals] == [
        ("tool:Vevox", (10, 11), ("vevox.com",))
    ]
    assert analyse([], catalogue, tool_mentions=mentions[:1]).proposals == ()
    assert analyse([], catalogue, tool_mentions=mentions, min_posts=3).proposals == ()


def test_a_spelling_curators_keep_removing_is_proposed_as_ambiguous() -> None:
    catalogue = load_catalogue([{"name": "Stream", "aliases": []}])
    removed = [
        correction(
            20, "Stream of consciousness from me tonight, sorry.", "tool", added=False, reason="names Stream"
        ),
        correction(21, "Stream after stream of emails today.", "tool", added=False, reason="names Stream"),
    ]
    report = analyse(removed, catalogue)
    assert [p.key for p in report.proposals] == ["ambiguous:Stream=stream"]
    assert report.patterns == (("tool: a catalogue name used as an ordinary word", 2),)
    fixed = with_additions(catalogue, [report.proposals[0].addition])
    assert "tool" not in {label.name for label in classify(removed[0].post, fixed)}


def test_every_kind_of_miss_gets_a_pattern() -> None:
    catalogue = load_catalogue()
    gif = status("30", content="<p>Our new cover rota</p>")
    gif["media_attachments"] = [
        {
            "id": "1",
            "type": "gifv",
            "url": "https://files.example/a.mp4",
            "preview_url": None,
            "description": None,
            "meta": {"duration": 9.0},
            "blurhash": None,
        }
    ]
    findings = analyse(
        [
            correction(31, "Is it Friday yet?! Long week.", "question", added=True),
            Correction(30, normalise_status(gif), "video", True, None, "sam", NOW),
            correction(32, "Slides from today: https://slides.example/abc", "video", added=True),
            correction(33, "A lovely day in the garden.", "tool", added=True),
            correction(
                34,
                "Anyone else tired?",
                "question",
                added=False,
                reason="asks the community: 'Anyone else tired?'",
            ),
            correction(
                35,
                "Watch",
                "video",
                added=False,
                reason="attaches a silent video of 20 s, longer than a reaction GIF",
            ),
        ],
        catalogue,
    ).findings
    assert [f.pattern for f in findings] == [
        "question: a question read as rhetorical or answered",
        "video: a silent clip read as a reaction GIF",
        "video: a link to a host not known for video",
        "tool: no tool name the rules can see",
        "question: a sentence ending in a question mark",
        "video: a silent clip taken for a screencast",
    ]
    assert "it attaches a silent clip 9 s" in findings[1].detail
    assert "slides.example" in findings[2].detail
    rendered = render_report(analyse([], catalogue, applied=[CatalogueAddition("tool", "Gamma")]))
    assert "Applied: tool:Gamma" in rendered


def test_corrections_and_applied_additions_are_stored_on_every_backend(engine: Engine) -> None:
    from bot.jobs.classify_feedback import apply_proposals, catalogue_with_applied, feedback_report
    from bot.jobs.store import PostStore
    from storage import classify_feedback as feedback_repo
    from storage import labels as label_repo
    from storage.db import session_scope

    store = PostStore()
    with session_scope(engine) as session:
        ids = store.save(session, [normalise_status(s) for s in (MISSPELT, SARAH, PLAIN)], seen=None, now=NOW)
        misspelt, sarah, plain = (ids.written[s["uri"]] for s in (MISSPELT, SARAH, PLAIN))
        label_repo.set_curator_label(session, misspelt, "tool", True, by="sam", now=NOW)
        label_repo.set_curator_label(session, sarah, "tool", False, by="sam", now=NOW)
        label_repo.set_curator_label(session, plain, "video", False, by="sam", now=NOW)
    with session_scope(engine) as session:
        rows, agreeing = feedback_repo.curator_corrections(session)
        assert [(row.post_id, row.label, row.added) for row in rows] == [
            (misspelt, "tool", True),
            (sarah, "tool", False),
        ]
        assert rows[1].rule_reason == "names Sarah (not in the catalogue; what something was made with)"
        assert agreeing == 1
        assert [
            row.post_id for row in feedback_repo.rule_tool_labels(session, ["(not in the catalogue"])
        ] == [sarah]
        assert list(feedback_repo.rule_tool_labels(session, ["100% _odd_ phrase"])) == []

    report, urls = feedback_report(engine, load_catalogue())
    assert [p.key for p in report.proposals] == ["alias:Padlet=Padlett"]
    assert urls[misspelt] == MISSPELT["url"]
    assert apply_proposals(engine, load_catalogue(), ["all"], by="kim", now=NOW) == ["alias:Padlet=Padlett"]
    assert apply_proposals(engine, load_catalogue(), ["all"], by="kim", now=NOW) == []
    catalogue = catalogue_with_applied(engine, load_catalogue())
    assert catalogue.tool_named("Padlett") is not None
    with session_scope(engine) as session:
        PostStore(catalogue).relabel(session, {misspelt: normalise_status(MISSPELT)}, NOW)
        labels = label_repo.effective_labels(session, [misspelt])[misspelt]
        assert [(label.name, label.origin) for label in labels] == [("tool", "curator")]
        rows, agreeing = feedback_repo.curator_corrections(session)
        assert [row.post_id for row in rows] == [sarah]
        assert agreeing == 2
