"""Digest threads on Bluesky: posts with link and hashtag facets, replying with root and parent refs.

Each part's record key (a TID) is chosen when the thread is planned and stored with it, so a part is
posted at a known address: before posting a part again after an interruption, or retrying after a
failure, the record at that key is looked up, and a part already there is never posted twice.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import httpx
import regex
from atproto import Client, client_utils, models
from atproto_client import exceptions as at
from atproto_client.request import Request

from bot.config import BlueskyPublisher
from bot.errors import ExemplarError
from bot.networks.bluesky.client import classify_bluesky_error
from bot.retry import Failure, FailureKind, RetryPolicy
from digests.publish.thread import PlannedPart, PostedPart
from digests.render.measure import URL, link_display

T = TypeVar("T")

POST_COLLECTION = "app.bsky.feed.post"
BSKY_WEB = "https://bsky.app"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# A hashtag as Bluesky's clients detect it: after a space or at the start, not all digits, 64 at most.
_HASHTAG = regex.compile(r"(?<!\S)#(?!\d+\b)(\w{1,64})\b")


def tid(microseconds: int, clock_id: int) -> str:
    """An atproto timestamp identifier (the record key of a post).

    >>> tid(1732880000000000, 7)
    '3lc4oyv6qgs27'
    """
    value = ((microseconds & ((1 << 53) - 1)) << 10) | (clock_id & 1023)
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def rich_text(text: str) -> client_utils.TextBuilder:
    """``text`` with its links shown short (the full address in a link facet) and its hashtags faceted."""
    builder = client_utils.TextBuilder()
    tokens = sorted(
        [(m.start(), m.end(), "link", m.group(0)) for m in URL.finditer(text)]
        + [(m.start(), m.end(), "tag", m.group(1)) for m in _HASHTAG.finditer(text)]
    )
    position = 0
    for start, end, kind, value in tokens:
        if start < position:
            continue  # a "#fragment" inside a link is part of the link
        if start > position:
            builder.text(text[position:start])
        if kind == "link":
            builder.link(link_display(value), value)
        else:
            builder.tag(f"#{value}", value)
        position = end
    if position < len(text):
        builder.text(text[position:])
    return builder


@dataclass(slots=True)
class BlueskyThreadPoster:
    """Posts parts as the configured account."""

    publisher: BlueskyPublisher
    policy: RetryPolicy
    request_timeout: float
    transport: httpx.BaseTransport | None = None
    channel: str = "bluesky"
    now_microseconds: Callable[[], int] = field(default=lambda: time.time_ns() // 1000)
    requests_made: int = 0
    _client: Client = field(init=False, repr=False)
    _did_value: str | None = field(default=None, repr=False)
    _clock_id: int = field(default_factory=lambda: secrets.randbelow(1024), repr=False)

    def __post_init__(self) -> None:
        options: dict[str, Any] = {"timeout": self.request_timeout}
        if self.transport is not None:
            options["transport"] = self.transport
        self._client = Client(base_url=self.publisher.base_url, request=Request(**options))
        self._client.on_session_change(self._remember_account)

    def _remember_account(self, event: Any, session: Any) -> None:
        self._did_value = str(session.did)

    def part_key(self, digest_id: int, number: int) -> str:
        # Consecutive microseconds keep the parts in order and their keys distinct.
        return tid(self.now_microseconds() + number, self._clock_id)

    def post(self, part: PlannedPart, *, root: PostedPart | None, parent: PostedPart | None) -> PostedPart:
        did = self._did()
        builder = rich_text(part.text)
        record = models.AppBskyFeedPost.Record(
            created_at=self._client.get_current_time_iso(),
            text=builder.build_text(),
            facets=builder.build_facets() or None,
            reply=_reply_ref(root, parent),
            langs=["en"],
        )
        attempts = 0

        def create() -> PostedPart:
            nonlocal attempts
            attempts += 1
            if attempts > 1 and (existing := self._record(did, part.key)) is not None:
                return existing  # the failed attempt went through after all
            created = self._client.app.bsky.feed.post.create(did, record, rkey=part.key)
            return self._posted(created.uri, created.cid)

        return self._call(create, f"Bluesky thread part {part.number}")

    def find(
        self, part: PlannedPart, *, root: PostedPart | None, parent: PostedPart | None, since: datetime
    ) -> PostedPart | None:
        did = self._did()
        return self._call(lambda: self._record(did, part.key), f"Bluesky thread part {part.number} lookup")

    def _record(self, did: str, rkey: str) -> PostedPart | None:
        try:
            found = self._client.app.bsky.feed.post.get(did, rkey)
        except at.BadRequestError as error:
            if _error_name(error) == "RecordNotFound":
                return None
            raise
        return self._posted(found.uri, found.cid)

    def _posted(self, uri: str, cid: str) -> PostedPart:
        rkey = uri.rsplit("/", 1)[-1]
        return PostedPart(uri, f"{BSKY_WEB}/profile/{self.publisher.handle}/post/{rkey}", cid)

    def _did(self) -> str:
        """The posting account's DID, logging in first (the PDS's session says it; no profile lookup)."""
        if self._did_value is None:
            self._call(
                lambda: self._client.login(
                    self.publisher.handle, self.publisher.app_password.reveal(), fetch_bsky_profile=False
                ),
                "Bluesky login",
            )
        if self._did_value is None:
            raise ExemplarError("Bluesky accepted the login but did not say which account it is")
        return self._did_value

    def _call(self, operation: Callable[[], T], what: str) -> T:
        def attempt() -> T:
            self.requests_made += 1
            return operation()

        return self.policy.call(attempt, _classify, what)


def _reply_ref(root: PostedPart | None, parent: PostedPart | None) -> models.AppBskyFeedPost.ReplyRef | None:
    if root is None or parent is None:
        return None
    return models.AppBskyFeedPost.ReplyRef(
        root=models.ComAtprotoRepoStrongRef.Main(uri=root.remote_id, cid=root.cid or ""),
        parent=models.ComAtprotoRepoStrongRef.Main(uri=parent.remote_id, cid=parent.cid or ""),
    )


def _error_name(error: at.RequestErrorBase) -> str:
    content = getattr(error.response, "content", None)
    return str(getattr(content, "error", "") or "")


def _classify(error: Exception) -> Failure:
    if isinstance(error, at.UnauthorizedError):
        return Failure(
            FailureKind.FATAL,
            "Bluesky refused the login: check publish.bluesky.handle and the app password in the variable "
            "named by publish.bluesky.app_password_env (an app password, from Settings → App passwords)",
        )
    return classify_bluesky_error(error)
