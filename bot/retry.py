"""The single retry layer: rate limits waited out within a bound, transient faults retried with backoff.

Network clients underneath are told never to retry or sleep on their own (Mastodon.py runs with
``ratelimit_method="throw"``), so there is exactly one policy, here, with an injectable clock and
sleep so that tests never wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import TypeVar

from bot.errors import MalformedResponseError, RateLimitedError, SourceError

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_BACKOFF_SECONDS = 120.0


class FailureKind(Enum):
    RATE_LIMITED = "rate limited"
    TRANSIENT = "transient"
    MALFORMED = "malformed response"
    FATAL = "fatal"


@dataclass(frozen=True, slots=True)
class Failure:
    """What a client error means for retrying. ``retry_at`` is an epoch time, for rate limits."""

    kind: FailureKind
    message: str
    retry_at: float | None = None


@dataclass(slots=True)
class RetryPolicy:
    """How many times and how long to retry one call."""

    max_retries: int = 4
    backoff_seconds: float = 2.0
    max_rate_limit_wait: float = 300.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.time, repr=False)
    # Retries made so far through this policy, for the health figures (``exemplar status``).
    retries: int = field(default=0, compare=False)

    def call(self, operation: Callable[[], T], classify: Callable[[Exception], Failure], what: str) -> T:
        """Run ``operation``, retrying what ``classify`` says is worth retrying.

        Raises :class:`RateLimitedError` when the wait asked for exceeds ``max_rate_limit_wait``,
        :class:`MalformedResponseError` or :class:`SourceError` when retries are used up, saying
        what was tried.
        """
        attempt = 0
        while True:
            try:
                return operation()
            except Exception as error:  # classified just below; anything unknown is FATAL
                failure = classify(error)
            if failure.kind is FailureKind.FATAL:
                raise SourceError(f"{what}: {failure.message}")
            if attempt >= self.max_retries:
                raise self._exhausted(failure, what, attempt + 1)
            delay = self._delay(failure, attempt, what)
            attempt += 1
            self.retries += 1
            log.warning(
                "%s: %s; retry %d of %d in %.1f s", what, failure.message, attempt, self.max_retries, delay
            )
            self.sleep(delay)

    def _delay(self, failure: Failure, attempt: int, what: str) -> float:
        backoff: float = min(self.backoff_seconds * 2.0**attempt, MAX_BACKOFF_SECONDS)
        if failure.kind is not FailureKind.RATE_LIMITED or failure.retry_at is None:
            return backoff
        wait = max(0.0, float(failure.retry_at - self.clock()))
        if wait > self.max_rate_limit_wait:
            until = datetime.fromtimestamp(failure.retry_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            raise RateLimitedError(
                f"{what}: rate limited until {until}, longer than max_rate_limit_wait "
                f"({self.max_rate_limit_wait:g} s); the next run resumes where this one stopped"
            )
        return max(wait, 0.5)

    @staticmethod
    def _exhausted(failure: Failure, what: str, attempts: int) -> SourceError:
        message = f"{what}: {failure.message} (gave up after {attempts} attempts)"
        if failure.kind is FailureKind.MALFORMED:
            return MalformedResponseError(message)
        if failure.kind is FailureKind.RATE_LIMITED:
            return RateLimitedError(message)
        return SourceError(message)


class CountedCalls:
    """Calls to one service through one retry policy, every attempt counted as a request (counted when
    sent, so a request that never answers counts too). A client keeps one and calls through it, e.g.
    ``self._calls(lambda: api.search(tag), f"{name} #{tag}")``; ``made`` is its request count.
    """

    def __init__(self, policy: RetryPolicy, classify: Callable[[Exception], Failure]) -> None:
        self.policy = policy
        self.classify = classify
        self.made = 0

    def __call__(
        self, operation: Callable[[], T], what: str, classify: Callable[[Exception], Failure] | None = None
    ) -> T:
        """Run ``operation`` under the policy; ``classify`` (default: the service's) reads its errors."""

        def attempt() -> T:
            self.made += 1
            return operation()

        return self.policy.call(attempt, classify or self.classify, what)
