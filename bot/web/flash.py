"""One-time messages: a desk action says what it did on the page it leads to.

Kept in the signed session cookie (they are our own words, never authority) until shown once.
"""

from __future__ import annotations

from starlette.requests import Request

FLASH = "flash"
MAX_MESSAGES = 5


def flash(request: Request, message: str) -> None:
    """Show ``message`` on the next page this browser renders."""
    pending = [str(m) for m in request.session.get(FLASH, [])][-(MAX_MESSAGES - 1) :]
    request.session[FLASH] = [*pending, message]


def pop_flash(request: Request) -> str | None:
    """The pending messages (joined), removed so they show only once; None when there are none."""
    if "session" not in request.scope:
        return None
    pending = request.session.pop(FLASH, None)
    if not pending:
        return None
    return " ".join(str(m) for m in pending)


def has_flash(request: Request) -> bool:
    """Whether a message waits to be shown (looking does not show it)."""
    return "session" in request.scope and bool(request.session.get(FLASH))
