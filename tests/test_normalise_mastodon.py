"""Normalising Mastodon statuses shaped exactly like real API responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.networks.errors import MalformedPayloadError
from bot.networks.mastodon.normalise import normalise_status
from tests.payloads import (
    account,
    boost_of,
    hashtag_link,
    mention_link,
    poll,
    status,
    url_link,
    video_attachment,
    video_card,
)


def test_core_fields_of_a_local_post() -> None:
    post = normalise_status(status("113481707975926080"))

    assert post.source == "mastodon"
    assert post.uri == "https://mastodon.social/users/maria/statuses/113481707975926080"
    assert post.url == "https://mastodon.social/@maria/113481707975926080"
    assert post.remote_id == "113481707975926080"
    assert post.author.acct == "maria@mastodon.social"  # local accts are qualified with their instance
    assert post.author.display_name == "María López"
    assert post.created_at == datetime(2026, 11, 20, 14, 2, 11, tzinfo=UTC)
    assert post.text == "Our flipped staff briefing this week #fliplead"
    assert post.hashtags == ("fliplead",)
    assert (post.replies_count, post.reblogs_count, post.favourites_count) == (2, 5, 17)


def test_remote_author_keeps_their_own_instance() -> None:
    post = normalise_status(status(author=account("jo", domain="social.sublingual.xyz")))
    assert post.author.acct == "jo@social.sublingual.xyz"
    assert post.author.url == "https://social.sublingual.xyz/@jo"


def test_video_attachment() -> None:
    post = normalise_status(status(media_attachments=[video_attachment()]))
    [media] = post.media
    assert media.kind == "video"
    assert media.url.endswith(".mp4")
    assert media.preview_url is not None
    assert media.preview_url.endswith(".png")
    assert media.description == "Our head teacher explains the new homework policy in under two minutes"
    assert media.duration == 102.04


def test_unknown_media_type_and_missing_url() -> None:
    odd = video_attachment(type="hologram")
    missing = video_attachment(url=None, remote_url=None)
    post = normalise_status(status(media_attachments=[odd, missing, "junk"]))
    assert [m.kind for m in post.media] == ["unknown"]


def test_remote_media_falls_back_to_remote_url() -> None:
    remote = video_attachment(url=None, remote_url="https://cdn.example/v.mp4")
    assert normalise_status(status(media_attachments=[remote])).media[0].url == "https://cdn.example/v.mp4"


def test_video_preview_card_adds_its_link() -> None:
    url = "https://www.youtube.com/watch?v=Xc4ZsXq1a2Y"
    content = f"<p>Watch before Thursday: {url_link(url)} {hashtag_link('fliplead')}</p>"
    post = normalise_status(status(content=content, card=video_card()))

    assert post.card is not None
    assert (post.card.type, post.card.provider_name) == ("video", "YouTube")
    assert post.links == (url,)
    assert post.text == f"Watch before Thursday: {url} #fliplead"


def test_card_link_not_in_the_text_is_added_to_links() -> None:
    post = normalise_status(status(card=video_card(url="https://vimeo.com/123456")))
    assert post.links == ("https://vimeo.com/123456",)


def test_mentions_and_hashtags_are_not_links() -> None:
    content = (
        f"<p>{mention_link('sam', 'mastodon.social')} {mention_link('jo', 'social.sublingual.xyz')} "
        f"loved your {url_link('https://padlet.com/oakfield/staff-ideas')} {hashtag_link('FlipLead')}</p>"
    )
    mentions = [
        {"id": "1", "username": "sam", "url": "https://mastodon.social/@sam", "acct": "sam"},
        {
            "id": "2",
            "username": "jo",
            "url": "https://social.sublingual.xyz/@jo",
            "acct": "jo@social.sublingual.xyz",
        },
    ]
    post = normalise_status(status(content=content, mentions=mentions))

    assert post.links == ("https://padlet.com/oakfield/staff-ideas",)
    assert post.mentions == ("sam@mastodon.social", "jo@social.sublingual.xyz")
    assert post.text.startswith("@sam @jo loved your https://padlet.com/oakfield/staff-ideas #FlipLead")


def test_content_warning_custom_emoji_and_non_ascii_text() -> None:
    content = (
        "<p>Vídeo para familias: ¿cómo funcionan los deberes invertidos? :flipped: 🎬</p>"
        f"<p>Gracias a todo el claustro 💛 {hashtag_link('fliplead')}</p>"
    )
    emoji = [
        {
            "shortcode": "flipped",
            "url": "https://files.example/e.png",
            "static_url": "",
            "visible_in_picker": True,
        }
    ]
    post = normalise_status(
        status(content=content, spoiler_text="Reunión de padres", sensitive=True, language="es", emojis=emoji)
    )

    assert post.spoiler_text == "Reunión de padres"
    assert post.sensitive is True
    assert post.language == "es"
    assert post.text == (
        "Vídeo para familias: ¿cómo funcionan los deberes invertidos? :flipped: 🎬\n\n"
        "Gracias a todo el claustro 💛 #fliplead"
    )


def test_line_breaks_and_entities() -> None:
    post = normalise_status(status(content="<p>Step 1: record<br />Step 2: share &amp; discuss</p>"))
    assert post.text == "Step 1: record\nStep 2: share & discuss"


def test_a_boost_becomes_the_original_post() -> None:
    original = status("300", content="<p>The original</p>")
    post = normalise_status(boost_of(original, id="301"))

    assert post.uri == original["uri"]
    assert post.remote_id == "300"
    assert post.author.acct == "maria@mastodon.social"
    assert post.text == "The original"


def test_poll_options() -> None:
    post = normalise_status(status(poll=poll("Loom", "Screencastify", "Touchcast")))
    assert post.poll_options == ("Loom", "Screencastify", "Touchcast")


def test_hashtags_fall_back_to_the_text_when_tags_are_absent() -> None:
    payload = status(content="<p>New #FlipLead video, see https://x.example/a#section</p>")
    del payload["tags"]
    assert normalise_status(payload).hashtags == ("fliplead",)


def test_the_raw_payload_is_kept_for_recomputing() -> None:
    payload = status()
    post = normalise_status(payload)
    assert post.raw == payload
    assert normalise_status(json.loads(json.dumps(post.raw))) == post


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"uri": None}, "uri"),
        ({"id": ""}, "id"),
        ({"account": "maria"}, "account"),
        ({"created_at": "yesterday"}, "created_at"),
    ],
)
def test_malformed_statuses_name_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(MalformedPayloadError, match=field):
        normalise_status(status(**change))


def test_a_non_object_is_malformed() -> None:
    with pytest.raises(MalformedPayloadError):
        normalise_status(["not", "a", "status"])  # type: ignore[arg-type]


@given(
    content=st.text(),
    counts=st.one_of(st.none(), st.integers(), st.text(max_size=3)),
    tags=st.one_of(st.none(), st.lists(st.one_of(st.text(), st.dictionaries(st.text(), st.text())))),
)
def test_arbitrary_content_never_crashes_the_normaliser(content: str, counts: Any, tags: Any) -> None:
    payload = status(content=content, replies_count=counts, tags=[])
    payload["tags"] = tags
    post = normalise_status(payload)
    assert post.replies_count >= 0
    assert "<" not in post.text or "<" in content


def test_links_left_as_plain_text_are_found_too() -> None:
    content = "<p>Our video: https://youtu.be/Xc4ZsXq1a2Y. And the form (https://forms.gle/abc123)!</p>"
    post = normalise_status(status(content=content))
    assert post.links == ("https://youtu.be/Xc4ZsXq1a2Y", "https://forms.gle/abc123")


def test_a_plain_text_body_keeps_its_links() -> None:
    post = normalise_status(status(content="Watch https://vimeo.com/1 now"))
    assert post.links == ("https://vimeo.com/1",)
    assert post.text == "Watch https://vimeo.com/1 now"
