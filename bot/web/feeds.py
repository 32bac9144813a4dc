"""Atom 1.0 feeds of the archive: one of whole digests, one per section. Pure.

Every id and link is built from the configured public URL, never from the request, so a feed reads
the same behind any proxy and a forged ``Host`` header cannot reach it. Entries are dated by when
their digest was published.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree

from markupsafe import escape

from digests.model import SECTION_TITLES, SECTIONS, Digest, DigestItem
from digests.render.sanitize import safe_html, safe_url

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Characters XML 1.0 cannot carry at all, even escaped (post text may hold them).
_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    link: str
    title: str
    published: datetime
    summary: str
    content_html: str
    author: str = "Exemplar"


def digest_entry(digest: Digest, base: str, published: datetime) -> FeedEntry:
    """A published digest as one entry: its heading, intro and every exemplar."""
    url = f"{base}/digests/{digest.id}"
    counts = ", ".join(
        f"{len(digest.section(s))} {SECTION_TITLES[s].lower()}" for s in SECTIONS if digest.section(s)
    )
    content = "".join(_item_html(item) for item in digest.items)
    return FeedEntry(
        id=url,
        link=url,
        title=digest.heading,
        published=published,
        summary=" ".join(filter(None, [digest.intro, counts])),
        content_html=content,
    )


def item_entry(item: DigestItem, digest_id: int, base: str, published: datetime) -> FeedEntry:
    """One exemplar as an entry, linking to its place in the digest that featured it."""
    url = f"{base}/digests/{digest_id}#item-{item.post_id}"
    words = " ".join(item.text.split())
    title = item.card_title or (words[:80] + ("…" if len(words) > 80 else ""))
    return FeedEntry(
        id=url,
        link=url,
        title=f"{item.author_name or 'Someone'}: {title}" if title else item.author_name or "An exemplar",
        published=published,
        summary=item.blurb or words[:280],
        content_html=_item_html(item),
        author=item.author_name or "Someone",
    )


def _item_html(item: DigestItem) -> str:
    if item.removed:
        return "<p>Removed at the author's request.</p>"
    link = escape(safe_url(item.url) or "")
    answers = "".join(
        f' <a href="{escape(url)}">{escape(answer.name)}</a>'
        for answer in item.answers
        if (url := safe_url(answer.url))
    )
    answered = f"<p>Answered by{answers}</p>" if answers else ""
    blurb = f"<p>{escape(item.blurb)}</p>" if item.blurb else ""
    return f'<p><a href="{link}">{escape(item.author_name)}</a>:</p>{blurb}{safe_html(item.html)}{answered}'


def atom_feed(title: str, self_url: str, base: str, entries: Sequence[FeedEntry]) -> bytes:
    """The feed document, UTF-8 encoded."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")

    def add(
        parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str
    ) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = _XML_INVALID.sub("", text) if text else text
        return element

    add(feed, "title", title)
    add(feed, "id", self_url)
    add(feed, "link", href=self_url, rel="self", type="application/atom+xml")
    add(feed, "link", href=f"{base}/", rel="alternate", type="text/html")
    add(feed, "updated", _stamp(max((e.published for e in entries), default=EPOCH)))
    add(add(feed, "author"), "name", "Exemplar")
    add(feed, "generator", "Exemplar")
    for entry in entries:
        element = add(feed, "entry")
        add(element, "title", entry.title)
        add(element, "id", entry.id)
        add(element, "link", href=entry.link, rel="alternate", type="text/html")
        add(element, "published", _stamp(entry.published))
        add(element, "updated", _stamp(entry.published))
        add(add(element, "author"), "name", entry.author)
        add(element, "summary", entry.summary)
        add(element, "content", safe_html(entry.content_html), type="html")
    document: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
