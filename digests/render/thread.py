"""A digest as a Mastodon thread: numbered parts that each fit the instance's character limit.

Mastodon counts every link as 23 characters whatever its length, and a mention ``@user@domain`` as
``@user``; :func:`mastodon_length` counts the same way. The first part carries the heading, the intro
and the hashtag; then one part per exemplar, attributed to its author by name with a link to the
original post (never an @-mention); a content warning on a post is carried over to its part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digests.model import SECTION_TITLES, SECTIONS, Digest, DigestItem
from digests.render.sanitize import link_without_mention, no_mentions, safe_url

URL_LENGTH = 23
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]}'’”]")
_MENTION = re.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w")
# " (12/34)" after the text: room is kept for it before the total is known.
_NUMBER_ROOM = len("\n\n(99/99)")
MAX_NAME = 60
MIN_CHAR_LIMIT = 120
MAX_WARNING = 100


@dataclass(frozen=True, slots=True)
class ThreadPart:
    """One post of the thread; ``spoiler_text`` is its content warning, if any."""

    text: str
    spoiler_text: str = ""


def mastodon_length(text: str, url_length: int = URL_LENGTH) -> int:
    """How long Mastodon says ``text`` is: links count ``url_length``, remote mentions as local ones.

    >>> mastodon_length("see https://example.org/a/very/long/path/indeed?x=1 @sam@school.example")
    32
    """
    without_urls = _URL.sub(lambda _: "x" * url_length, text)
    return len(_MENTION.sub(lambda m: "@" + m.group(1), without_urls))


def render_thread(
    digest: Digest, *, char_limit: int = 500, url_length: int = URL_LENGTH, archive_url: str | None = None
) -> list[ThreadPart]:
    """The thread that publishes ``digest``, each part within ``char_limit`` (its CW included)."""
    if char_limit < MIN_CHAR_LIMIT:
        raise ValueError(f"a character limit of {char_limit} is too small for a digest thread (at least 120)")
    budget = char_limit - _NUMBER_ROOM
    bodies = _opening(digest, budget, url_length, archive_url)
    for section in SECTIONS:
        for index, item in enumerate(digest.section(section)):
            title = SECTION_TITLES[section] if index == 0 else None
            bodies.append(_item_part(item, title, budget, url_length))
    total = len(bodies)
    return [
        ThreadPart(text=f"{part.text}\n\n({number}/{total})", spoiler_text=part.spoiler_text)
        for number, part in enumerate(bodies, start=1)
    ]


_NOUNS = {
    "video": ("video", "videos"),
    "tool": ("tool", "tools"),
    "question": ("open question", "open questions"),
}


def _opening(digest: Digest, budget: int, url_length: int, archive_url: str | None) -> list[ThreadPart]:
    tag = f"#{digest.hashtag}"
    lines = [no_mentions(digest.heading)]
    counts = [_count(len(digest.section(s)), s) for s in SECTIONS if digest.section(s)]
    if counts:
        lines.append(
            "This week: " + ", ".join(counts) + ". One post each below, with a link to the original."
        )
    link = safe_url(archive_url) if archive_url else None
    if link:
        lines.append(f"All of it on one page: {link}")
    # The optional lines go first if even the heading and the hashtag are a squeeze.
    while len(lines) > 1 and mastodon_length("\n\n".join([*lines, tag]), url_length) > budget:
        lines.pop()
    head = _shorten("\n\n".join(lines), budget - len(tag) - 2, url_length)
    intro = no_mentions(" ".join(digest.intro.split()))
    first_room = budget - mastodon_length(f"{head}\n\n\n\n{tag}", url_length)
    if not intro or mastodon_length(intro, url_length) <= first_room:
        return [ThreadPart("\n\n".join(x for x in (head, intro, tag) if x))]
    # An intro too long for the first part gets parts of its own, as many as it needs.
    pieces = _split_words(intro, budget - 2, url_length)
    last = len(pieces) - 1
    return [ThreadPart(f"{head}\n\n{tag}")] + [
        ThreadPart(("…" if n else "") + piece + ("…" if n < last else "")) for n, piece in enumerate(pieces)
    ]


def _count(number: int, section: str) -> str:
    singular, plural = _NOUNS[section]
    return f"{number} {singular if number == 1 else plural}"


def _item_part(item: DigestItem, title: str | None, budget: int, url_length: int) -> ThreadPart:
    spoiler = _shorten(no_mentions(" ".join(item.spoiler_text.split())), MAX_WARNING, url_length)
    room = budget - (mastodon_length(spoiler, url_length) if spoiler else 0)
    header = f"{title}\n\n" if title else ""
    who = _shorten(no_mentions(" ".join(item.author_name.split()) or "Someone"), MAX_NAME, url_length)
    link = link_without_mention(item.url, item.uri) or ""
    extras = _extras(item)

    def fixed_length() -> int:
        return mastodon_length(f"{header}{who}: \n{link}" + (f"\n{extras}" if extras else ""), url_length)

    if room - fixed_length() < 20 and extras:
        extras = ""  # credits that do not fit are dropped before the post's own words
    words = no_mentions(" ".join((item.blurb or _URL.sub("", item.text)).split()))
    words = _shorten(words, max(room - fixed_length(), 0), url_length)
    text = f"{header}{who}: {words}".rstrip() + f"\n{link}" + (f"\n{extras}" if extras else "")
    return ThreadPart(text=text, spoiler_text=spoiler)


def _extras(item: DigestItem) -> str:
    if item.section == "tool" and item.tool_names:
        return "Made with: " + ", ".join(no_mentions(name) for name in item.tool_names)
    if item.section == "question" and item.answers:
        credits = [
            f"{no_mentions(answer.name)} {url}"
            for answer in item.answers[:2]
            if (url := link_without_mention(answer.url))
        ]
        if credits:
            return "Answered by " + " and ".join(credits)
    return ""


def _shorten(text: str, room: int, url_length: int) -> str:
    if mastodon_length(text, url_length) <= room:
        return text
    words = text.split(" ")
    kept: list[str] = []
    for word in words:
        candidate = " ".join([*kept, word])
        if mastodon_length(candidate, url_length) + 1 > room:
            break
        kept.append(word)
    shortened = " ".join(kept)
    if not shortened:
        shortened = text[: max(room - 1, 0)]
    return shortened.rstrip(" ,;:.-") + "…" if room > 0 else ""


def _split_words(text: str, room: int, url_length: int) -> list[str]:
    """``text`` in pieces of at most ``room`` (Mastodon-counted), split between words where possible."""
    pieces: list[str] = []
    current = ""
    for word in text.split(" "):
        while mastodon_length(word, url_length) > room:  # a "word" longer than a part: cut it
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:room])
            word = word[room:]
        candidate = f"{current} {word}" if current else word
        if mastodon_length(candidate, url_length) > room:
            pieces.append(current)
            current = word
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces
