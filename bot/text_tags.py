"""Hashtags written in plain text, for payloads that do not list them separately."""

from __future__ import annotations

import re

# A hashtag starts after a non-word character (not inside a URL fragment like page#section).
_HASHTAG = re.compile(r"(?<![\w/#&])#(\w*[^\W\d_]\w*)", re.UNICODE)


def hashtags_in_text(text: str) -> list[str]:
    """Lower-cased hashtags in order of first appearance.

    >>> hashtags_in_text("New video for #FlipLead staff, see https://x.example/a#b and #edtech")
    ['fliplead', 'edtech']
    """
    return list(dict.fromkeys(match.lower() for match in _HASHTAG.findall(text)))
