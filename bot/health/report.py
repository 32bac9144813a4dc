"""The health figures: this week against last week, per network and hashtag; each source's runs,
failures and retries; consent removals; refused emails; and the one line that says what needs a
person. :func:`gather` reads them (one Session), :func:`render_text` and :func:`needs_a_person` are pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.config import BlueskySource, HealthSettings, MastodonSource, Settings, XSource
from storage import health as figures
from storage.job_failures import JobFailure, failures_since

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class TagCount:
    network: str
    tag: str
    this_week: int
    last_week: int


@dataclass(frozen=True, slots=True)
class SourceHealth:
    key: str
    name: str
    network: str
    runs: int
    failed_runs: int
    retries: int
    failing_streak: int
    last_error: str | None
    last_post_at: datetime | None
    posts_last_week: int
    posts_recently: int
    quiet: bool

    @property
    def failing(self) -> bool:
        return self.failing_streak > 0


@dataclass(frozen=True, slots=True)
class HealthReport:
    now: datetime
    counts: tuple[TagCount, ...]
    sources: tuple[SourceHealth, ...]
    consent_removals: int
    refused_emails: tuple[tuple[int, str, str], ...]
    drafts_waiting: tuple[int, ...]
    quiet_hours: float
    failed_runs_alert: int
    alerts: tuple[str, ...] = field(default=())
    job_failures: tuple[JobFailure, ...] = field(default=())


def configured_sources(settings: Settings) -> list[tuple[str, str]]:
    """(key, name) of every source in the config, in the order they are collected."""
    sources: tuple[MastodonSource | XSource | BlueskySource, ...] = (
        *settings.mastodon,
        *settings.x,
        *settings.bluesky,
    )
    return [(source.key, source.name) for source in sources]


def gather(session: Session, settings: Settings, now: datetime) -> HealthReport:
    """Read every figure of the report for the week ending ``now``."""
    health = settings.health
    this_week = figures.posts_by_network_and_tag(session, now - WEEK, now)
    last_week = figures.posts_by_network_and_tag(session, now - 2 * WEEK, now - WEEK)
    # Only the hashtags collected: posts carry other tags too, which say nothing about the sources.
    counts = tuple(
        TagCount(network, tag, this_week.get((network, tag), 0), last_week.get((network, tag), 0))
        for network, tag in sorted(_expected(settings))
    )
    totals = figures.run_totals(session, now - WEEK, now)
    sources = tuple(
        _source(session, key, name, totals.get(key), health, now)
        for key, name in configured_sources(settings)
    )
    report = HealthReport(
        now=now,
        counts=counts,
        sources=sources,
        consent_removals=figures.consent_removals(session, now - WEEK, now),
        refused_emails=tuple(figures.refused_emails(session, now - WEEK, now)),
        drafts_waiting=tuple(figures.drafts_waiting(session)),
        quiet_hours=health.quiet_hours,
        failed_runs_alert=health.failed_runs,
        job_failures=tuple(failures_since(session, now - WEEK)),
    )
    return replace(report, alerts=tuple(alerts(report)))


def _expected(settings: Settings) -> set[tuple[str, str]]:
    """Every network and hashtag the config collects, so a silent one shows as 0 rather than vanishing."""
    expected = set()
    for network, sources in (
        ("mastodon", settings.mastodon),
        ("x", settings.x),
        ("bluesky", settings.bluesky),
    ):
        for source in sources:
            expected |= {(network, tag) for tag in source.hashtags}
    return expected


def _source(
    session: Session,
    key: str,
    name: str,
    totals: figures.RunTotals | None,
    health: HealthSettings,
    now: datetime,
) -> SourceHealth:
    quiet_since = now - timedelta(hours=health.quiet_hours)
    outcomes = figures.recent_outcomes(session, key, max(health.failed_runs, 1))
    streak = 0
    for ok in outcomes:
        if ok:
            break
        streak += 1
    last_week = figures.posts_seen_through(session, key, quiet_since - WEEK, quiet_since)
    recently = figures.posts_seen_through(session, key, quiet_since, now)
    return SourceHealth(
        key=key,
        name=name,
        network=key.split(":", 1)[0],
        runs=totals.runs if totals else 0,
        failed_runs=totals.failed if totals else 0,
        retries=totals.retries if totals else 0,
        failing_streak=streak,
        last_error=totals.last_error if totals else None,
        last_post_at=figures.last_post_through(session, key),
        posts_last_week=last_week,
        posts_recently=recently,
        quiet=last_week > 0 and recently == 0,
    )


def alerts(report: HealthReport) -> list[str]:
    """What is wrong now, one sentence each: sources gone quiet, sources failing run after run. Pure."""
    found = []
    for source in report.sources:
        if source.quiet:
            found.append(
                f"{source.name} has brought no posts for {report.quiet_hours:g} hours, although it brought "
                f"{source.posts_last_week} in the week before"
            )
        if source.failing_streak >= report.failed_runs_alert:
            found.append(
                f"{source.name} has failed its last {source.failing_streak} runs"
                + (f" ({source.last_error})" if source.last_error else "")
            )
    return found


def needs_a_person(report: HealthReport) -> str:
    """The one line that says what needs a person, or that nothing does. Pure."""
    needs = list(report.alerts)
    failing = [s.name for s in report.sources if s.failing and s.failing_streak < report.failed_runs_alert]
    if failing:
        needs.append(f"the last run of {', '.join(failing)} failed")
    if report.refused_emails:
        count = len(report.refused_emails)
        needs.append(f"{count} digest email{'s' if count != 1 else ''} refused (check the addresses)")
    if report.drafts_waiting:
        ids = ", ".join(str(i) for i in report.drafts_waiting)
        needs.append(f"digest {ids} waits for review (`exemplar digest show {report.drafts_waiting[0]}`)")
    if not needs:
        return "Needs a person: nothing. Every source answered and nothing waits for you."
    return "Needs a person: " + "; ".join(needs) + "."


def render_text(report: HealthReport) -> str:
    """The report as plain text: the body of the weekly email and what ``exemplar status`` prints. Pure."""
    lines = [needs_a_person(report), "", f"Posts collected (week to {report.now:%Y-%m-%d %H:%M} UTC):"]
    width = max([len(f"{c.network} #{c.tag}") for c in report.counts] + [20])
    lines.append(f"  {'network and hashtag':<{width}}  this week  last week  change")
    for count in report.counts:
        label = f"{count.network} #{count.tag}"
        change = count.this_week - count.last_week
        lines.append(f"  {label:<{width}}  {count.this_week:>9}  {count.last_week:>9}  {change:>+6}")
    if not report.counts:
        lines.append("  (no hashtags collected yet)")
    lines += ["", "Sources (this week):"]
    for source in report.sources:
        last = f"{source.last_post_at:%Y-%m-%d %H:%M}" if source.last_post_at else "never"
        line = (
            f"  {source.name}: {source.runs} runs, {source.failed_runs} failed, {source.retries} retries; "
            f"last new post {last}"
        )
        if source.last_error:
            line += f"; last error: {source.last_error}"
        lines.append(line)
    if not report.sources:
        lines.append("  (no sources configured)")
    if report.job_failures:
        lines += ["", "Scheduled jobs that failed (this week; each job's last failure):"]
        lines += [f"  {f.job}: {f.at:%Y-%m-%d %H:%M} UTC: {f.error}" for f in report.job_failures]
    lines += [
        "",
        f"Removed for consent (opt-outs) this week: {report.consent_removals}",
        f"Digest emails refused this week: {len(report.refused_emails)}",
    ]
    lines += [
        f"  digest {digest}: {recipient}: {error}" for digest, recipient, error in report.refused_emails
    ]
    return "\n".join(lines) + "\n"
