"""The one error a normaliser raises."""

from __future__ import annotations


class MalformedPayloadError(ValueError):
    """A payload lacks a field a post cannot do without, or has it in an unusable shape."""
