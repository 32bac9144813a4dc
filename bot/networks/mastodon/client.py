"""A thin Mastodon API client: our retry policy around each call; the hashtag timeline read as plain
JSON with httpx (:mod:`bot.networks.mastodon.json_api`), the other calls through Mastodon.py, which
is loaded only when one of them is made.

Every response comes back as plain JSON-compatible data (``dict``/``list``/``str``...), which is what
normalisers read and what storage keeps as the raw payload.
"""

from __future__ import annotations

import logging
import sys
import weakref
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from bot import __version__
from bot.config import CollectSettings, MastodonPublisher, MastodonSource
from bot.errors import MalformedResponseError
from bot.networks.mastodon.json_api import NOT_FOUND, UNAUTHORIZED, ApiFailureError, JsonApi
from bot.retry import CountedCalls, Failure, FailureKind, RetryPolicy

log = logging.getLogger(__name__)


USER_AGENT = f"Exemplar/{__version__} (hashtag curation bot; +https://pypi.org/project/exemplar/)"
BATCH_STATUS_LIMIT = 20


def _mastodon_py(
    source: MastodonSource, request_timeout: float
) -> Any:  # a Mastodon.py client, imported here so that collecting never loads it
    from mastodon import Mastodon

    class _Mastodon(Mastodon):
        """Mastodon.py without its probe of ``/api/v2/instance`` before the first timeline call.

        The probe costs a request per run on every instance, and the call itself says the same thing
        (401/422 when the instance requires login), which :func:`classify_mastodon_error` turns into
        a clear message.
        """

        def timeline_is_available(self, *_args: Any, **_kwargs: Any) -> bool:
            return True

    return _Mastodon(
        api_base_url=source.base_url,
        access_token=source.access_token.reveal() if source.access_token else None,
        ratelimit_method="throw",
        request_timeout=request_timeout,
        version_check_mode="none",
        user_agent=USER_AGENT,
    )


class MastodonClient:
    """The calls Exemplar makes to one instance, each counted and retried by one policy."""

    def __init__(self, source: MastodonSource, policy: RetryPolicy, request_timeout: float) -> None:
        self.source = source
        self.policy = policy
        self.request_timeout = request_timeout
        self._mastodon: Any = None  # Mastodon.py, made on the first call that needs it
        self._json: JsonApi | None = None
        self._calls = CountedCalls(policy, lambda error: classify_mastodon_error(error, self._mastodon))
        self._batch_supported = True

    @property
    def _api(self) -> Any:
        if self._mastodon is None:
            self._mastodon = _mastodon_py(self.source, self.request_timeout)
        return self._mastodon

    @property
    def _json_api(self) -> JsonApi:
        if self._json is None:
            token = self.source.access_token.reveal() if self.source.access_token else None
            self._json = JsonApi(
                self.source.base_url,
                access_token=token,
                user_agent=USER_AGENT,
                timeout=self.request_timeout,
                clock=self.policy.clock,
            )
            # Its connections close with the client: sources are not closed explicitly.
            weakref.finalize(self, self._json.close)
        return self._json

    def tag_page(
        self, tag: str, *, limit: int, min_id: str | None = None, max_id: str | None = None
    ) -> list[dict[str, Any]]:
        """One page of the public hashtag timeline, newest first, as the JSON the server sent."""
        params: dict[str, str | int | list[str]] = {"limit": limit}
        if min_id is not None:
            params["min_id"] = min_id
        if max_id is not None:
            params["max_id"] = max_id
        path = f"/api/v1/timelines/tag/{quote(tag.lstrip('#'), safe='')}"
        return self._calls(
            lambda: _as_json_status_list(self._json_api.get(path, params)), f"{self.source.name} #{tag}"
        )

    def statuses(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The statuses behind ``ids`` that still exist and are visible.

        Uses ``GET /api/v1/statuses?id[]=`` (Mastodon 4.3+) in batches of 20, falling back to one
        request per status on servers without it.
        """
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), BATCH_STATUS_LIMIT):
            chunk = list(ids[start : start + BATCH_STATUS_LIMIT])
            batch = self._batch(chunk) if self._batch_supported else None
            if batch is not None:
                found.extend(batch)
                continue
            for status_id in chunk:
                status = self.status(status_id)
                if status is not None:
                    found.append(status)
        return found

    def _batch(self, ids: list[str]) -> list[dict[str, Any]] | None:
        def fetch() -> list[dict[str, Any]] | None:
            api = self._api  # loads Mastodon.py, whose errors are caught here
            from mastodon.errors import MastodonNotFoundError

            try:
                return _as_status_list(api.statuses(ids))
            except MastodonNotFoundError:
                return None

        batch = self._calls(fetch, f"{self.source.name} statuses")
        if batch is None:
            log.info("%s has no batch status endpoint; reading statuses one by one", self.source.name)
            self._batch_supported = False
        return batch

    def status(self, status_id: str) -> dict[str, Any] | None:
        """One status, or ``None`` when the instance says it no longer exists (404/410)."""

        def fetch() -> dict[str, Any] | None:
            api = self._api  # loads Mastodon.py, whose errors are caught here
            from mastodon.errors import MastodonAPIError, MastodonNotFoundError

            try:
                status = api.status(status_id)
            except MastodonNotFoundError:
                return None
            except MastodonAPIError as error:
                if _status_code(error) == 410:
                    return None
                raise
            if not isinstance(status, Mapping):
                raise MalformedResponseError(f"expected a status, got {type(status).__name__}")
            plain: dict[str, Any] = to_plain(status)
            return plain

        return self._calls(fetch, f"{self.source.name} status {status_id}")

    def replies(self, status_id: str) -> list[dict[str, Any]]:
        """Direct replies to a status, from its thread (``GET /api/v1/statuses/:id/context``)."""

        def fetch() -> list[dict[str, Any]]:
            context = self._api.status_context(status_id)
            descendants = context.get("descendants") if isinstance(context, Mapping) else None
            if not isinstance(descendants, list):
                raise MalformedResponseError("expected a thread context with descendants")
            return _as_status_list(descendants)

        thread = self._calls(fetch, f"{self.source.name} thread {status_id}")
        return [s for s in thread if isinstance(s, Mapping) and str(s.get("in_reply_to_id")) == status_id]

    def instance_domain(self) -> str | None:
        """The domain the instance calls itself (its posts' URLs use it), if it says."""
        info = self._calls(self._api.instance_v2, f"{self.source.name} instance")
        domain = info.get("domain") if isinstance(info, Mapping) else None
        return str(domain) if domain else None

    def post_status(
        self,
        text: str,
        *,
        in_reply_to_id: str | None,
        visibility: str,
        spoiler_text: str,
        idempotency_key: str,
    ) -> dict[str, Any]:
        """Post a status. Retrying is safe: the server returns the same status for the same key."""

        def post() -> dict[str, Any]:
            status = self._api.status_post(
                text,
                in_reply_to_id=in_reply_to_id,
                visibility=visibility,
                spoiler_text=spoiler_text or None,
                idempotency_key=idempotency_key,
            )
            if not isinstance(status, Mapping) or not status.get("id"):
                raise MalformedResponseError("posting answered without a status id")
            plain: dict[str, Any] = to_plain(status)
            return plain

        return self._calls(post, f"{self.source.name} post")

    def own_account(self) -> dict[str, Any]:
        """The account the access token belongs to."""
        account = self._calls(self._api.account_verify_credentials, f"{self.source.name} account")
        if not isinstance(account, Mapping):
            raise MalformedResponseError("expected an account")
        plain: dict[str, Any] = to_plain(account)
        return plain

    def own_statuses(self, account_id: str, limit: int = 40) -> list[dict[str, Any]]:
        """The account's newest statuses, replies included."""

        def fetch() -> list[dict[str, Any]]:
            return _as_status_list(self._api.account_statuses(account_id, limit=limit))

        return self._calls(fetch, f"{self.source.name} own statuses")

    def character_limit(self) -> int | None:
        """The instance's maximum status length, if it says."""
        info = self._calls(self._api.instance_v2, f"{self.source.name} instance")
        try:
            return int(info["configuration"]["statuses"]["max_characters"])
        except (KeyError, TypeError, ValueError):
            return None

    def mentions(self, since_id: str | None) -> list[dict[str, Any]]:
        """Mention notifications (replies and direct messages to the account), oldest first."""
        found: list[dict[str, Any]] = []
        min_id = since_id
        while True:

            def fetch(after: str | None = min_id) -> list[dict[str, Any]]:
                params: dict[str, str | int | list[str]] = {"types[]": ["mention"], "limit": 40}
                if after is not None:
                    params["min_id"] = after
                return _as_json_status_list(self._json_api.get("/api/v1/notifications", params))

            page = self._calls(fetch, f"{self.source.name} notifications")
            if not page:
                return found
            page.sort(key=lambda n: (len(str(n.get("id"))), str(n.get("id"))))
            found.extend(page)
            min_id = str(page[-1].get("id"))
            if len(page) < 40:
                return found

    @property
    def requests_made(self) -> int:
        return self._calls.made


def classify_mastodon_error(error: Exception, api: Any) -> Failure:
    """What an exception of a call (ours, or Mastodon.py's) means for the retry policy."""
    if isinstance(error, ApiFailureError):
        return error.failure
    if isinstance(error, MalformedResponseError):
        return Failure(FailureKind.MALFORMED, str(error))
    if "mastodon" not in sys.modules:  # Mastodon.py never ran, so this is none of its errors
        return Failure(FailureKind.FATAL, f"{type(error).__name__}: {error}")
    from mastodon.errors import (
        MastodonAPIError,
        MastodonNetworkError,
        MastodonNotFoundError,
        MastodonRatelimitError,
        MastodonServerError,
        MastodonUnauthorizedError,
    )

    if isinstance(error, MastodonRatelimitError):
        reset = getattr(api, "ratelimit_reset", None)
        return Failure(FailureKind.RATE_LIMITED, "rate limited (429)", float(reset) if reset else None)
    if isinstance(error, MastodonNetworkError):
        return Failure(FailureKind.TRANSIENT, f"network error ({_first_line(error)})")
    if isinstance(error, MastodonServerError):
        return Failure(FailureKind.TRANSIENT, f"server error {_status_code(error) or ''}".strip())
    if isinstance(error, MastodonUnauthorizedError):
        return Failure(FailureKind.FATAL, UNAUTHORIZED)
    if isinstance(error, MastodonNotFoundError):
        return Failure(FailureKind.FATAL, NOT_FOUND)
    if isinstance(error, MastodonAPIError):
        code = _status_code(error)
        if code is None and "Could not parse response as JSON" in str(error):
            return Failure(FailureKind.MALFORMED, "the response was not valid JSON")
        if code == 429:
            return Failure(FailureKind.RATE_LIMITED, "rate limited (429)")
        return Failure(FailureKind.FATAL, f"API error {code or ''}: {_first_line(error)}")
    return Failure(FailureKind.FATAL, f"{type(error).__name__}: {error}")


def _status_code(error: Exception) -> int | None:
    for arg in error.args:
        if isinstance(arg, int) and 100 <= arg <= 599:
            return arg
    return None


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


def _as_status_list(page: Any) -> list[dict[str, Any]]:
    if not isinstance(page, list):
        raise MalformedResponseError(f"expected a list of statuses, got {type(page).__name__}")
    return [to_plain(item) if isinstance(item, Mapping) else item for item in page]


def _as_json_status_list(page: Any) -> list[dict[str, Any]]:
    if not isinstance(page, list):
        raise MalformedResponseError(f"expected a list of statuses, got {type(page).__name__}")
    return page


def to_plain(value: Any) -> Any:
    """Mastodon.py's typed result as plain JSON data (datetimes as ISO 8601 strings)."""
    if isinstance(value, Mapping):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, str):
        return str(value)
    return value


def publishing_client(publisher: MastodonPublisher, settings: CollectSettings) -> MastodonClient:
    """A client for the bot account that publishes digests, with the configured retry policy."""
    source = MastodonSource(
        base_url=publisher.base_url, hashtags=(), access_token=publisher.access_token, name=publisher.base_url
    )
    policy = RetryPolicy(
        max_retries=settings.max_retries,
        backoff_seconds=settings.backoff_seconds,
        max_rate_limit_wait=settings.max_rate_limit_wait,
    )
    return MastodonClient(source, policy, settings.request_timeout)
