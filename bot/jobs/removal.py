"""How much one refresh may remove before its answers count as a fault rather than as evidence.

A refresh that would remove more than ``REMOVAL_SHARE`` of the posts it checked, and more than
``REMOVAL_HANDFUL``, removes nothing and reports the source as faulty: an instance that purged its
cache, a maintenance page or a proxy answering 404 for everything look exactly like mass deletion,
and real authors do not delete a fifth of a hashtag's week at once.
"""

from __future__ import annotations

REMOVAL_SHARE = 0.2
REMOVAL_HANDFUL = 5


def removal_limit(checked: int) -> int:
    """The most posts one refresh of ``checked`` posts may remove; more means the source is faulty.

    >>> removal_limit(10), removal_limit(100)
    (5, 20)
    """
    return max(REMOVAL_HANDFUL, int(checked * REMOVAL_SHARE))
