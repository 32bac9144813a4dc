"""The tool catalogue with the additions curators applied from ``exemplar classify --report``.

Kept apart from :mod:`bot.jobs.classify_feedback` (the report itself), so that every command can set
up its catalogue without loading the report's analysis or the classifier.
"""

from __future__ import annotations

from sqlalchemy import Engine

from bot.classify.additions import ADDITION_KINDS, AdditionKind, CatalogueAddition, with_additions
from bot.classify.catalogue import ToolCatalogue
from bot.errors import ExemplarError
from storage import classify_feedback as feedback_repo
from storage.db import session_scope


def applied_additions(engine: Engine) -> list[CatalogueAddition]:
    """The catalogue additions curators have applied, oldest first."""
    with session_scope(engine) as session:
        return [
            CatalogueAddition(_kind(row.kind), row.tool, row.spelling, tuple(row.domains or ()))
            for row in feedback_repo.applied_additions(session)
        ]


def catalogue_with_applied(engine: Engine, catalogue: ToolCatalogue) -> ToolCatalogue:
    """``catalogue`` with every applied addition."""
    return with_additions(catalogue, applied_additions(engine))


def _kind(value: str) -> AdditionKind:
    for kind in ADDITION_KINDS:
        if value == kind:
            return kind
    raise ExemplarError(f"catalogue_additions: unknown kind {value!r}")
