"""An httpx transport that makes the text of JSON answers valid before an SDK parses them.

The atproto SDK validates answers with pydantic, which refuses a lone surrogate (``"\\ud800"``) in any
string: one such post would fail its whole page. Answers whose body has no escape that could decode to
invalid text (the usual case) pass through untouched.
"""

from __future__ import annotations

import json
import re

import httpx

from bot.valid_text import valid_record

# A \u escape of a surrogate or of a control character: the only ways JSON spells text we repair.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:[dD][89a-fA-F]|00[01]|[fF]{3}[eEfF])")


class ValidTextTransport(httpx.BaseTransport):
    """Wraps ``inner``: JSON answers come back with every string made valid (:mod:`bot.valid_text`)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if "json" not in response.headers.get("content-type", ""):
            return response
        body = response.read()
        if not _SUSPECT_ESCAPE.search(body):
            return response
        try:
            repaired = valid_record(json.loads(body), strict=False)
        except ValueError:  # not JSON after all: the SDK reports it as it would have
            return response
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-length", "content-encoding", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=json.dumps(repaired, ensure_ascii=False).encode("utf-8"),
            request=request,
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()
