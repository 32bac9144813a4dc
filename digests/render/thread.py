"""A digest as a thread: numbered parts that each fit the network's limit per post.

Each network counts a post its own way (:mod:`digests.render.measure`). The first part carries the
heading, the link to the digest's archive page, the intro and the hashtag; then one part per exemplar,
attributed to its author by name (never an @-mention), with the post's words (its links taken out, and
whatever introduced them), the link it shares (the video, the tool) and the link to the post itself.
A content warning on a post is carried over to its part: as the part's own warning where the network
has them (Mastodon), else as the first line of its text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex

from digests.model import SECTION_TITLES, SECTIONS, Digest, DigestItem
from digests.render.measure import URL, TextMeasure, mastodon_length, mastodon_measure
from digests.render.sanitize import link_without_mention, no_mentions, safe_url
from digests.render.twitter_text import link_count

__all__ = ["ThreadPart", "item_words", "mastodon_length", "render_thread", "shared_link", "thread_links"]

_GRAPHEME = regex.compile(r"\X")
# What no network should be sent: control characters (but line breaks and tabs), the byte-order mark
# and the non-characters X refuses a post for (twitter-text's invalid characters).
_UNSENDABLE = regex.compile(r"[^\P{Cc}\n\t]|[\ufeff\ufffe\uffff]")


def _quoted(text: str) -> str:
    """Untrusted words as a part quotes them: nothing a network refuses, nobody @-mentioned."""
    return no_mentions(_UNSENDABLE.sub("", text))


Length = Callable[[str], int]
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


def render_thread(
    digest: Digest,
    *,
    char_limit: int = 500,
    archive_url: str | None = None,
    measure: TextMeasure | None = None,
) -> list[ThreadPart]:
    """The thread that publishes ``digest``: on Mastodon with ``char_limit`` unless ``measure`` says
    which network and limit; each part fits (its warning included)."""
    measure = measure or mastodon_measure(char_limit)
    if measure.limit < MIN_CHAR_LIMIT:
        raise ValueError(
            f"a character limit of {measure.limit} is too small for a digest thread (at least 120)"
        )
    budget = measure.limit - _NUMBER_ROOM
    length = measure.length
    bodies = _opening(digest, budget, length, archive_url)
    for section in SECTIONS:
        for index, item in enumerate(digest.section(section)):
            title = SECTION_TITLES[section] if index == 0 else None
            bodies.append(_item_part(item, title, budget, length, inline_warning=not measure.has_warnings))
    total = len(bodies)
    return [
        ThreadPart(text=f"{part.text}\n\n({number}/{total})", spoiler_text=part.spoiler_text)
        for number, part in enumerate(bodies, start=1)
    ]


def thread_links(parts: list[ThreadPart], network: str = "mastodon") -> int:
    """How many links the thread posts (X charges for posts with links, and finds links without a
    scheme too)."""
    if network == "x":
        return sum(link_count(part.text) for part in parts)
    return sum(len(URL.findall(part.text)) for part in parts)


_NOUNS = {
    "video": ("video", "videos"),
    "tool": ("tool", "tools"),
    "question": ("open question", "open questions"),
}


def _opening(digest: Digest, budget: int, length: Length, archive_url: str | None) -> list[ThreadPart]:
    tag = f"#{digest.hashtag}"
    heading = _quoted(digest.heading)
    counts = [_count(len(digest.section(s)), s) for s in SECTIONS if digest.section(s)]
    optional = []
    if counts:
        optional.append(
            "This week: " + ", ".join(counts) + ". One post each below, with a link to the original."
        )
    link = safe_url(archive_url) if archive_url else None
    if link:
        # The digest's own page comes before the counts: it is what a reader of the hashtag opens.
        optional.insert(0, f"All of it on one page: {link}")
    lines = [heading, *optional]
    # The optional lines go, last first, if even the heading and the hashtag are a squeeze.
    while len(lines) > 1 and length("\n\n".join([*lines, tag])) > budget:
        lines.pop()
    head = _shorten(heading, budget - length(tag) - 2, length) if len(lines) == 1 else "\n\n".join(lines)
    intro = _quoted(" ".join(digest.intro.split()))
    first_room = budget - length(f"{head}\n\n\n\n{tag}")
    if not intro or length(intro) <= first_room:
        return [ThreadPart("\n\n".join(x for x in (head, intro, tag) if x))]
    # An intro too long for the first part gets parts of its own, as many as it needs.
    pieces = _split_words(intro, budget - 2, length)
    last = len(pieces) - 1
    return [ThreadPart(f"{head}\n\n{tag}")] + [
        ThreadPart(("…" if n else "") + piece + ("…" if n < last else "")) for n, piece in enumerate(pieces)
    ]


def _count(number: int, section: str) -> str:
    singular, plural = _NOUNS[section]
    return f"{number} {singular if number == 1 else plural}"


def _item_part(
    item: DigestItem, title: str | None, budget: int, length: Length, *, inline_warning: bool
) -> ThreadPart:
    spoiler = _shorten(_quoted(" ".join(item.spoiler_text.split())), MAX_WARNING, length)
    warning_line = f"CW: {spoiler}\n\n" if spoiler and inline_warning else ""
    room = budget - (length(spoiler) if spoiler and not inline_warning else 0)
    header = f"{title}\n\n{warning_line}" if title else warning_line
    who = _shorten(_quoted(" ".join(item.author_name.split()) or "Someone"), MAX_NAME, length)
    post_link = link_without_mention(item.url, item.uri) or ""
    shared = shared_link(item)
    links = [f"{_SHARED_LABELS[item.section]}: {shared}"] if shared else []
    if post_link:
        links.append(f"Post: {post_link}")
    extras = _extras(item)

    def fixed(lines: list[str], extra: str) -> str:
        return "\n".join([f"{header}{who}: ", *lines, *([extra] if extra else [])])

    if room - length(fixed(links, extras)) < 20 and extras:
        extras = ""  # credits that do not fit are dropped before the post's own words
    while links and length(fixed(links, extras)) > room:
        links = links[1:]  # a limit too small for both: the link to the post is kept
    words = _quoted(item_words(item, drop=shared))
    words = _shorten(words, max(room - length(fixed(links, extras)), 0), length)
    first = f"{header}{who}: {words}" if words else f"{header}{who}"
    text = "\n".join([first, *links, *([extras] if extras else [])])
    return ThreadPart(text=text, spoiler_text="" if inline_warning else spoiler)


_SHARED_LABELS = {"video": "Video", "tool": "Tool", "question": "Link"}


def shared_link(item: DigestItem) -> str | None:
    """The link an item's post shares (the video, the tool), if it shares one: never the post itself."""
    own = {item.url, item.uri}
    # The links the post was stored with; failing those, the ones written in its text.
    for candidate in (item.card_url, *item.links, *URL.findall(item.text)):
        link = safe_url(candidate) if candidate else None
        if link and link not in own:
            return link_without_mention(link)
    return None


def item_words(item: DigestItem, *, drop: str | None = None) -> str:
    """The words a part quotes: the curator's blurb, else the post's text without its links, and
    without the punctuation that only introduced them ("… est en ligne : https://…" loses the colon).
    ``drop`` is a link shown on a line of its own, taken out of the text also when written bare."""
    if item.blurb.strip():
        return " ".join(item.blurb.split())
    text = _UNSENDABLE.sub("", item.text)  # first: a connector it hides from view is a connector
    if drop:
        bare = drop.split("://", 1)[-1]
        text = regex.sub(rf"(?<![\w/]){regex.escape(bare)}(?![\w/])", " ", text)
    return without_links(text)


# What introduces a link and means nothing once it is gone: a colon, an arrow, a pointing hand, "->".
_CONNECTOR = r"(?:[:：=→⇒➜➔➡⬇↓⤵👉👇»>]\ufe0f?|->|=>|-{1,2}|[–—])"
_LINK_WITH_LEAD = regex.compile(rf"(?:\s*{_CONNECTOR}+)?\s*{URL.pattern}")
_EMPTY_BRACKETS = regex.compile(r"[(\[{]\s*[)\]}]|«\s*»|“\s*”|\"\s*\"")
_LINE_END_CONNECTOR = regex.compile(rf"\s*{_CONNECTOR}+(?=\s*(?:#\w+\s*)*$)", regex.MULTILINE)
_SPACE_BEFORE_STOP = regex.compile(r"\s+(?=[.,)\]}](?:\s|$))")


def without_links(text: str) -> str:
    """``text`` with its links taken out, and the connectors that introduced them.

    >>> without_links("Notre guide (https://a.example/g) : voir https://b.example/v !")
    'Notre guide : voir !'
    >>> without_links("La vidéo est en ligne : https://youtu.be/x #fliplead")
    'La vidéo est en ligne #fliplead'
    """
    text = _LINK_WITH_LEAD.sub(" ", text)
    text = _EMPTY_BRACKETS.sub(" ", text)
    text = _LINE_END_CONNECTOR.sub("", text)
    text = " ".join(text.split())
    return _SPACE_BEFORE_STOP.sub("", text).strip(" ,;")


def _extras(item: DigestItem) -> str:
    if item.section == "tool" and item.tool_names:
        return "Made with: " + ", ".join(_quoted(name) for name in item.tool_names)
    if item.section == "question" and item.answers:
        credits = [
            f"{_quoted(answer.name)} {url}"
            for answer in item.answers[:2]
            if (url := link_without_mention(answer.url))
        ]
        if credits:
            return "Answered by " + " and ".join(credits)
    return ""


def _shorten(text: str, room: int, length: Length) -> str:
    """``text`` cut between words to fit ``room`` with an ellipsis, with no punctuation left hanging."""
    if length(text) <= room:
        return text
    if room <= 0:
        return ""
    words = text.split(" ")
    # The most words that fit; a binary search, as measuring X's way is not cheap.
    low, high = 0, len(words)
    while low < high:
        middle = (low + high + 1) // 2
        if length(" ".join(words[:middle])) + 1 <= room:
            low = middle
        else:
            high = middle - 1
    shortened = " ".join(words[:low])
    if not shortened:
        shortened = _cut(text, room - 1, length)
    shortened = shortened.rstrip(_HANGING)
    while shortened and length(shortened + "…") > room:
        shortened = _cut(shortened, length(shortened) - 1, length).rstrip(_HANGING)
    return shortened + "…" if shortened else ""


# What a cut text must not end with before its ellipsis: spaces, stops, openers, connectors.
_HANGING = " \n,;:.-–—(«“‘[{/\\→👉="


def _split_words(text: str, room: int, length: Length) -> list[str]:
    """``text`` in pieces of at most ``room`` (as ``length`` counts), split between words where possible."""
    pieces: list[str] = []
    current = ""
    for word in text.split(" "):
        while length(word) > room:  # a "word" longer than a part: cut it
            if current:
                pieces.append(current)
                current = ""
            piece = _cut(word, room, length) or word[0]
            pieces.append(piece)
            word = word[len(piece) :]
        candidate = f"{current} {word}" if current else word
        if length(candidate) > room:
            pieces.append(current)
            current = word
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def _cut(text: str, room: int, length: Length) -> str:
    """The longest start of ``text`` that fits ``room``, ending between two graphemes."""
    bounds = [0, *(match.end() for match in _GRAPHEME.finditer(text))]
    low, high = 0, len(bounds) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if length(text[: bounds[middle]]) <= room:
            low = middle
        else:
            high = middle - 1
    return text[: bounds[low]]
