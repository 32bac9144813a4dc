"""JSON columns written from text that is JSON already, so that it is not serialised a second time.

An import reads each record as a line of JSON; when the stored payload is exactly that record, the
line is stored as it is (:class:`SerialisedJson`) instead of ``json.dumps`` of the parsed record, which
would cost as much as parsing it did. Every engine writes JSON columns through :func:`json_serializer`.
"""

from __future__ import annotations

import json
from typing import Any


class SerialisedJson(str):
    """A JSON value as text, to be stored as it is (the caller vouches that it is valid JSON)."""

    __slots__ = ()


def json_serializer(value: Any) -> str:
    """What a JSON column stores for ``value``: its text when it is :class:`SerialisedJson`, else
    ``json.dumps`` of it (SQLAlchemy's default)."""
    if isinstance(value, SerialisedJson):
        return str.__str__(value)
    return json.dumps(value)
