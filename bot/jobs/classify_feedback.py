"""Learning from curators: the correction report, applying its proposals, and the catalogue with them.

The pure work is :mod:`bot.classify.feedback`; this module reads the database and writes applied
proposals back, so that every classifier set up afterwards (collection, import, ``classify --all``)
uses them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from bot.classify.additions import with_additions
from bot.classify.catalogue import ToolCatalogue
from bot.classify.feedback import DEFAULT_MIN_POSTS, Correction, FeedbackReport, ToolMention, analyse
from bot.errors import ExemplarError
from bot.jobs.applied_catalogue import applied_additions, catalogue_with_applied
from bot.networks.errors import MalformedPayloadError
from bot.networks.mastodon.normalise import normalise_status
from storage import classify_feedback as feedback_repo
from storage.db import session_scope

__all__ = [
    "UnknownProposalError",
    "applied_additions",
    "apply_proposals",
    "catalogue_with_applied",
    "feedback_report",
]

log = logging.getLogger(__name__)

# Rule reasons that name a tool the catalogue lacks, or a near miss of one it has.
_REASONS_TO_LEARN_FROM = ("(not in the catalogue", "(written '")


class UnknownProposalError(ExemplarError):
    """``--apply`` named a proposal the current report does not make."""


def feedback_report(
    engine: Engine, catalogue: ToolCatalogue, *, min_posts: int = DEFAULT_MIN_POSTS
) -> tuple[FeedbackReport, dict[int, str]]:
    """The report on every curator correction, and each corrected post's URL.

    ``catalogue`` is the configured catalogue; applied additions are added to it here.
    """
    applied = applied_additions(engine)
    current = with_additions(catalogue, applied)
    corrections: list[Correction] = []
    mentions: list[ToolMention] = []
    urls: dict[int, str] = {}
    with session_scope(engine) as session:
        rows, agreeing = feedback_repo.curator_corrections(session)
        for row in rows:
            try:
                post = normalise_status(row.raw)
            except MalformedPayloadError as error:
                log.warning("post %d: its stored payload cannot be read (%s); left out", row.post_id, error)
                continue
            urls[row.post_id] = row.post_url
            corrections.append(
                Correction(
                    row.post_id, post, row.label, row.added, row.rule_reason, row.set_by, row.updated_at
                )
            )
        for tool_row in feedback_repo.rule_tool_labels(session, _REASONS_TO_LEARN_FROM):
            try:
                mentions.append(
                    ToolMention(tool_row.post_id, normalise_status(tool_row.raw), tool_row.reason)
                )
            except MalformedPayloadError:
                continue
    report = analyse(
        corrections, current, tool_mentions=mentions, applied=applied, min_posts=min_posts, agreeing=agreeing
    )
    return report, urls


def apply_proposals(
    engine: Engine,
    catalogue: ToolCatalogue,
    keys: Sequence[str],
    *,
    by: str | None,
    now: datetime,
    min_posts: int = DEFAULT_MIN_POSTS,
) -> list[str]:
    """Store the proposals named by ``keys`` (``all`` for every one); the keys newly applied.

    Raises :class:`UnknownProposalError` naming any key the current report does not propose.
    """
    report, _ = feedback_report(engine, catalogue, min_posts=min_posts)
    proposals = {proposal.key: proposal for proposal in report.proposals}
    wanted = list(proposals) if "all" in keys else list(dict.fromkeys(keys))
    unknown = [key for key in wanted if key not in proposals]
    if unknown:
        known = ", ".join(proposals) or "none"
        raise UnknownProposalError(
            f"no such proposal: {', '.join(unknown)} (proposed now: {known});"
            " see `exemplar classify --report`"
        )
    applied = []
    with session_scope(engine) as session:
        for key in wanted:
            proposal = proposals[key]
            addition = proposal.addition
            if feedback_repo.record_addition(
                session,
                kind=addition.kind,
                tool=addition.tool,
                spelling=addition.spelling,
                domains=addition.domains,
                posts_count=len(proposal.post_ids),
                by=by,
                now=now,
            ):
                applied.append(key)
    return applied
