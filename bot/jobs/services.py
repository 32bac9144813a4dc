"""The digest service and the publisher, wired from an opened app: what the ``digest`` commands and
the scheduler's draft and publish jobs both run."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from bot.errors import SourceError
from bot.jobs.digest import DigestService
from bot.networks.mastodon.client import MastodonClient
from bot.networks.mastodon.home import HomeInstances
from bot.retry import RetryPolicy
from bot.runtime import App, utc_now

if TYPE_CHECKING:
    from bot.jobs.publish import Publisher


def service_for(app: App, actor: str | None, *, with_home: bool = False) -> DigestService:
    home = None
    if with_home and app.settings.digest.refresh_budget:
        home = HomeInstances(
            known=_known_domains(app),
            policy=RetryPolicy(max_retries=0),
            request_timeout=app.settings.collect.request_timeout,
            budget=app.settings.digest.refresh_budget,
        )
    return DigestService(
        engine=app.engine,
        settings=app.settings,
        store=app.store,
        clock=utc_now,
        actor=actor or getpass.getuser(),
        home=home,
    )


def publisher_for(app: App, actor: str | None) -> Publisher:
    """A publisher: consent re-checked at each item's home, emails through the configured transport."""
    from bot.jobs.publish import Publisher, email_transport

    service = service_for(app, actor)
    home = HomeInstances(
        known=_known_domains(app),
        policy=RetryPolicy(max_retries=1, backoff_seconds=1),
        request_timeout=app.settings.collect.request_timeout,
        budget=10_000,
    )
    return Publisher(service=service, home=home, transport=email_transport(app.settings.email), clock=utc_now)


def _known_domains(app: App) -> dict[str, str]:
    """Each configured instance's own domain → the address we reach it at."""
    known: dict[str, str] = {}
    for source in app.settings.mastodon:
        client = MastodonClient(source, RetryPolicy(max_retries=0), app.settings.collect.request_timeout)
        try:
            domain = client.instance_domain()
        except SourceError:
            continue
        if domain:
            known[domain] = source.base_url
    return known
