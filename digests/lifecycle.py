"""The digest lifecycle: which transitions are allowed. Pure.

::

    draft ──approve──▶ approved ──publish──▶ published
      │                   │
      └──reject──▶ rejected ◀──reject──┘
    draft/approved ──(a new draft for the same period)──▶ superseded
"""

from __future__ import annotations

from bot.errors import ExemplarError
from digests.model import DigestStatus

TRANSITIONS: dict[str, tuple[frozenset[str], DigestStatus]] = {
    "approve": (frozenset({"draft"}), "approved"),
    "reject": (frozenset({"draft", "approved"}), "rejected"),
    "publish": (frozenset({"approved"}), "published"),
    "supersede": (frozenset({"draft", "approved"}), "superseded"),
}
EDITABLE: frozenset[str] = frozenset({"draft"})


class TransitionError(ExemplarError):
    """A digest cannot go where it was asked to."""


def next_status(current: str, action: str) -> DigestStatus:
    """The status after ``action``, or :class:`TransitionError` saying why not.

    >>> next_status("draft", "approve")
    'approved'
    """
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        hint = {
            "publish": "only approved digests publish: run `exemplar digest approve ID` first",
            "approve": "only drafts can be approved",
        }.get(action, f"a {current} digest cannot be {target}")
        raise TransitionError(f"digest is {current}: {hint}")
    return target


def check_editable(current: str) -> None:
    """Only drafts are edited; an approved digest is what the curator signed off."""
    if current not in EDITABLE:
        raise TransitionError(
            f"digest is {current}: only drafts can be edited (draft a new one with `exemplar digest draft`)"
        )
