"""The bot's Mastodon account: registering Exemplar as an application, the out-of-band authorization
code flow that gives the bot its token, and what the account's profile should say.

The flow, as Mastodon documents it for command-line tools:

1. ``POST /api/v1/apps`` registers Exemplar on the instance (once; the client id and secret are kept
   in an owner-only file so a second ``exemplar init`` reuses them);
2. the curator opens the authorization URL, logs in as the bot account and approves;
3. the instance shows a code (the redirect URI ``urn:ietf:wg:oauth:2.0:oob`` means "show, don't
   redirect"), which ``exemplar init`` exchanges for the access token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mastodon import Mastodon
from mastodon.errors import (
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonUnauthorizedError,
)

from bot import __version__
from bot.errors import ExemplarError
from bot.html_text import html_to_text
from bot.setup.secret_files import write_private_file

OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
# What the bot does: read hashtags and the mentions that ask to opt out, post digest threads, and
# (when the curator agrees) mark its own profile as a bot's.
SCOPES = ["read", "write:statuses", "write:accounts"]
POST_SCOPES = ("write", "write:statuses")
APP_NAME = "Exemplar"
APP_WEBSITE = "https://pypi.org/project/exemplar/"
USER_AGENT = f"Exemplar/{__version__} (hashtag curation bot; +{APP_WEBSITE})"
TIMEOUT = 20.0

_OPT_OUT_WORDS = re.compile(r"opt[\s-]?out|#nobot|#noindex", re.IGNORECASE)


class AccountSetupError(ExemplarError):
    """The instance refused a step of registering the application or logging the bot in."""


@dataclass(frozen=True, slots=True)
class AppCredentials:
    """Exemplar's registration on one instance."""

    base_url: str
    client_id: str
    client_secret: str


def allow_plain_http(base_url: str) -> bool:
    """Plain HTTP only for an instance on this machine (a test or the demo), never across a network."""
    host = urlsplit(base_url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def _api(base_url: str, **credentials: Any) -> Mastodon:
    return Mastodon(
        api_base_url=base_url,
        request_timeout=TIMEOUT,
        version_check_mode="none",
        ratelimit_method="throw",
        user_agent=USER_AGENT,
        **credentials,
    )


def register_app(base_url: str, credentials_file: Path) -> AppCredentials:
    """Exemplar's client id and secret on ``base_url``: read from ``credentials_file`` if it was
    registered there before, else registered now and saved (0600)."""
    saved = _read_credentials(credentials_file)
    if saved is not None and saved.base_url == base_url:
        return saved
    try:
        client_id, client_secret = Mastodon.create_app(
            APP_NAME,
            scopes=SCOPES,
            redirect_uris=OUT_OF_BAND,
            website=APP_WEBSITE,
            api_base_url=base_url,
            request_timeout=TIMEOUT,
            user_agent=USER_AGENT,
        )
    except (MastodonError, KeyError, ValueError) as error:
        # Mastodon.py reads the answer's fields without checking the status: an error page is a KeyError.
        raise AccountSetupError(
            f"cannot register Exemplar as an application on {base_url} ({_why(error)}); "
            "check the address, or try again later"
        ) from None
    app = AppCredentials(base_url=base_url, client_id=str(client_id), client_secret=str(client_secret))
    write_private_file(
        credentials_file,
        json.dumps({"base_url": base_url, "client_id": app.client_id, "client_secret": app.client_secret}),
    )
    return app


def _read_credentials(path: Path) -> AppCredentials | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return AppCredentials(str(data["base_url"]), str(data["client_id"]), str(data["client_secret"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def authorization_url(app: AppCredentials) -> str:
    """Where the curator logs in as the bot and approves Exemplar; the page then shows a code."""
    api = _api(app.base_url, client_id=app.client_id, client_secret=app.client_secret)
    try:
        return str(
            api.auth_request_url(
                redirect_uris=OUT_OF_BAND,
                scopes=SCOPES,
                force_login=True,
                allow_http=allow_plain_http(app.base_url),
            )
        )
    except MastodonError as error:
        raise AccountSetupError(f"{app.base_url}: cannot build the authorization URL: {error}") from None


def exchange_code(app: AppCredentials, code: str) -> str:
    """The bot's access token for the code the authorization page showed."""
    api = _api(app.base_url, client_id=app.client_id, client_secret=app.client_secret)
    try:
        token = api.log_in(
            code=code.strip(),
            redirect_uri=OUT_OF_BAND,
            scopes=SCOPES,
            allow_http=allow_plain_http(app.base_url),
        )
    except MastodonIllegalArgumentError:
        raise AccountSetupError(
            f"{app.base_url} did not accept that code; open the authorization URL again and copy the "
            "new code (each code works once, for a few minutes)"
        ) from None
    except (MastodonError, KeyError, ValueError) as error:
        raise AccountSetupError(f"{app.base_url} refused the code ({_why(error)}); try again") from None
    return str(token)


def _why(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"its answer has no {error.args[0]!r}"
    if isinstance(error, MastodonNetworkError):
        return "it cannot be reached"
    return str(error) or type(error).__name__


@dataclass(frozen=True, slots=True)
class Profile:
    """What the bot account's profile says, and what it is missing."""

    acct: str
    bot: bool
    note: str
    problems: tuple[str, ...]


def review_profile(account: Mapping[str, Any], curator: str) -> Profile:
    """Check that the account says it is a bot, who runs it and how to opt out. Pure.

    >>> review_profile({"acct": "digest", "bot": True, "note": "<p>Run by ana@school.example. "
    ...     "Reply optout to be left out.</p>"}, "ana@school.example").problems
    ()
    """
    note = html_to_text(str(account.get("note") or ""))
    problems = []
    if not account.get("bot"):
        problems.append("the account is not marked as a bot (Profile → 'This is a bot account')")
    if curator and curator.lower().lstrip("@") not in note.lower():
        problems.append(f"the profile note does not name the curator ({curator})")
    if not _OPT_OUT_WORDS.search(note):
        problems.append("the profile note does not say how to opt out")
    return Profile(
        acct=str(account.get("acct") or account.get("username") or ""),
        bot=bool(account.get("bot")),
        note=note,
        problems=tuple(problems),
    )


def suggested_note(curator: str, hashtags: tuple[str, ...] | list[str]) -> str:
    """A profile note that says what the bot does, who runs it and how to opt out."""
    tags = " ".join(f"#{tag}" for tag in hashtags)
    return (
        f"A bot that gathers public posts tagged {tags} into a weekly digest, run by {curator}. "
        "It never @-mentions anyone. To be left out, reply or send it a message saying optout, "
        "or put #nobot in your profile."
    )


def bot_account(base_url: str, token: str) -> dict[str, Any]:
    """The account the token belongs to (``verify_credentials``)."""
    try:
        return dict(_api(base_url, access_token=token).account_verify_credentials())
    except MastodonNetworkError:
        raise AccountSetupError(f"cannot reach {base_url}; check the address and the network") from None
    except MastodonUnauthorizedError:
        raise AccountSetupError(
            f"{base_url} refused the bot's token (401); authorize again with `exemplar init`"
        ) from None
    except MastodonError as error:
        raise AccountSetupError(f"{base_url} did not accept the bot's token: {error}") from None


def token_scopes(base_url: str, token: str) -> list[str]:
    """The scopes the token's application was granted (``apps/verify_credentials``)."""
    try:
        app = _api(base_url, access_token=token).app_verify_credentials()
    except MastodonError as error:
        raise AccountSetupError(f"{base_url} did not accept the bot's token: {error}") from None
    scopes = app.get("scopes") if isinstance(app, Mapping) else None
    return [str(scope) for scope in scopes] if isinstance(scopes, list) else []


def can_post(scopes: list[str]) -> bool:
    return any(scope in POST_SCOPES for scope in scopes)


def update_profile(base_url: str, token: str, note: str) -> dict[str, Any]:
    """Mark the account as a bot and set its note."""
    try:
        return dict(_api(base_url, access_token=token).account_update_credentials(bot=True, note=note))
    except MastodonError as error:
        raise AccountSetupError(f"{base_url} refused to update the bot's profile: {error}") from None
