"""The config file ``exemplar init`` writes: commented TOML from a curator's answers. Pure."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
BOT_TOKEN_ENV = "EXEMPLAR_BOT_TOKEN"
SMTP_USER_ENV = "EXEMPLAR_SMTP_USER"
SMTP_PASSWORD_ENV = "EXEMPLAR_SMTP_PASSWORD"


@dataclass(frozen=True, slots=True)
class SmtpAnswers:
    host: str
    port: int = 587
    starttls: bool = True
    user_file: str | None = None
    password_file: str | None = None


@dataclass(frozen=True, slots=True)
class ConfigAnswers:
    """What ``exemplar init`` asked; file paths are as they should appear in the config."""

    hashtags: tuple[str, ...]
    instance: str
    curator: str
    database_url: str = "sqlite:///exemplar.db"
    publish_instance: str | None = None
    bot_token_file: str | None = None
    email_from: str | None = None
    recipients: tuple[str, ...] = ()
    smtp: SmtpAnswers | None = None
    public_url: str | None = None
    timezone: str = "UTC"
    secret_files: dict[str, str] = field(default_factory=dict)


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string is a JSON string


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_q(value) for value in values) + "]"


def render_config(answers: ConfigAnswers) -> str:
    """The config text, with a comment on every choice. ``exemplar init --example`` shows every key."""
    lines = [
        "# Exemplar configuration, written by `exemplar init`. Edit freely; `exemplar check` tests it.",
        "# Every key is described in the example config: `exemplar init --example`.",
        "# Secrets are never written here: [secret_files] at the end names the files that hold them.",
        f"# Curator: {answers.curator}",
        "",
        "# The hashtags to collect.",
        f"hashtags = {_list(answers.hashtags)}",
        "",
        "[database]",
        "# A relative SQLite path is relative to this file's folder. For PostgreSQL:",
        '# url = "postgresql+psycopg://exemplar@localhost/exemplar"',
        f"url = {_q(answers.database_url)}",
        "",
        "# Where posts are collected from (add a [[mastodon]] section per instance).",
        "[[mastodon]]",
        f"base_url = {_q(answers.instance)}",
        "",
        "[digest]",
        "# Weeks run from midnight Monday in this IANA time zone; the schedule uses it too.",
        f"timezone = {_q(answers.timezone)}",
        "",
    ]
    if answers.publish_instance:
        lines += [
            "# The bot account that posts each approved digest as a thread.",
            "[publish.mastodon]",
            f"base_url = {_q(answers.publish_instance)}",
            f"access_token_env = {_q(BOT_TOKEN_ENV)}",
            'visibility = "unlisted"',
            "",
        ]
    else:
        lines += ["# Digests are not posted anywhere: add [publish.mastodon] (see the example).", ""]
    if answers.email_from:
        lines += [
            "# Digest emails to leaders, and the weekly health email to curators.",
            "[email]",
            f"from = {_q(answers.email_from)}",
            f"recipients = {_list(answers.recipients)}",
        ]
        if answers.smtp:
            lines += [
                f"smtp_host = {_q(answers.smtp.host)}",
                f"smtp_port = {answers.smtp.port}",
                f"starttls = {'true' if answers.smtp.starttls else 'false'}",
            ]
            if answers.smtp.user_file:
                lines.append(f"username_env = {_q(SMTP_USER_ENV)}")
            if answers.smtp.password_file:
                lines.append(f"password_env = {_q(SMTP_PASSWORD_ENV)}")
        else:
            lines += [
                "# No smtp_host: emails are written as .eml files to outbox_dir.",
                'outbox_dir = "outbox"',
            ]
        if answers.public_url:
            lines += [
                "# Where `exemplar serve` is reachable from outside (links in emails).",
                f"public_url = {_q(answers.public_url)}",
            ]
        lines.append("")
    lines += [
        "[health]",
        "# Who gets the weekly health email and the alerts (default: every curator of the desk).",
        f"recipients = {_list((answers.curator,) if _EMAIL.match(answers.curator) else ())}",
        "",
    ]
    secrets = dict(answers.secret_files)
    if answers.bot_token_file:
        secrets[BOT_TOKEN_ENV] = answers.bot_token_file
    if answers.smtp and answers.smtp.user_file:
        secrets[SMTP_USER_ENV] = answers.smtp.user_file
    if answers.smtp and answers.smtp.password_file:
        secrets[SMTP_PASSWORD_ENV] = answers.smtp.password_file
    if secrets:
        lines += [
            "# Files holding secrets (owner-only), relative to this file's folder. The environment",
            "# wins: VARIABLE or VARIABLE_FILE (systemd's LoadCredential sets the latter).",
            "[secret_files]",
            *(f"{name} = {_q(path)}" for name, path in secrets.items()),
            "",
        ]
    return "\n".join(lines)
