"""Importing archives kept by other tools: twarc2 (X API v2 pages), Bluesky searchPosts, TAGS CSV.

The fixtures under tests/data/archives/ are written for this project, shaped exactly like the real APIs.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import cli
from bot.networks.bluesky.normalise import author_profile, normalise_bluesky_post
from bot.networks.x.normalise import normalise_tweet, tweets_in_page

ARCHIVES = Path(__file__).parent / "data" / "archives"


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "exemplar.toml"
    path.write_text('hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n', encoding="utf-8")
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_a_v2_page_joins_authors_and_media_and_resolves_retweets() -> None:
    page = json.loads((ARCHIVES / "twarc2.jsonl").read_text(encoding="utf-8").splitlines()[0])
    video, question, retweet = (normalise_tweet(record) for record in tweets_in_page(page))

    assert video.uri == "https://x.com/i/status/1788459752172744762"
    assert video.url == "https://x.com/MariaLeads/status/1788459752172744762"
    assert video.author.acct == "marialeads@x.com"
    assert video.text == "Our flipped staff briefing, 4 minutes #fliplead https://youtu.be/Xc4ZsXq1a2Y"
    assert video.links == ("https://youtu.be/Xc4ZsXq1a2Y",)
    assert video.hashtags == ("fliplead",)
    assert (video.favourites_count, video.reblogs_count, video.replies_count) == (40, 12, 3)

    [media] = question.media
    assert (media.kind, media.url, media.duration) == (
        "video",
        "https://video.twimg.com/ext_tw_video/1/vid/720x1280/high.mp4",
        13.117,
    )
    assert "pic.twitter.com" not in question.text

    assert retweet.uri == video.uri  # a retweet is stored as the tweet it retweets


def test_bluesky_post_views() -> None:
    data = json.loads((ARCHIVES / "bluesky_search.json").read_text(encoding="utf-8"))
    post = normalise_bluesky_post(data["posts"][0])
    assert post.uri == "at://did:plc:abc123/app.bsky.feed.post/3lpk2u6qo222m"
    assert post.url == "https://bsky.app/profile/claire.bsky.social/post/3lpk2u6qo222m"
    assert post.author.acct == "claire.bsky.social"
    assert post.links == ("https://www.loom.com/share/9f2c1e7a5b3d4c6e8a0b",)
    assert post.hashtags == ("fliplead",)
    assert post.card is not None
    assert post.card.title == "Réunion inversée"
    assert post.language == "fr"
    assert author_profile(data["posts"][1]) == {"note": "", "fields": [], "noindex": True}


def test_importing_each_format_reports_bad_rows_by_line(tmp_path: Path) -> None:
    config = write_config(tmp_path)

    twarc = run(config, "import", str(ARCHIVES / "twarc2.jsonl"), "--format", "twarc2")
    assert twarc.exit_code == 0, twarc.output
    assert "new 2" in twarc.output  # the video, the question (the retweet is the video again)
    assert "1 opted out" in twarc.output
    assert "bad rows at lines: 2, 3" in twarc.output  # an unreadable line; a tweet without its author

    bsky = run(config, "import", str(ARCHIVES / "bluesky_search.json"), "--format", "bluesky")
    assert "read 3, new 1" in bsky.output
    assert "1 opted out" in bsky.output  # !no-unauthenticated

    tags = run(config, "import", str(ARCHIVES / "tags.csv"), "--format", "tags-csv")
    assert "read 4, new 2" in tags.output
    assert "bad rows at lines: 4, 5" in tags.output

    records = [json.loads(line) for line in run(config, "posts", "--json").output.splitlines()]
    by_source: dict[str, int] = {}
    for record in records:
        by_source[record["source"]] = by_source.get(record["source"], 0) + 1
    assert by_source == {"x": 4, "bluesky": 1}
    labelled = {record["url"]: record["labels"] for record in records}
    assert labelled["https://x.com/MariaLeads/status/1788459752172744762"] == ["video"]
    assert labelled["https://bsky.app/profile/claire.bsky.social/post/3lpk2u6qo222m"] == ["tool", "video"]
    assert "question" in labelled["https://x.com/samokafor/status/1578515564971970560"]


def test_the_same_tweet_from_two_archives_is_stored_once(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    page = {
        "data": [
            {
                "id": "1578516068309794817",
                "text": "Our flipped staff briefing #fliplead",
                "author_id": "1",
                "created_at": "2022-10-07T22:42:12.000Z",
            }
        ],
        "includes": {"users": [{"id": "1", "name": "María", "username": "MariaLeads"}]},
    }
    twarc = tmp_path / "page.jsonl"
    twarc.write_text(json.dumps(page) + "\n", encoding="utf-8")
    run(config, "import", str(twarc), "--format", "twarc2")
    again = run(config, "import", str(ARCHIVES / "tags.csv"), "--format", "tags-csv")
    assert "read 4, new 1," in again.output  # only the second tweet is new
    assert len(run(config, "posts", "--json").output.splitlines()) == 2
