"""`exemplar classify --report` and `--apply`: what curators corrected, and the catalogue changes it implies.

The work is in :mod:`bot.jobs.classify_feedback`; this only prints.
"""

from __future__ import annotations

import getpass

import click

from bot.runtime import App, utc_now


def report_or_apply(app: App, apply_keys: tuple[str, ...], *, min_posts: int, by: str | None) -> None:
    """Print the correction report, or (with ``apply_keys``) store the named proposals."""
    from bot.classify import load_catalogue
    from bot.classify.feedback import render_report
    from bot.jobs.classify_feedback import apply_proposals, feedback_report

    catalogue = load_catalogue(app.settings.tools)
    if not apply_keys:
        found, urls = feedback_report(app.engine, catalogue, min_posts=min_posts)
        click.echo(render_report(found, urls))
        return
    applied = apply_proposals(
        app.engine, catalogue, apply_keys, by=by or getpass.getuser(), now=utc_now(), min_posts=min_posts
    )
    click.echo(f"applied {', '.join(applied) or 'nothing new'}; `exemplar classify --all` re-labels with it")
