"""``exemplar init``: from nothing to a config, a bot token and a bot profile, in one sitting.

Every answer can come from a flag (for scripts) or, when it is missing and input is allowed, from a
prompt. The token is obtained with Mastodon's out-of-band authorization code flow and stored in an
owner-only file beside the config, never in it.
"""

from __future__ import annotations

import shlex
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.config import check_base_url, normalise_hashtag, settings_from_mapping
from bot.errors import ConfigError
from bot.setup import mastodon_account as account
from bot.setup.config_file import ConfigAnswers, SmtpAnswers, render_config
from bot.setup.secret_files import write_private_file

SECRETS_DIR = "secrets"
BOT_TOKEN_FILE = "bot-token"
APP_FILE = "mastodon-app.json"


class Prompter(Protocol):
    """How ``init`` talks to a person; the CLI gives it click's prompts, tests give it scripted ones."""

    def ask(self, question: str, default: str | None = None) -> str: ...

    def secret(self, question: str) -> str: ...

    def confirm(self, question: str, default: bool) -> bool: ...

    def say(self, line: str) -> None: ...


@dataclass(frozen=True, slots=True)
class InitOptions:
    """What was given on the command line; ``None`` means "ask" (or the default, without input)."""

    output: Path
    force: bool = False
    interactive: bool = True
    hashtags: tuple[str, ...] = ()
    instance: str | None = None
    curator: str | None = None
    publish: bool | None = None
    token_file: Path | None = None
    auth_code: str | None = None
    set_profile: bool | None = None
    email_from: str | None = None
    recipients: tuple[str, ...] = ()
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user_file: Path | None = None
    smtp_password_file: Path | None = None
    public_url: str | None = None
    database_url: str | None = None
    timezone: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class InitStopped(ConfigError):  # noqa: N818 - it is a normal stop, reported with the next step
    """``init`` cannot go on without an answer it was not given."""


@dataclass(frozen=True, slots=True)
class InitResult:
    config_path: Path
    token_file: Path | None
    profile_problems: tuple[str, ...]
    waiting_for_code: str | None = None  # the authorization URL, when run without input and a code


def run_init(options: InitOptions, prompt: Prompter) -> InitResult:
    """Ask, authorize, check the profile, write and validate the config. See the module docstring."""
    output = options.output
    if output.exists() and not options.force:
        raise InitStopped(f"{output} already exists; pass --force to replace it, or --output another path")
    base_dir = output.parent if str(output.parent) else Path()
    ask = _Asker(options.interactive, prompt)

    hashtags = options.hashtags or tuple(
        ask.text("Hashtags to collect (separated by spaces)", None, "--hashtag").replace(",", " ").split()
    )
    try:
        hashtags = tuple(dict.fromkeys(normalise_hashtag(tag) for tag in hashtags))
    except ValueError as error:
        raise InitStopped(f"--hashtag: {error}") from None
    instance = _url(
        options.instance
        or ask.text("The Mastodon instance (e.g. https://mastodon.social)", None, "--instance"),
        "--instance",
    )
    curator = options.curator or ask.text("Who runs the bot (your email or @you@instance)", None, "--curator")

    publish = options.publish
    if publish is None:
        publish = ask.confirm(f"Publish digests as a thread from a bot account on {instance}?", True)
    token_path: Path | None = None
    problems: tuple[str, ...] = ()
    if publish:
        token_path = base_dir / SECRETS_DIR / BOT_TOKEN_FILE
        token = _bot_token(options, ask, instance, base_dir)
        if token is None:
            app = account.register_app(instance, base_dir / SECRETS_DIR / APP_FILE)
            url = account.authorization_url(app)
            return InitResult(output, None, (), waiting_for_code=url)
        write_private_file(token_path, token)
        problems = _review_profile(options, ask, prompt, instance, token, curator, hashtags)

    email_from = options.email_from
    if email_from is None and options.interactive:
        email_from = prompt.ask("Digest emails come from (blank: no emails)", "") or None
    recipients = options.recipients
    smtp: SmtpAnswers | None = None
    public_url = options.public_url
    if email_from:
        if not recipients and options.interactive:
            recipients = tuple(prompt.ask("Leaders who receive the digest (separated by spaces)", "").split())
        smtp = _smtp(options, prompt, base_dir)
        if public_url is None and options.interactive:
            public_url = prompt.ask("Public address of `exemplar serve` (blank: none yet)", "") or None

    answers = ConfigAnswers(
        hashtags=hashtags,
        instance=instance,
        curator=curator,
        database_url=options.database_url or "sqlite:///exemplar.db",
        publish_instance=instance if publish else None,
        bot_token_file=f"{SECRETS_DIR}/{BOT_TOKEN_FILE}" if publish else None,
        email_from=email_from,
        recipients=recipients,
        smtp=smtp,
        public_url=public_url.rstrip("/") if public_url else None,
        timezone=options.timezone or "UTC",
        secret_files=options.extra,
    )
    text = render_config(answers)
    # The file must load as written, secrets and all, before it replaces anything.
    settings_from_mapping(tomllib.loads(text), path=output.resolve(), environ={})
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    return InitResult(output, token_path, problems)


class _Asker:
    def __init__(self, interactive: bool, prompt: Prompter) -> None:
        self.interactive, self.prompt = interactive, prompt

    def text(self, question: str, default: str | None, flag: str) -> str:
        if not self.interactive:
            if default is not None:
                return default
            raise InitStopped(f"{flag} is required with --no-input")
        while True:
            answer = self.prompt.ask(question, default).strip()
            if answer:
                return answer

    def confirm(self, question: str, default: bool) -> bool:
        return self.prompt.confirm(question, default) if self.interactive else default


def _url(value: str, flag: str) -> str:
    try:
        return check_base_url(value.strip() if "://" in value else f"https://{value.strip()}")
    except ValueError as error:
        raise InitStopped(f"{flag}: {error}") from None


def _bot_token(options: InitOptions, ask: _Asker, instance: str, base_dir: Path) -> str | None:
    """An existing token (``--token-file``), or one from the authorization code flow; ``None`` when a
    code is needed and there is nobody to ask (the caller prints the URL and how to continue)."""
    if options.token_file is not None:
        try:
            token = options.token_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise InitStopped(f"--token-file: cannot read {options.token_file} ({error.strerror})") from None
        if not token:
            raise InitStopped(f"--token-file: {options.token_file} is empty")
        account.bot_account(instance, token)  # it must work before it is kept
        return token
    app = account.register_app(instance, base_dir / SECRETS_DIR / APP_FILE)
    code = options.auth_code
    if code is None:
        if not ask.interactive:
            return None
        url = account.authorization_url(app)
        ask.prompt.say("Open this address in a browser, log in as the bot account and approve Exemplar:")
        ask.prompt.say(f"  {url}")
        code = ask.text("Then paste the code the page shows", None, "--auth-code")
    return account.exchange_code(app, code)


def _review_profile(
    options: InitOptions,
    ask: _Asker,
    prompt: Prompter,
    instance: str,
    token: str,
    curator: str,
    hashtags: tuple[str, ...],
) -> tuple[str, ...]:
    profile = account.review_profile(account.bot_account(instance, token), curator)
    prompt.say(f"The bot account is @{profile.acct} on {instance}.")
    if not profile.problems:
        prompt.say("Its profile is marked as a bot and names the curator and how to opt out.")
        return ()
    for problem in profile.problems:
        prompt.say(f"  - {problem}")
    note = account.suggested_note(curator, hashtags)
    set_it = options.set_profile
    if set_it is None:
        set_it = (
            ask.confirm(f"Mark it as a bot and set its note to:\n  {note}\n?", True)
            if ask.interactive
            else False
        )
    if not set_it:
        return profile.problems
    updated = account.review_profile(account.update_profile(instance, token, note), curator)
    prompt.say(
        "Profile updated." if not updated.problems else "Profile updated, but: " + "; ".join(updated.problems)
    )
    return updated.problems


def _smtp(options: InitOptions, prompt: Prompter, base_dir: Path) -> SmtpAnswers | None:
    host = options.smtp_host
    if host is None and options.interactive:
        host = prompt.ask("SMTP server (blank: write emails to the outbox folder)", "") or None
    if not host:
        return None
    port = options.smtp_port or (int(prompt.ask("SMTP port", "587")) if options.interactive else 587)
    user_file = _relative(options.smtp_user_file, base_dir) if options.smtp_user_file else None
    password_file = _relative(options.smtp_password_file, base_dir) if options.smtp_password_file else None
    if user_file is None and options.interactive:
        user = prompt.ask("SMTP user name (blank: no login)", "")
        if user:
            write_private_file(base_dir / SECRETS_DIR / "smtp-user", user)
            user_file = f"{SECRETS_DIR}/smtp-user"
            write_private_file(base_dir / SECRETS_DIR / "smtp-password", prompt.secret("SMTP password"))
            password_file = f"{SECRETS_DIR}/smtp-password"
    return SmtpAnswers(host=host, port=port, user_file=user_file, password_file=password_file)


def _relative(path: Path, base_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(base_dir.resolve()))
    except ValueError:
        return str(path.resolve())


def continue_command(argv: Sequence[str]) -> str:
    """The command to run again with the code, for the message after the authorization URL."""
    return shlex.join(["exemplar", *argv, "--auth-code", "CODE"])
