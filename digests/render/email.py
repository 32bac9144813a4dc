"""A digest as an email: multipart/alternative (plain text and HTML), CSS inlined, no external assets.

The HTML is a single fluid column (at most 600 px wide, readable at a phone's 360 px), built from a
Jinja2 template with autoescaping; post bodies go through :func:`safe_html`, so a post's ``<script>``,
``onerror=`` or ``javascript:`` link arrives inert. ``List-Unsubscribe`` and
``List-Unsubscribe-Post`` (RFC 8058 one-click) point at a link that works.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from typing import Any

import css_inline
import jinja2
from markupsafe import Markup

from digests.model import SECTION_TITLES, SECTIONS, Digest
from digests.render.sanitize import no_mentions, safe_html, safe_url
from digests.render.text import render_text


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("digests.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_email(
    digest: Digest,
    *,
    sender: str,
    recipient: str,
    unsubscribe_url: str,
    unsubscribe_mailto: str | None = None,
    archive_url: str | None = None,
    feed_url: str | None = None,
    list_id: str | None = None,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """The digest email for one recipient (the unsubscribe link is theirs), dated ``sent_at``.

    Its ``Message-ID`` depends only on the digest and the recipient, so a copy resent after an
    unconfirmed delivery is recognised by mail clients as the same message.
    """
    message = EmailMessage()
    message["Subject"] = no_mentions(digest.heading)
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(sent_at or digest.period_end)
    domain = sender.rsplit("@", 1)[-1].rstrip(">").strip().lower() or "exemplar.invalid"
    seed = hashlib.sha256(f"{digest.id}:{recipient.strip().lower()}".encode()).hexdigest()[:20]
    message["Message-ID"] = f"<digest-{digest.id}.{seed}@{domain}>"
    targets = [f"<{unsubscribe_url}>"] + ([f"<{unsubscribe_mailto}>"] if unsubscribe_mailto else [])
    message["List-Unsubscribe"] = ", ".join(targets)
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Id"] = (
        list_id or f"#{digest.hashtag} digest <{_list_label(digest.hashtag)}.digest.{domain}>"
    )
    if archive_url:
        message["List-Archive"] = f"<{archive_url}>"
    message.set_content(
        render_plain(
            digest,
            recipient=recipient,
            unsubscribe_url=unsubscribe_url,
            archive_url=archive_url,
            feed_url=feed_url,
        )
    )
    message.add_alternative(
        render_html(digest, unsubscribe_url=unsubscribe_url, archive_url=archive_url, feed_url=feed_url),
        subtype="html",
    )
    return message


def _list_label(hashtag: str) -> str:
    """The hashtag as a List-Id label, which must be ASCII (``#éducation`` gets a stable stand-in)."""
    label = hashtag.lower()
    if label.isascii() and label.replace("_", "").isalnum():
        return label
    return "tag-" + hashlib.sha256(label.encode()).hexdigest()[:12]


def render_plain(
    digest: Digest,
    *,
    recipient: str,
    unsubscribe_url: str,
    archive_url: str | None = None,
    feed_url: str | None = None,
) -> str:
    """The plain-text part: the digest, then why it came and how to stop it."""
    footer = ["-- ", f"You receive this because {recipient} is on the #{digest.hashtag} digest list."]
    if feed_url:
        footer.append(f"Follow the digests in a feed reader: {feed_url}")
    footer.append(f"Unsubscribe: {unsubscribe_url}")
    return render_text(digest, archive_url=archive_url) + "\n" + "\n".join(footer) + "\n"


def render_html(
    digest: Digest, *, unsubscribe_url: str, archive_url: str | None = None, feed_url: str | None = None
) -> str:
    """The HTML part, CSS inlined into ``style`` attributes (email clients drop ``<style>``)."""
    html = (
        _environment()
        .get_template("email.html.j2")
        .render(
            **_context(digest, unsubscribe_url, archive_url),
            feed_url=safe_url(feed_url) if feed_url else None,
        )
    )
    return css_inline.inline(html, keep_style_tags=False, load_remote_stylesheets=False)


def _context(digest: Digest, unsubscribe_url: str, archive_url: str | None) -> dict[str, Any]:
    sections = []
    for section in SECTIONS:
        items = digest.section(section)
        if not items:
            continue
        sections.append(
            {
                "title": SECTION_TITLES[section],
                "entries": [
                    {
                        "author_name": no_mentions(item.author_name) or "Someone",
                        "author_url": safe_url(item.author_url),
                        "url": safe_url(item.url),
                        "blurb": no_mentions(item.blurb),
                        "spoiler_text": no_mentions(item.spoiler_text),
                        "html": Markup(safe_html(item.html)),  # sanitised by nh3 just here
                        "tools": ", ".join(item.tool_names) if section == "tool" else "",
                        "answers": [
                            {"name": no_mentions(answer.name), "url": url}
                            for answer in item.answers
                            if (url := safe_url(answer.url))
                        ],
                    }
                    for item in items
                ],
            }
        )
    return {
        "heading": no_mentions(digest.heading),
        "intro": no_mentions(digest.intro.strip()),
        "sections": sections,
        "hashtag": digest.hashtag,
        "archive_url": safe_url(archive_url) if archive_url else None,
        "unsubscribe_url": safe_url(unsubscribe_url) or "",
    }


def render_confirmation(
    *,
    sender: str,
    recipient: str,
    confirm_url: str,
    hashtag: str,
    hours: float,
    archive_url: str | None = None,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """The email that asks someone to confirm they want the digest (double opt-in). Plain text only:
    one link, nothing to render."""
    message = EmailMessage()
    message["Subject"] = f"Confirm: the weekly #{hashtag} digest"
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(sent_at) if sent_at else format_datetime(datetime.now().astimezone())
    domain = sender.rsplit("@", 1)[-1].rstrip(">").strip().lower() or "exemplar.invalid"
    seed = hashlib.sha256(f"confirm:{recipient}:{confirm_url}".encode()).hexdigest()[:20]
    message["Message-ID"] = f"<confirm.{seed}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    lifetime = f"{hours:g} hours" if hours != 1 else "1 hour"
    lines = [
        f"Someone, probably you, asked to receive the weekly #{hashtag} digest at {recipient}.",
        "",
        "To confirm, open this link and press the button:",
        "",
        confirm_url,
        "",
        f"The link works for {lifetime}. If you did not ask, ignore this email: nothing will be sent.",
    ]
    if archive_url:
        lines += ["", f"The digests so far: {archive_url}"]
    message.set_content("\n".join(lines) + "\n")
    return message
