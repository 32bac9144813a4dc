"""Labels end to end: classified as stored, corrected by curators, re-labelled, listed and filtered."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from bot.cli import cli
from bot.jobs.store import PostStore
from bot.networks.mastodon.normalise import normalise_status
from storage import labels as label_repo
from storage import repository as repo
from storage.db import session_scope
from tests.payloads import hashtag_link, status, url_link

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
QUESTION_AND_TOOL = status(
    "1", content=f"<p>Anyone tried Screencastify for parent newsletters? {hashtag_link('fliplead')}</p>"
)
VIDEO = status(
    "2",
    content=f"<p>Watch: {url_link('https://youtu.be/Xc4ZsXq1a2Y')} {hashtag_link('fliplead')}</p>",
)
THANKS = status("3", content=f"<p>Thank you all for a wonderful term! {hashtag_link('fliplead')}</p>")


def labels_of(engine: Engine, post_id: int) -> dict[str, str]:
    with session_scope(engine) as session:
        return {
            label.name: label.origin
            for label in label_repo.effective_labels(session, [post_id]).get(post_id, [])
        }


def test_posts_are_labelled_as_they_are_stored(engine: Engine) -> None:
    with session_scope(engine) as session:
        saved = PostStore().save(
            session, [normalise_status(p) for p in (QUESTION_AND_TOOL, VIDEO, THANKS)], seen=None, now=NOW
        )
    ids = saved.written
    assert labels_of(engine, ids[QUESTION_AND_TOOL["uri"]]) == {"question": "rule", "tool": "rule"}
    assert labels_of(engine, ids[VIDEO["uri"]]) == {"video": "rule"}
    assert labels_of(engine, ids[THANKS["uri"]]) == {}


def test_an_edit_relabels_the_post(engine: Engine) -> None:
    store = PostStore()
    with session_scope(engine) as session:
        post_id = store.save(session, [normalise_status(THANKS)], seen=None, now=NOW).written[THANKS["uri"]]
    edited = {**VIDEO, "id": "3", "uri": THANKS["uri"], "edited_at": "2026-11-21T10:00:00Z"}
    with session_scope(engine) as session:
        store.save(session, [normalise_status(edited)], seen=None, now=NOW)
    assert labels_of(engine, post_id) == {"video": "rule"}


def test_curator_corrections_win_and_survive_relabelling(engine: Engine) -> None:
    store = PostStore()
    with session_scope(engine) as session:
        post_id = store.save(session, [normalise_status(QUESTION_AND_TOOL)], seen=None, now=NOW).written[
            QUESTION_AND_TOOL["uri"]
        ]
        label_repo.set_curator_label(session, post_id, "question", False, by="curator@example.org", now=NOW)
        label_repo.set_curator_label(session, post_id, "video", True, by="curator@example.org", now=NOW)
    assert labels_of(engine, post_id) == {"tool": "rule", "video": "curator"}

    with session_scope(engine) as session:
        store.relabel(session, {post_id: normalise_status(QUESTION_AND_TOOL)}, NOW)
    assert labels_of(engine, post_id) == {"tool": "rule", "video": "curator"}

    with session_scope(engine) as session:
        found = {row.id for row in repo.iter_posts(session, repo.PostQuery(label="question"))}
        assert found == set()
        found = {row.id for row in repo.iter_posts(session, repo.PostQuery(label="video"))}
        assert found == {post_id}
        found = {row.id for row in repo.iter_posts(session, repo.PostQuery(label="tool"))}
        assert found == {post_id}


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "exemplar.toml"
    path.write_text('hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8")
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_cli_label_listing_filtering_and_relabelling(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    export = tmp_path / "posts.jsonl"
    export.write_text("\n".join(json.dumps(p) for p in (QUESTION_AND_TOOL, VIDEO, THANKS)), encoding="utf-8")
    run(config, "import", str(export), "--format", "mastodon")

    records = {r["uri"]: r for r in map(json.loads, run(config, "posts", "--json").output.splitlines())}
    question = records[QUESTION_AND_TOOL["uri"]]
    assert question["labels"] == ["question", "tool"]
    assert "Screencastify" in question["reasons"]["tool"]
    assert set(question["reasons"]) == {"question", "tool"}
    assert records[THANKS["uri"]]["labels"] == []

    assert [
        json.loads(line)["uri"]
        for line in run(config, "posts", "--json", "--label", "video").output.splitlines()
    ] == [VIDEO["uri"]]

    corrected = run(config, "label", str(question["id"]), "-question", "+video", "--by", "sam")
    assert corrected.exit_code == 0, corrected.output
    assert "tool (" in corrected.output
    assert "video (added by sam)" in corrected.output

    relabelled = run(config, "classify", "--all")
    assert relabelled.output.strip() == "re-labelled 3 posts: 2 video, 1 tool, 0 question"
    after = json.loads(run(config, "posts", "--json", "--label", "tool").output)
    assert after["labels"] == ["tool", "video"]
    assert after["labelled_by"] == {"tool": "rule", "video": "curator"}

    by_url = run(config, "label", VIDEO["url"], "-video")
    assert by_url.output.strip().endswith("no labels")


def test_cli_label_rejects_bad_input(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    bad = CliRunner().invoke(cli, ["--config", str(config), "label", "1", "+podcast"])
    assert bad.exit_code == 2
    assert "write +LABEL or -LABEL" in bad.output
    missing = CliRunner().invoke(cli, ["--config", str(config), "label", "999", "+tool"])
    assert missing.exit_code == 1
    assert "no stored post '999'" in missing.output


def test_classify_input_needs_no_database_and_no_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EXEMPLAR_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    statuses = tmp_path / "statuses.jsonl"
    statuses.write_text(
        "\n".join([json.dumps(QUESTION_AND_TOOL), "{broken", json.dumps({"id": "9"}), json.dumps(THANKS)]),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["classify", "--input", str(statuses)])

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["id"], line["labels"]) for line in lines] == [
        ("1", ["question", "tool"]),
        ("9", []),
        ("3", []),
    ]
    assert set(lines[0]["reasons"]) == {"question", "tool"}
    assert "statuses.jsonl:2: skipped" in result.stderr  # not JSON; a status with only an id is classified
    assert not list(tmp_path.glob("*.db"))


def test_extra_tools_from_the_config_are_recognised(tmp_path: Path) -> None:
    config = tmp_path / "exemplar.toml"
    config.write_text(
        'hashtags = ["fliplead"]\n[[tools]]\nname = "Vocal Video"\ndomains = ["vocalvideo.com"]\n',
        encoding="utf-8",
    )
    statuses = tmp_path / "s.jsonl"
    statuses.write_text(
        json.dumps(status("5", content="<p>Testimonials from parents, recorded with Vocal Video.</p>")),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "classify", "--input", str(statuses)])
    assert json.loads(result.stdout)["labels"] == ["tool"]


def test_classify_input_needs_only_the_content(tmp_path: Path) -> None:
    statuses = tmp_path / "trimmed.jsonl"
    statuses.write_text(
        "\n".join(
            [
                json.dumps({"id": "a1", "content": "<p>Anyone tried Loom for parent updates?</p>"}),
                json.dumps(
                    {"id": "a2", "content": "<p>Our video https://youtu.be/Xc4ZsXq1a2Y</p>", "account": None}
                ),
                json.dumps({"content": "<p>no id</p>"}),
            ]
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["--config", str(write_config(tmp_path)), "classify", "--input", str(statuses)]
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["id"], line["labels"]) for line in lines] == [
        ("a1", ["question", "tool"]),
        ("a2", ["video"]),
    ]
    assert "trimmed.jsonl:3: skipped" in result.stderr
