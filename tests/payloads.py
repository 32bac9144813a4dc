"""Builders for Mastodon API payloads shaped exactly like real responses (Mastodon 4.x).

Every key a real ``Status``/``Account``/``MediaAttachment``/``PreviewCard`` carries is present, with
realistic values; tests override only what they are about.
"""

from __future__ import annotations

import copy
from typing import Any

INSTANCE = "https://mastodon.social"


def account(username: str = "maria", domain: str | None = None, **overrides: Any) -> dict[str, Any]:
    host = domain or "mastodon.social"
    url = f"https://{host}/@{username}"
    data: dict[str, Any] = {
        "id": "109302",
        "username": username,
        "acct": f"{username}@{domain}" if domain else username,
        "display_name": "María López",
        "locked": False,
        "bot": False,
        "discoverable": True,
        "indexable": True,
        "group": False,
        "created_at": "2022-11-07T00:00:00.000Z",
        "note": "<p>Assistant head, primary. Flipping our staff meetings since 2021.</p>",
        "url": url,
        "uri": f"https://{host}/users/{username}",
        "avatar": f"https://files.{host}/accounts/avatars/000/109/302/original/a.png",
        "avatar_static": f"https://files.{host}/accounts/avatars/000/109/302/original/a.png",
        "header": f"https://{host}/headers/original/missing.png",
        "header_static": f"https://{host}/headers/original/missing.png",
        "followers_count": 812,
        "following_count": 390,
        "statuses_count": 1204,
        "last_status_at": "2026-11-20",
        "hide_collections": False,
        "noindex": False,
        "emojis": [],
        "roles": [],
        "fields": [
            {
                "name": "School",
                "value": '<a href="https://school.example" target="_blank" rel="nofollow noopener me" '
                'translate="no"><span class="invisible">https://</span><span class="">school.example</span>'
                '<span class="invisible"></span></a>',
                "verified_at": None,
            }
        ],
    }
    data.update(overrides)
    return data


def hashtag_link(name: str, instance: str = INSTANCE) -> str:
    return (
        f'<a href="{instance}/tags/{name.lower()}" class="mention hashtag" rel="tag">#<span>{name}</span></a>'
    )


def mention_link(username: str, host: str) -> str:
    return (
        f'<span class="h-card" translate="no"><a href="https://{host}/@{username}" class="u-url mention">'
        f"@<span>{username}</span></a></span>"
    )


def url_link(url: str) -> str:
    scheme, rest = url.split("://", 1)
    visible, hidden = rest[:30], rest[30:]
    ellipsis = ' class="ellipsis"' if hidden else ' class=""'
    return (
        f'<a href="{url}" target="_blank" rel="nofollow noopener" translate="no">'
        f'<span class="invisible">{scheme}://</span><span{ellipsis}>{visible}</span>'
        f'<span class="invisible">{hidden}</span></a>'
    )


def status(
    id: str = "113481707975926080",
    *,
    content: str | None = None,
    author: dict[str, Any] | None = None,
    tags: list[str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    who = author or account()
    host = who["url"].split("/")[2]
    tag_names = ["fliplead"] if tags is None else tags
    data: dict[str, Any] = {
        "id": id,
        "created_at": "2026-11-20T14:02:11.000Z",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"https://{host}/users/{who['username']}/statuses/{id}",
        "url": f"https://{host}/@{who['username']}/{id}",
        "replies_count": 2,
        "reblogs_count": 5,
        "favourites_count": 17,
        "quotes_count": 0,
        "edited_at": None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
        "content": content
        if content is not None
        else f"<p>Our flipped staff briefing this week {' '.join(hashtag_link(t) for t in tag_names)}</p>",
        "filtered": [],
        "reblog": None,
        "application": {"name": "Web", "website": None},
        "account": who,
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": t.lower(), "url": f"{INSTANCE}/tags/{t.lower()}"} for t in tag_names],
        "emojis": [],
        "quote": None,
        "card": None,
        "poll": None,
        "quote_approval": {"automatic": ["public"], "manual": [], "current_user": "automatic"},
    }
    data.update(overrides)
    return data


def boost_of(original: dict[str, Any], id: str, booster: dict[str, Any] | None = None) -> dict[str, Any]:
    who = booster or account("sam", display_name="Sam Okafor")
    wrapper = status(id, author=who, content="", tags=[])
    wrapper.update(
        {
            "reblog": copy.deepcopy(original),
            "uri": f"https://mastodon.social/users/{who['username']}/statuses/{id}/activity",
            "url": f"https://mastodon.social/users/{who['username']}/statuses/{id}/activity",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "card": None,
        }
    )
    return wrapper


def video_attachment(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "113358687660157391",
        "type": "video",
        "url": "https://files.mastodon.social/media_attachments/files/113/358/687/original/9d3f.mp4",
        "preview_url": "https://files.mastodon.social/media_attachments/files/113/358/687/small/9d3f.png",
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {
            "length": "0:01:42.04",
            "duration": 102.04,
            "fps": 30,
            "size": "1280x720",
            "width": 1280,
            "height": 720,
            "aspect": 1.7777777777777777,
            "audio_encode": "aac (LC) (mp4a / 0x6134706D)",
            "audio_bitrate": "44100 Hz",
            "audio_channels": "stereo",
            "original": {
                "width": 1280,
                "height": 720,
                "frame_rate": "30/1",
                "duration": 102.04,
                "bitrate": 1043531,
            },
            "small": {"width": 640, "height": 360, "size": "640x360", "aspect": 1.7777777777777777},
        },
        "description": "Our head teacher explains the new homework policy in under two minutes",
        "blurhash": "UHF~IXt7M{of~qj[ayj[IUWBxuayayj[ayj[",
    }
    data.update(overrides)
    return data


def video_card(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "url": "https://www.youtube.com/watch?v=Xc4ZsXq1a2Y",
        "title": "Flipped staff meeting: our marking policy in 5 minutes",
        "description": "A short video for staff to watch before Thursday's meeting.",
        "language": "en",
        "type": "video",
        "author_name": "Oakfield Primary",
        "author_url": "https://www.youtube.com/@oakfieldprimary",
        "provider_name": "YouTube",
        "provider_url": "https://www.youtube.com/",
        "html": (
            '<iframe width="480" height="270" src="https://www.youtube.com/embed/Xc4ZsXq1a2Y?feature=oembed" '
            'frameborder="0" allowfullscreen=""></iframe>'
        ),
        "width": 480,
        "height": 270,
        "image": "https://files.mastodon.social/cache/preview_cards/images/000/000/001/original/c.jpg",
        "image_description": "",
        "embed_url": "",
        "blurhash": "UvK0HNkV,:s9xBR%njog0fo2W=WBS5ozofV@",
        "published_at": None,
        "authors": [],
    }
    data.update(overrides)
    return data


def poll(*options: str) -> dict[str, Any]:
    return {
        "id": "34830",
        "expires_at": "2026-11-23T14:02:11.000Z",
        "expired": False,
        "multiple": False,
        "votes_count": 10,
        "voters_count": 10,
        "voted": False,
        "own_votes": [],
        "options": [{"title": title, "votes_count": 5} for title in options],
        "emojis": [],
    }
