"""A digest as plain text: for the terminal, and the text part of the email."""

from __future__ import annotations

import textwrap

from digests.model import SECTION_TITLES, SECTIONS, Digest, DigestItem
from digests.render.sanitize import no_mentions, safe_url

WIDTH = 72


def render_text(digest: Digest, *, archive_url: str | None = None) -> str:
    """The whole digest as readable plain text. Post content appears as the plain text it is."""
    heading = no_mentions(digest.heading)
    lines = [heading, "=" * len(heading), ""]
    if digest.intro.strip():
        lines += [*_wrap(no_mentions(digest.intro)), ""]
    for section in SECTIONS:
        items = digest.section(section)
        if not items:
            continue
        title = SECTION_TITLES[section]
        lines += [title, "-" * len(title), ""]
        for number, item in enumerate(items, start=1):
            lines += _item(number, item)
            lines.append("")
    if not digest.items:
        lines += ["No exemplars this time.", ""]
    link = safe_url(archive_url) if archive_url else None
    if link:
        lines += [f"Read it on the web: {link}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _item(number: int, item: DigestItem) -> list[str]:
    who = no_mentions(" ".join(item.author_name.split()) or "Someone")
    lines = [f"{number}. {who}: {safe_url(item.url) or ''}"]
    if item.blurb.strip():
        lines += _wrap(no_mentions(item.blurb), indent="   ")
    if item.spoiler_text.strip():
        lines.append(f"   Content warning: {no_mentions(item.spoiler_text.strip())}")
    excerpt = textwrap.shorten(" ".join(item.text.split()), width=280, placeholder=" …")
    if excerpt:
        lines += _wrap(f"“{no_mentions(excerpt)}”", indent="   ")
    if item.section == "tool" and item.tool_names:
        lines.append("   Made with: " + ", ".join(no_mentions(name) for name in item.tool_names))
    for answer in item.answers:
        url = safe_url(answer.url)
        if url:
            lines.append(f"   Answered by {no_mentions(answer.name)}: {url}")
    return lines


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width=WIDTH, initial_indent=indent, subsequent_indent=indent)
