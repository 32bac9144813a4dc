"""Digest threads on Mastodon, as the bot account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.errors import ExemplarError
from bot.html_text import html_to_text
from bot.networks.mastodon.client import MastodonClient
from bot.networks.mastodon.normalise import parse_timestamp
from digests.publish.thread import PlannedPart, PostedPart, looks_like_part

# Our clock and the server's may disagree: posts this much older than the attempt still count.
CLOCK_SLACK = timedelta(minutes=10)


@dataclass(slots=True)
class MastodonThreadPoster:
    """Posts parts with an ``Idempotency-Key`` each; a retry within the server's hour returns the same
    status, and later a part is recognised among the account's own newest statuses."""

    client: MastodonClient
    visibility: str
    channel: str = "mastodon"
    _account: dict[str, Any] | None = field(default=None, repr=False)

    def part_key(self, digest_id: int, number: int) -> str:
        return f"exemplar-{digest_id}-{self.channel}-{number}"

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
            visibility=self.visibility,
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
