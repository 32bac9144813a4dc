"""Previewing a digest email as a leader would receive it (``exemplar digest show --format email``)."""

from __future__ import annotations

from bot.public_urls import PublicUrls, public_base
from bot.runtime import App
from bot.unsubscribe_links import unsubscribe_url
from digests.model import Digest
from digests.render.email import render_email
from storage import subscriptions
from storage.app_state import signing_key
from storage.db import session_scope

PREVIEW_HEADERS = ("Subject", "From", "To", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post")


def preview_email(app: App, view: Digest) -> str:
    """The email's headers and plain-text part, and the size of its HTML part."""
    email = app.settings.email
    sender = email.sender if email else "digest@example.org"
    recipient = email.recipients[0] if email and email.recipients else "leader@example.org"
    public_url = public_base(app.settings)
    urls = PublicUrls(public_url)
    with session_scope(app.engine) as session:
        subscribed = subscriptions.find(session, recipient)
        # The recipient's own short link once the list knows them (a preview writes nothing).
        link = (
            urls.unsubscribe(subscribed.unsubscribe_token)
            if subscribed is not None
            else unsubscribe_url(public_url, signing_key(session), recipient)
        )
    message = render_email(
        view,
        sender=sender,
        recipient=recipient,
        unsubscribe_url=link,
        archive_url=urls.digest(view.id),
        feed_url=urls.feed,
    )
    headers = [f"{name}: {message[name]}" for name in PREVIEW_HEADERS if message[name]]
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    html_size = len(html_part.get_content()) if html_part is not None else 0
    return "\n".join(
        [*headers, "", str(text).rstrip(), "", f"[HTML part: {html_size} characters, CSS inlined]"]
    )
