"""The digest lifecycle: which transitions are allowed. Pure.

::

    draft ──approve──▶ approved ──publish──▶ published
      │                   │
      └──reject──▶ rejected ◀──reject──┘
    draft/approved ──(a new draft for the same period)──▶ superseded

A digest with no items is never approved or published (Discourse's digest rule): the draft stays, and
says why.
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


NEEDS_ITEMS: frozenset[str] = frozenset({"approve", "publish"})


class TransitionError(ExemplarError):
    """A digest cannot go where it was asked to."""


class EmptyDigestError(TransitionError):
    """A digest with no items cannot be approved or published."""


def next_status(
    current: str, action: str, *, items: int | None = None, digest_id: int | None = None
) -> DigestStatus:
    """The status after ``action``, or :class:`TransitionError` saying why not. ``items`` is how many
    items the digest has, where the action needs some (approve, publish).

    >>> next_status("draft", "approve", items=3)
    'approved'
    """
    if action in NEEDS_ITEMS and items == 0:
        raise EmptyDigestError(empty_reason(digest_id))
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        hint = {
            "publish": "only approved digests publish: run `exemplar digest approve ID` first",
            "approve": "only drafts can be approved",
        }.get(action, f"a {current} digest cannot be {target}")
        raise TransitionError(f"digest is {current}: {hint}")
    return target


def empty_reason(digest_id: int | None = None) -> str:
    """Why an empty digest is refused, and what to do instead."""
    number = "ID" if digest_id is None else str(digest_id)
    return (
        f"digest {number} has no items, and an empty digest is never approved or published: add "
        f"posts with `exemplar digest edit {number} --add POST`, or reject it with "
        f"`exemplar digest reject {number}`"
    )


def check_editable(current: str) -> None:
    """Only drafts are edited; an approved digest is what the curator signed off."""
    if current not in EDITABLE:
        raise TransitionError(
            f"digest is {current}: only drafts can be edited (draft a new one with `exemplar digest draft`)"
        )
