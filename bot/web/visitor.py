"""What differs on a page from one visitor to the next: the curator signed in (the desk link, the
logout form and its CSRF token) and a one-time message. Everything else on a public page is the same
for everyone, so a page for an anonymous visitor can be rendered once and kept (:mod:`bot.web.page_cache`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from bot.web.flash import has_flash, pop_flash
from bot.web.security import csrf_token, current_curator

# What an anonymous visitor's page is rendered with: no curator, no form token, no message. Nothing is
# put in their session, so such a page sets no cookie.
ANONYMOUS: dict[str, Any] = {"curator": None, "csrf": "", "flash": None}


def visitor_context(request: Request) -> dict[str, Any]:
    """The template values for this visitor (a context processor: every rendered page gets them)."""
    return {"curator": current_curator(request), "csrf": csrf_token(request), "flash": pop_flash(request)}


def is_anonymous(request: Request) -> bool:
    """Whether this visitor sees a page exactly as :data:`ANONYMOUS` renders it."""
    return current_curator(request) is None and not has_flash(request)
