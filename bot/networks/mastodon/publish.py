"""Digest threads on Mastodon, as the bot account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.errors import ExemplarError
from bot.html_text import html_to_text
from bot.networks.mastodon.client import MastodonClient, publishing_client
from bot.networks.payload import parse_timestamp
from bot.networks.publishing import CLOCK_SLACK, Channel, Publishing, part_key
from digests.publish.thread import PlannedPart, PostedPart, looks_like_part
from digests.render.measure import TextMeasure, mastodon_measure

DEFAULT_CHAR_LIMIT = 500


def preview_measure(settings: Settings) -> TextMeasure:
    """How a thread is cut for a preview: the configured character limit, or Mastodon's default."""
    publisher = settings.publish_mastodon
    return mastodon_measure((publisher.char_limit if publisher else None) or DEFAULT_CHAR_LIMIT)


def channel(context: Publishing) -> Channel | None:
    """Threads as the ``[publish.mastodon]`` bot account, measured by its instance's character limit."""
    publisher = context.settings.publish_mastodon
    if publisher is None:
        return None
    client = publishing_client(publisher, context.settings.collect)
    limit = (
        publisher.char_limit or (None if context.dry_run else client.character_limit()) or DEFAULT_CHAR_LIMIT
    )
    poster = MastodonThreadPoster(client, publisher.visibility, publisher.reply_visibility)
    return Channel(mastodon_measure(limit), poster, poster.check_account)


@dataclass(slots=True)
class MastodonThreadPoster:
    """Posts parts with an ``Idempotency-Key`` each; a retry within the server's hour returns the same
    status, and later a part is recognised among the account's own newest statuses."""

    client: MastodonClient
    # The first part's visibility (public: it shows in the hashtag's timeline) and the replies'.
    visibility: str
    reply_visibility: str = "unlisted"
    channel: str = "mastodon"
    _account: dict[str, Any] | None = field(default=None, repr=False)

    def part_key(self, digest_id: int, number: int) -> str:
        return part_key(digest_id, self.channel, number)

    def check_account(self) -> None:
        """Refuses to post as an account not marked as a bot (Mastodon's rule for automated posting)."""
        account = self._own_account()
        if not account.get("bot"):
            raise ExemplarError(
                f"the publishing account @{account.get('acct')} is not marked as a bot; tick "
                "'This is an automated account' in its profile settings before publishing"
            )

    def post(self, part: PlannedPart, *, root: PostedPart | None, parent: PostedPart | None) -> PostedPart:
        status = self.client.post_status(
            part.text,
            in_reply_to_id=parent.remote_id if parent else None,
            visibility=self.reply_visibility if parent else self.visibility,
            spoiler_text=part.spoiler_text,
            idempotency_key=part.key,
        )
        return _posted(status)

    def find(
        self, part: PlannedPart, *, root: PostedPart | None, parent: PostedPart | None, since: datetime
    ) -> PostedPart | None:
        for status in self.client.own_statuses(str(self._own_account()["id"])):
            created = parse_timestamp(status.get("created_at"))
            if created is not None and created < since - CLOCK_SLACK:
                continue
            replies_to = status.get("in_reply_to_id")
            text = html_to_text(str(status.get("content") or ""))
            if looks_like_part(part, text, replies_to=str(replies_to) if replies_to else None, parent=parent):
                return _posted(status)
        return None

    def _own_account(self) -> dict[str, Any]:
        if self._account is None:
            self._account = self.client.own_account()
        return self._account


def _posted(status: dict[str, Any]) -> PostedPart:
    return PostedPart(str(status["id"]), status.get("url") or status.get("uri"))
