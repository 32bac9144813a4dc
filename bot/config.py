"""Settings: read once from TOML, validated completely, secrets resolved from the environment.

Every error is one line naming the key and the fix, e.g.::

    exemplar.toml: mastodon[0].base_url: 'mastodon.social' is not a URL; write the full address,
    e.g. base_url = "https://mastodon.social"
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from bot.errors import ConfigError
from bot.secrets import Secret, secret_from_env

_HASHTAG = re.compile(r"^\w+$", re.UNICODE)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _email_addresses(values: list[str]) -> list[str]:
    """Every value an email address; lower-cased, duplicates dropped, in order."""
    for value in values:
        if not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an email address")
    return list(dict.fromkeys(v.lower() for v in values))


def _time_of_day(value: str) -> str:
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f'{value!r} is not a time of day; write HH:MM, e.g. "08:00"')
    return value


EmailAddresses = Annotated[list[str], AfterValidator(_email_addresses)]
TimeOfDay = Annotated[str, AfterValidator(_time_of_day)]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

CONFIG_ENV = "EXEMPLAR_CONFIG"
CONFIG_SEARCH = ("exemplar.toml",)


def normalise_hashtag(value: str) -> str:
    """``#FlipLead`` → ``fliplead``; raises ``ValueError`` when it cannot be a hashtag."""
    tag = value.strip().lstrip("#").lower()
    if not _HASHTAG.match(tag):
        raise ValueError(f'{value!r} is not a hashtag; use letters, digits and _ only, e.g. "fliplead"')
    return tag


def _hashtag_list(values: list[str]) -> list[str]:
    return list(dict.fromkeys(normalise_hashtag(value) for value in values))


class _Section(BaseModel):
    # Strict: "40" is not a number and "true" is not a boolean; inf and nan are no one's setting.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, strict=True, allow_inf_nan=False
    )


class DatabaseSettings(_Section):
    url: str | None = None
    url_env: str | None = None
    # Seconds to wait for another process's write lock before giving up with one line.
    lock_timeout: Annotated[float, Field(ge=0, le=3600)] = 30

    @model_validator(mode="after")
    def _one_source(self) -> DatabaseSettings:
        if self.url and self.url_env:
            raise ValueError("give url or url_env, not both")
        return self


class CollectSettings(_Section):
    page_size: Annotated[int, Field(ge=1, le=40)] = 40
    backfill_days: Annotated[float, Field(ge=0, le=3650)] = 7
    refresh_days: Annotated[float, Field(ge=0, le=3650)] = 3
    refresh_every_minutes: Annotated[float, Field(ge=0, le=525_600)] = 60
    max_pages: Annotated[int, Field(ge=1, le=100_000)] = 1000
    request_timeout: Annotated[float, Field(gt=0, le=600)] = 20
    max_retries: Annotated[int, Field(ge=0, le=10)] = 4
    backoff_seconds: Annotated[float, Field(ge=0, le=3600)] = 2
    max_rate_limit_wait: Annotated[float, Field(ge=0, le=86_400)] = 300


class LinkSettings(_Section):
    resolve: bool = False
    timeout: Annotated[float, Field(gt=0, le=60)] = 5
    max_bytes: Annotated[int, Field(ge=1024, le=104_857_600)] = 262_144
    max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    max_links_per_run: Annotated[int, Field(ge=0, le=100_000)] = 200
    retry_failed_after_days: Annotated[float, Field(ge=0, le=3650)] = 7
    allow_private_addresses: bool = False


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DigestSettings(_Section):
    timezone: str = "UTC"
    week_starts: Weekday = "monday"
    hashtag: str | None = None
    videos: Annotated[int, Field(ge=0, le=50)] = 5
    tools: Annotated[int, Field(ge=0, le=50)] = 5
    questions: Annotated[int, Field(ge=0, le=50)] = 5
    max_per_author: Annotated[int, Field(ge=1, le=150)] = 2
    allow_sensitive: bool = False
    refresh_budget: Annotated[int, Field(ge=0, le=10_000)] = 60
    half_life_days: Annotated[float, Field(gt=0, le=3650)] = 3.5

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f'{value!r} is not a time zone; use an IANA name such as "Europe/London" or "UTC"'
            ) from None
        return value

    @field_validator("hashtag")
    @classmethod
    def _check_hashtag(cls, value: str | None) -> str | None:
        return None if value is None else normalise_hashtag(value)


class MastodonPublishSettings(_Section):
    base_url: str
    access_token_env: str
    # The thread's first post is public, so it shows in the hashtag's timeline; its replies are
    # unlisted, so the thread does not flood it.
    visibility: Literal["public", "unlisted", "private"] = "public"
    char_limit: Annotated[int, Field(ge=120, le=100_000)] | None = None
    reply_visibility: Literal["public", "unlisted", "private"] = "unlisted"

    @model_validator(mode="after")
    def _check_replies(self) -> MastodonPublishSettings:
        order = ("private", "unlisted", "public")
        if order.index(self.reply_visibility) > order.index(self.visibility):
            raise ValueError(
                f'reply_visibility = "{self.reply_visibility}" would show the replies more widely than '
                f'the first post (visibility = "{self.visibility}"); make it "{self.visibility}" or less'
            )
        return self

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_base_url(value)


class XPublishSettings(_Section):
    """User-context (OAuth 1.0a) credentials of the account that posts: four variable names."""

    consumer_key_env: str
    consumer_secret_env: str
    access_token_env: str
    access_token_secret_env: str


class BlueskyPublishSettings(_Section):
    handle: str
    app_password_env: str
    base_url: str = "https://bsky.social"

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_base_url(value)


class PublishSettings(_Section):
    mastodon: MastodonPublishSettings | None = None
    # Off unless configured: posts with links cost money on X's pay-per-use pricing.
    x: XPublishSettings | None = None
    bluesky: BlueskyPublishSettings | None = None


class EmailSettings(_Section):
    model_config = ConfigDict(populate_by_name=True)  # merged with _Section's

    sender: str = Field(alias="from")
    recipients: EmailAddresses = []
    outbox_dir: str = "outbox"
    smtp_host: str | None = None
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 587
    starttls: bool = True
    username_env: str | None = None
    password_env: str | None = None
    max_attempts: Annotated[int, Field(ge=1, le=1000)] = 5
    public_url: str | None = None
    # Seconds to wait for each answer of the SMTP server.
    smtp_timeout: Annotated[float, Field(gt=0, le=600)] = 30
    # An address is suspended after this many digests in a row failed softly (4xx) for it.
    suspend_after_soft_failures: Annotated[int, Field(ge=1, le=1000)] = 3
    # How long a subscribe confirmation link works.
    confirm_hours: Annotated[float, Field(gt=0, le=24 * 365)] = 48
    dkim_selector: str | None = None
    dkim_domain: str | None = None
    dkim_key_file: str | None = None

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                f"{value!r} is not an absolute web address; give where `exemplar serve` is reachable, "
                'e.g. public_url = "https://exemplar.example.org"'
            )
        return value.rstrip("/")

    @model_validator(mode="after")
    def _dkim_complete(self) -> EmailSettings:
        given = [self.dkim_selector, self.dkim_domain, self.dkim_key_file]
        if any(given) and not all(given):
            raise ValueError(
                "DKIM signing needs dkim_selector, dkim_domain and dkim_key_file together; "
                "give all three or none"
            )
        return self

    @field_validator("sender")
    @classmethod
    def _check_sender(cls, value: str) -> str:
        if not _EMAIL.match(value.rsplit("<", 1)[-1].rstrip(">")):
            raise ValueError(f'{value!r} is not an email address; e.g. from = "digest@example.org"')
        return value


class ScheduleSettings(_Section):
    collect_every_minutes: Annotated[float, Field(gt=0, le=525_600)] = 30
    draft_day: Weekday = "monday"
    draft_time: TimeOfDay = "07:00"
    publish_day: Weekday = "monday"
    publish_time: TimeOfDay = "12:00"
    misfire_grace_minutes: Annotated[float, Field(gt=0, le=10_080)] = 60
    email_retry_minutes: Annotated[float, Field(gt=0, le=10_080)] = 60
    # Curators still not approving a draft this long before publish time are reminded (0: never).
    remind_before_publish_minutes: Annotated[float, Field(ge=0, le=7 * 24 * 60)] = 120


class HealthSettings(_Section):
    """The weekly health email to curators and the alert when a source goes quiet or keeps failing."""

    recipients: EmailAddresses = []
    quiet_hours: Annotated[float, Field(gt=0, le=24 * 365)] = 48
    failed_runs: Annotated[int, Field(ge=1, le=10_000)] = 5
    report_day: Weekday = "monday"
    report_time: TimeOfDay = "08:00"
    check_every_minutes: Annotated[float, Field(gt=0, le=10_080)] = 60


class ToolEntry(_Section):
    name: str
    aliases: list[str] = []
    domains: list[str] = []
    ambiguous: bool = False


class MastodonSettings(_Section):
    base_url: str
    access_token_env: str | None = None
    hashtags: list[str] | None = None
    name: str | None = None

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("access_token_env")
    @classmethod
    def _check_env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError(
                f"{value!r} is not an environment variable name; name the variable, e.g. "
                'access_token_env = "EXEMPLAR_MASTODON_TOKEN" (never the token itself)'
            )
        return value

    @field_validator("hashtags")
    @classmethod
    def _check_tags(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _hashtag_list(values)


class XSettings(_Section):
    bearer_token_env: str
    hashtags: list[str] | None = None
    name: str = "x.com"

    @field_validator("hashtags")
    @classmethod
    def _check_tags(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _hashtag_list(values)


class BlueskySettings(_Section):
    handle: str
    app_password_env: str
    base_url: str = "https://bsky.social"
    hashtags: list[str] | None = None
    name: str = "bsky.app"

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("hashtags")
    @classmethod
    def _check_tags(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _hashtag_list(values)


class ArchiveSettings(_Section):
    """The public archive: where it is reachable (feed ids and links, share cards, sign-in returns)."""

    public_url: str | None = None
    page_size: Annotated[int, Field(ge=1, le=200)] = 20
    cached_pages: Annotated[int, Field(ge=0, le=100_000)] = 512  # rendered pages each worker keeps

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(
                f'{value!r} is not an http(s) URL; e.g. public_url = "https://exemplar.example.org"'
            )
        return value.rstrip("/") if value else None


class FileSettings(_Section):
    hashtags: list[str]
    log_level: str = "info"
    database: DatabaseSettings = DatabaseSettings()
    collect: CollectSettings = CollectSettings()
    links: LinkSettings = LinkSettings()
    tools: list[ToolEntry] = []
    mastodon: list[MastodonSettings] = []
    x: list[XSettings] = []
    bluesky: list[BlueskySettings] = []
    digest: DigestSettings = DigestSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    publish: PublishSettings = PublishSettings()
    email: EmailSettings | None = None
    archive: ArchiveSettings = ArchiveSettings()
    health: HealthSettings = HealthSettings()
    # Secrets by file: {"EXEMPLAR_BOT_TOKEN" = "bot-token"} reads that variable's secret from the file
    # (relative to the config's folder) when neither the variable nor VARIABLE_FILE is set.
    secret_files: dict[str, str] = {}

    @field_validator("secret_files")
    @classmethod
    def _check_secret_files(cls, values: dict[str, str]) -> dict[str, str]:
        for name in values:
            if not _ENV_NAME.match(name):
                raise ValueError(
                    f"{name!r} is not an environment variable name; write e.g. "
                    'EXEMPLAR_BOT_TOKEN = "/etc/exemplar/bot-token"'
                )
        return values

    @field_validator("hashtags")
    @classmethod
    def _check_tags(cls, values: list[str]) -> list[str]:
        if not values:
            raise ValueError('is empty; list at least one, e.g. hashtags = ["fliplead"]')
        return _hashtag_list(values)

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        if value.lower() not in {"debug", "info", "warning", "error"}:
            raise ValueError(f"{value!r} is not a log level; use debug, info, warning or error")
        return value.lower()


def check_base_url(value: str) -> str:
    """An instance's base URL, without a trailing slash; raises ``ValueError`` with the fix."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f'{value!r} is not a URL; write the full address, e.g. base_url = "https://mastodon.social"'
        )
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise ValueError(
            f'{value!r} has a path; give the instance\'s address only, e.g. "{parts.scheme}://{parts.netloc}"'
        )
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True, slots=True)
class MastodonSource:
    """One Mastodon instance to collect from, with its secret resolved."""

    base_url: str
    hashtags: tuple[str, ...]
    access_token: Secret | None
    name: str

    @property
    def key(self) -> str:
        """Identifies this source in cursors and sightings."""
        return f"mastodon:{self.base_url}"


@dataclass(frozen=True, slots=True)
class XSource:
    """Recent search on X (API v2) with an app's bearer token."""

    bearer_token: Secret
    hashtags: tuple[str, ...]
    name: str

    @property
    def key(self) -> str:
        return "x:api"


@dataclass(frozen=True, slots=True)
class BlueskySource:
    """Post search on Bluesky, logged in as ``handle`` with an app password."""

    handle: str
    app_password: Secret
    base_url: str
    hashtags: tuple[str, ...]
    name: str

    @property
    def key(self) -> str:
        return f"bluesky:{self.base_url}"


@dataclass(frozen=True, slots=True)
class MastodonPublisher:
    """Where and how digest threads are posted on Mastodon, with the bot account's token."""

    base_url: str
    access_token: Secret
    visibility: str
    char_limit: int | None
    reply_visibility: str = "unlisted"


@dataclass(frozen=True, slots=True)
class XPublisher:
    """The X account digest threads are posted as."""

    consumer_key: Secret
    consumer_secret: Secret
    access_token: Secret
    access_token_secret: Secret


@dataclass(frozen=True, slots=True)
class BlueskyPublisher:
    """The Bluesky account digest threads are posted as, logged in with an app password."""

    handle: str
    app_password: Secret
    base_url: str


@dataclass(frozen=True, slots=True)
class EmailConfig:
    """How digest emails are sent: SMTP when ``smtp_host`` is set, else ``.eml`` files in ``outbox_dir``."""

    sender: str
    recipients: tuple[str, ...]
    outbox_dir: Path
    smtp_host: str | None = None
    smtp_port: int = 587
    starttls: bool = True
    username: Secret | None = None
    password: Secret | None = None
    max_attempts: int = 5
    public_url: str | None = None
    suspend_after_soft_failures: int = 3
    confirm_hours: float = 48
    dkim: DkimKey | None = None
    smtp_timeout: float = 30


@dataclass(frozen=True, slots=True)
class DkimKey:
    """The key digest emails are DKIM-signed with, published in DNS at ``selector._domainkey.domain``."""

    selector: str
    domain: str
    private_key: Secret


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything Exemplar needs to run, validated."""

    path: Path | None
    hashtags: tuple[str, ...]
    database_url: Secret
    collect: CollectSettings
    mastodon: tuple[MastodonSource, ...]
    log_level: str
    links: LinkSettings = field(default_factory=LinkSettings)
    tools: tuple[Mapping[str, Any], ...] = ()
    digest: DigestSettings = field(default_factory=DigestSettings)
    publish_mastodon: MastodonPublisher | None = None
    email: EmailConfig | None = None
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    x: tuple[XSource, ...] = ()
    bluesky: tuple[BlueskySource, ...] = ()
    publish_x: XPublisher | None = None
    publish_bluesky: BlueskyPublisher | None = None
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)

    @property
    def configured_public_url(self) -> str | None:
        """Where ``exemplar serve`` is reachable, as configured: ``[archive] public_url``, else
        ``[email] public_url``; ``None`` when neither is set."""
        email_url = self.email.public_url if self.email else None
        return self.archive.public_url or email_url

    @property
    def public_url(self) -> str:
        """:attr:`configured_public_url`, else the local address ``serve`` listens on by default.
        Never the request's ``Host``."""
        return self.configured_public_url or "http://127.0.0.1:8000"

    health: HealthSettings = field(default_factory=HealthSettings)
    database_lock_timeout: float = 30.0

    @property
    def digest_hashtag(self) -> str:
        """The hashtag a digest is about: ``[digest] hashtag``, else the first collected one."""
        return self.digest.hashtag or self.hashtags[0]


def load_settings(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read, validate and resolve the config file at ``path``."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as error:
        raise ConfigError(
            f"{path}: no such config file; run `exemplar init --output {path}` to write one "
            f"(or `exemplar init --example > {path}` and edit it)"
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error}); fix the syntax at that line") from error
    return settings_from_mapping(data, path=path, environ=environ)


def settings_from_mapping(
    data: Mapping[str, Any], *, path: Path | None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Validate a parsed config (``path`` names it in errors and anchors relative paths)."""
    label = str(path) if path else "config"
    try:
        parsed = FileSettings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{label}: {describe_validation_error(error, FileSettings)}") from None
    base_dir = path.parent if path else Path.cwd()
    try:
        env = with_secret_files(os.environ if environ is None else environ, parsed.secret_files, base_dir)
    except ConfigError as error:
        raise ConfigError(f"{label}: {error}") from None
    try:
        return Settings(
            path=path,
            hashtags=tuple(parsed.hashtags),
            database_url=_database_url(parsed.database, base_dir, env),
            collect=parsed.collect,
            mastodon=tuple(
                _mastodon_source(i, section, parsed.hashtags, env)
                for i, section in enumerate(parsed.mastodon)
            ),
            log_level=parsed.log_level,
            links=parsed.links,
            tools=tuple(tool.model_dump() for tool in parsed.tools),
            digest=parsed.digest,
            publish_mastodon=_publisher(parsed.publish.mastodon, env),
            email=_email(parsed.email, base_dir, env),
            schedule=parsed.schedule,
            x=tuple(
                XSource(
                    bearer_token=secret_from_env(section.bearer_token_env, f"x[{i}].bearer_token_env", env),
                    hashtags=tuple(section.hashtags or parsed.hashtags),
                    name=section.name,
                )
                for i, section in enumerate(parsed.x)
            ),
            bluesky=tuple(
                BlueskySource(
                    handle=section.handle.lstrip("@"),
                    app_password=secret_from_env(
                        section.app_password_env, f"bluesky[{i}].app_password_env", env
                    ),
                    base_url=section.base_url,
                    hashtags=tuple(section.hashtags or parsed.hashtags),
                    name=section.name,
                )
                for i, section in enumerate(parsed.bluesky)
            ),
            publish_x=_x_publisher(parsed.publish.x, env),
            publish_bluesky=_bluesky_publisher(parsed.publish.bluesky, env),
            archive=parsed.archive,
            health=parsed.health,
            database_lock_timeout=parsed.database.lock_timeout,
        )
    except ConfigError as error:
        raise ConfigError(f"{label}: {error}") from None


def with_secret_files(
    env: Mapping[str, str], secret_files: Mapping[str, str], base_dir: Path
) -> Mapping[str, str]:
    """``env`` with ``NAME_FILE`` set from ``[secret_files]`` wherever the environment sets neither."""
    if not secret_files:
        return env
    merged = dict(env)
    for name, location in secret_files.items():
        if not env.get(name) and not env.get(f"{name}_FILE"):
            file = Path(location).expanduser()
            file = file if file.is_absolute() else base_dir / file
            if not file.is_file():
                raise ConfigError(
                    f"secret_files.{name}: {file} does not exist; put the secret there (readable by you "
                    f"only), fix the path, or set {name} or {name}_FILE in the environment"
                )
            merged[f"{name}_FILE"] = str(file)
    return merged


def _mastodon_source(
    index: int, section: MastodonSettings, hashtags: list[str], env: Mapping[str, str]
) -> MastodonSource:
    token = None
    if section.access_token_env:
        token = secret_from_env(section.access_token_env, f"mastodon[{index}].access_token_env", env)
    return MastodonSource(
        base_url=section.base_url,
        hashtags=tuple(section.hashtags or hashtags),
        access_token=token,
        name=section.name or urlsplit(section.base_url).netloc,
    )


def _publisher(section: MastodonPublishSettings | None, env: Mapping[str, str]) -> MastodonPublisher | None:
    if section is None:
        return None
    return MastodonPublisher(
        base_url=section.base_url,
        access_token=secret_from_env(section.access_token_env, "publish.mastodon.access_token_env", env),
        visibility=section.visibility,
        char_limit=section.char_limit,
        reply_visibility=section.reply_visibility,
    )


def _x_publisher(section: XPublishSettings | None, env: Mapping[str, str]) -> XPublisher | None:
    if section is None:
        return None

    def secret(key: str) -> Secret:
        return secret_from_env(getattr(section, key), f"publish.x.{key}", env)

    return XPublisher(
        consumer_key=secret("consumer_key_env"),
        consumer_secret=secret("consumer_secret_env"),
        access_token=secret("access_token_env"),
        access_token_secret=secret("access_token_secret_env"),
    )


def _bluesky_publisher(
    section: BlueskyPublishSettings | None, env: Mapping[str, str]
) -> BlueskyPublisher | None:
    if section is None:
        return None
    return BlueskyPublisher(
        handle=section.handle.lstrip("@"),
        app_password=secret_from_env(section.app_password_env, "publish.bluesky.app_password_env", env),
        base_url=section.base_url,
    )


def _email(section: EmailSettings | None, base_dir: Path, env: Mapping[str, str]) -> EmailConfig | None:
    if section is None:
        return None
    username = (
        secret_from_env(section.username_env, "email.username_env", env) if section.username_env else None
    )
    password = (
        secret_from_env(section.password_env, "email.password_env", env) if section.password_env else None
    )
    outbox = Path(section.outbox_dir)
    if section.smtp_host and not section.public_url:
        raise ConfigError(
            "[email] public_url is required when emails go out by SMTP (smtp_host is set): their "
            "unsubscribe and web links must work outside this machine; add where `exemplar serve` is "
            'reachable, e.g. public_url = "https://exemplar.example.org"'
        )
    return EmailConfig(
        sender=section.sender,
        recipients=tuple(section.recipients),
        outbox_dir=outbox if outbox.is_absolute() else base_dir / outbox,
        smtp_host=section.smtp_host,
        smtp_port=section.smtp_port,
        starttls=section.starttls,
        username=username,
        password=password,
        max_attempts=section.max_attempts,
        public_url=section.public_url.rstrip("/") if section.public_url else None,
        suspend_after_soft_failures=section.suspend_after_soft_failures,
        confirm_hours=section.confirm_hours,
        dkim=_dkim_key(section, base_dir),
        smtp_timeout=section.smtp_timeout,
    )


def _dkim_key(section: EmailSettings, base_dir: Path) -> DkimKey | None:
    if not (section.dkim_selector and section.dkim_domain and section.dkim_key_file):
        return None
    from dkim.crypto import UnparsableKeyError, parse_pem_private_key

    path = Path(section.dkim_key_file)
    path = path if path.is_absolute() else base_dir / path
    try:
        pem = path.read_text(encoding="ascii")
        parse_pem_private_key(pem.encode())
    except OSError as error:
        raise ConfigError(
            f"[email] dkim_key_file: cannot read {path} ({error.strerror}); give the path of the "
            "PEM private key whose public half is in DNS"
        ) from None
    except (UnicodeDecodeError, UnparsableKeyError, ValueError):
        raise ConfigError(
            f"[email] dkim_key_file: {path} is not a PEM RSA private key; make one with "
            "`openssl genrsa -out dkim.pem 2048`"
        ) from None
    return DkimKey(section.dkim_selector, section.dkim_domain.lower(), Secret(pem))


def _database_url(section: DatabaseSettings, base_dir: Path, env: Mapping[str, str]) -> Secret:
    if section.url_env:
        url = secret_from_env(section.url_env, "database.url_env", env).reveal()
    elif section.url:
        url = section.url
    else:
        default = Path(platformdirs.user_data_dir("exemplar")) / "exemplar.db"
        default.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{default}"
    return Secret(anchor_sqlite_path(url, base_dir))


def anchor_sqlite_path(url: str, base_dir: Path) -> str:
    """Make a relative SQLite path relative to the config file, not to wherever cron started us."""
    prefix = "sqlite:///"
    if url.startswith(prefix):
        path_part = url[len(prefix) :]
        if path_part and path_part != ":memory:" and not path_part.startswith(("/", ":")):
            return f"{prefix}{(base_dir / path_part).resolve()}"
    elif not re.match(r"^[a-z0-9+]+://", url):
        raise ConfigError(
            f'database.url: {url!r} is not a database URL; use e.g. url = "sqlite:///exemplar.db" '
            'or "postgresql+psycopg://user@host/exemplar"'
        )
    return url


def find_config(explicit: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """The config file to use: ``--config``, then ``$EXEMPLAR_CONFIG``, then ``./exemplar.toml``,
    then the user config directory."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    candidates = [Path(name) for name in CONFIG_SEARCH]
    candidates.append(Path(platformdirs.user_config_dir("exemplar")) / "config.toml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ConfigError(
        "no config file found; pass --config PATH, set EXEMPLAR_CONFIG, or run `exemplar init` to write "
        f"./exemplar.toml (looked in: {', '.join(str(c) for c in candidates)})"
    )


def describe_validation_error(error: ValidationError, model: type[BaseModel]) -> str:
    """One line for the first problem in ``error``: the key, what is wrong, and the fix."""
    # An unknown key is usually the cause of a "missing" one (a misspelling), so name it first.
    problems = sorted(error.errors(include_url=False), key=lambda p: p["type"] != "extra_forbidden")
    first = problems[0]
    line = _describe(first, model)
    if len(problems) > 1:
        line += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return line


def _describe(problem: ErrorDetails, model: type[BaseModel]) -> str:
    key = _dotted(problem["loc"])
    kind = problem["type"]
    if kind == "missing":
        example = _EXAMPLES.get(str(problem["loc"][-1]))
        return f"{key} is required; add it" + (
            f", e.g. {example}" if example else " (`exemplar init --example` shows every key)"
        )
    if kind == "extra_forbidden":
        name = str(problem["loc"][-1])
        known = _known_keys(model, problem["loc"][:-1])
        guess = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {guess[0]!r}? " if guess else ""
        known_list = ", ".join(sorted(known))
        return f"{key} is not a known key; {hint}remove it or fix the spelling (known: {known_list})"
    if kind == "value_error":
        message = str(problem["msg"]).removeprefix("Value error, ")
        return f"{key}: {message}"
    expected = str(problem["msg"]).replace("Input should be", "must be")
    return f"{key}: {expected}, got {problem.get('input')!r}; {_fix_for(model, problem['loc'])}"


def _fix_for(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """How to write a scalar key right: its default as a TOML example (numbers and booleans unquoted)."""
    name = loc[-1] if loc else None
    owner = _model_at(model, loc[:-1])
    field_info = owner.model_fields.get(str(name)) if owner is not None else None
    default = field_info.default if field_info is not None else None
    if isinstance(default, bool):
        return f"write true or false, without quotes, e.g. {name} = {str(default).lower()}"
    if isinstance(default, int | float):
        return f"write a number, without quotes, e.g. {name} = {default}"
    return "fix the value"


_EXAMPLES = {
    "hashtags": 'hashtags = ["fliplead"]',
    "base_url": 'base_url = "https://mastodon.social"',
}


def _dotted(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    current = _model_at(model, loc)
    return list(current.model_fields) if current is not None else []


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The section model that the keys under ``loc`` belong to."""
    current: type[BaseModel] = model
    for part in loc:
        if isinstance(part, int):
            continue
        field_info = current.model_fields.get(str(part))
        inner = _model_in(field_info.annotation) if field_info is not None else None
        if inner is None:
            return None
        current = inner
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
