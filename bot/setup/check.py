"""``exemplar check``: is this installation able to do its job? One line per check; nothing is posted
and no email is sent.

Each check returns :class:`Check` results and never raises: a failure is a line that says what is
wrong and what to do, so one broken part never hides the state of the others.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
from sqlalchemy.exc import SQLAlchemyError

from bot.config import EmailConfig, Settings, find_config, load_settings
from bot.errors import ExemplarError
from bot.networks.bluesky.client import BlueskyClient
from bot.networks.mastodon.client import MastodonClient
from bot.networks.x.client import XClient
from bot.retry import RetryPolicy
from bot.setup import mastodon_account
from storage.db import SchemaError, create_db_engine, schema_status, session_scope
from storage.health import curator_emails

TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def run_checks(config: Path | None, on_result: Callable[[Check], None]) -> bool:
    """Run every check, reporting each as it finishes; True when all passed."""
    all_ok = True
    for result in _checks(config):
        on_result(result)
        all_ok = all_ok and result.ok
    return all_ok


def _checks(config: Path | None) -> Iterator[Check]:
    try:
        path = find_config(config)
        settings = load_settings(path)
    except ExemplarError as error:
        yield Check("config", False, str(error))
        return
    yield Check("config", True, f"{path} is valid")
    yield _database(settings)
    yield from _sources(settings)
    yield from _publishers(settings)
    yield _health(settings)
    if settings.email is not None:
        yield _email(settings.email)
        if settings.email.public_url:
            yield _public_url(settings.email.public_url)
        else:
            yield Check(
                "public_url", True, "not set ([email] public_url): emails carry no links to the archive"
            )


def _guarded(name: str, probe: Callable[[], str]) -> Check:
    try:
        return Check(name, True, probe())
    except ExemplarError as error:
        return Check(name, False, str(error))
    except Exception as error:  # a check reports every failure as a line; it never stops the others
        return Check(name, False, f"{type(error).__name__}: {error}")


def _database(settings: Settings) -> Check:
    def probe() -> str:
        engine = create_db_engine(settings.database_url.reveal())
        try:
            status = schema_status(engine)
        except SQLAlchemyError as error:
            raise ExemplarError(
                f"cannot reach the database ({type(error).__name__}: {error.args[0]})"
            ) from None
        finally:
            engine.dispose()
        if status.empty:
            raise ExemplarError("the database is empty; run `exemplar db upgrade` to create the schema")
        if not status.up_to_date:
            raise ExemplarError(
                f"the schema is at {status.current or 'no revision'}, this version needs {status.head}: "
                "run `exemplar db upgrade`"
            )
        return f"reachable, schema {status.current} is up to date"

    try:
        return _guarded("database", probe)
    except SchemaError as error:
        return Check("database", False, str(error))


def _health(settings: Settings) -> Check:
    """Who hears when a source goes quiet: the weekly report and the alerts need someone to go to."""
    if settings.email is None:
        return Check(
            "health", True, "no [email] section: no health emails (`exemplar status` shows the figures)"
        )

    def probe() -> str:
        recipients = list(settings.health.recipients)
        source = "[health] recipients"
        if not recipients:
            engine = create_db_engine(settings.database_url.reveal())
            try:
                with session_scope(engine) as session:
                    recipients = curator_emails(session)
            finally:
                engine.dispose()
            source = "the desk's curators"
        if not recipients:
            raise ExemplarError(
                "nobody gets the weekly report or the alerts: set [health] recipients or add a curator "
                "(`exemplar curator add EMAIL`)"
            )
        return f"weekly report and alerts go to {', '.join(recipients)} ({source})"

    return _guarded("health", probe)


def _policy() -> RetryPolicy:
    return RetryPolicy(max_retries=0)  # a check asks once: it reports, it does not insist


def _sources(settings: Settings) -> Iterator[Check]:
    timeout = min(settings.collect.request_timeout, TIMEOUT)
    for source in settings.mastodon:
        client = MastodonClient(source, _policy(), timeout)
        yield _guarded(f"source {source.name}", partial(_mastodon_answers, client, source.hashtags[0]))
    for x_source in settings.x:
        x_client = XClient(x_source, _policy(), timeout)
        yield _guarded(f"source {x_source.name}", partial(_x_answers, x_client, x_source.hashtags[0]))
    for sky in settings.bluesky:
        sky_client = BlueskyClient(sky, _policy(), timeout)
        yield _guarded(f"source {sky.name}", partial(_bluesky_answers, sky_client, sky.hashtags[0]))


def _mastodon_answers(client: MastodonClient, tag: str) -> str:
    return f"answers (#{tag}: {len(client.tag_page(tag, limit=1))} post on the first page)"


def _x_answers(client: XClient, tag: str) -> str:
    client.search_page(tag, since_id=None, next_token=None)
    return f"answers (#{tag}: recent search returned a page)"


def _bluesky_answers(client: BlueskyClient, tag: str) -> str:
    client.search_page(tag, cursor=None, since=None)
    return f"answers (#{tag}: post search returned a page)"


def _publishers(settings: Settings) -> Iterator[Check]:
    if settings.publish_mastodon is not None:
        publisher = settings.publish_mastodon

        def mastodon() -> str:
            token = publisher.access_token.reveal()
            account = mastodon_account.bot_account(publisher.base_url, token)
            acct = account.get("acct") or account.get("username")
            if not account.get("bot"):
                raise ExemplarError(
                    f"@{acct} is not marked as a bot; tick 'This is an automated account' in its profile "
                    "(or run `exemplar init` again)"
                )
            scopes = mastodon_account.token_scopes(publisher.base_url, token)
            if not mastodon_account.can_post(scopes):
                raise ExemplarError(
                    f"the token of @{acct} cannot post (scopes: {' '.join(scopes) or 'none'}); "
                    "authorize again with write:statuses (`exemplar init`)"
                )
            return f"@{acct} is a bot and its token can post (scopes: {' '.join(scopes)})"

        yield _guarded(f"publish mastodon {publisher.base_url}", mastodon)
    if settings.publish_bluesky is not None:
        sky = settings.publish_bluesky

        def bluesky() -> str:
            from atproto import Client

            Client(base_url=sky.base_url).login(sky.handle, sky.app_password.reveal())
            return f"@{sky.handle} logs in with its app password"

        yield _guarded(f"publish bluesky {sky.handle}", bluesky)
    if settings.publish_x is not None:
        x = settings.publish_x

        def x_account() -> str:
            from bot.networks.x.publish import XThreadPoster

            me = XThreadPoster(x, _policy(), TIMEOUT).me()
            return f"@{me['username']} accepts the tokens (X shows write access only when posting)"

        yield _guarded("publish x", x_account)


def _email(email: EmailConfig) -> Check:
    if not email.smtp_host:

        def outbox() -> str:
            email.outbox_dir.mkdir(parents=True, exist_ok=True)
            probe = email.outbox_dir / ".exemplar-check"
            probe.write_text("", encoding="utf-8")
            probe.unlink()
            return f"no smtp_host: emails are written to {email.outbox_dir}"

        return _guarded("email", outbox)
    host, port = email.smtp_host, email.smtp_port

    def smtp() -> str:
        try:
            with smtplib.SMTP(host, port, timeout=TIMEOUT) as server:
                server.ehlo()
                if email.starttls:
                    server.starttls(context=ssl.create_default_context())
                    server.ehlo()
                if email.username and email.password is not None:
                    server.login(email.username.reveal(), email.password.reveal())
                    done = "accepts the login"
                else:
                    done = "answers (no login configured)"
                server.noop()
        except smtplib.SMTPAuthenticationError as error:
            raise ExemplarError(
                f"{host}:{port} refused the login ({error.smtp_code}); check the user and password files"
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            raise ExemplarError(f"{host}:{port}: {error}; set starttls to match the server") from None
        except (smtplib.SMTPException, OSError) as error:
            raise ExemplarError(f"cannot talk to {host}:{port} ({type(error).__name__}: {error})") from None
        return f"{host}:{port} {done}; nothing was sent"

    return _guarded("email", smtp)


def _public_url(public_url: str) -> Check:
    url = f"{public_url.rstrip('/')}/healthz"

    def probe() -> str:
        try:
            answer = httpx.get(url, timeout=TIMEOUT, follow_redirects=True)
        except httpx.HTTPError as error:
            raise ExemplarError(
                f"{url} does not answer ({type(error).__name__}); is `exemplar serve` behind it?"
            ) from None
        if answer.status_code != 200 or answer.text.strip() != "ok":
            raise ExemplarError(f"{url} answered {answer.status_code}, not Exemplar's 'ok'; check the proxy")
        return f"{url} answers ok"

    return _guarded("public_url", probe)
