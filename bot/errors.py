"""Exemplar's exception tree. The CLI turns each into one line and an exit code."""

from __future__ import annotations


class ExemplarError(Exception):
    """Base for errors a user can act on; the message says what to do."""


class ConfigError(ExemplarError):
    """The configuration is missing, unreadable or invalid."""


class SourceError(ExemplarError):
    """A source (an instance, an API) could not be read."""


class RateLimitedError(SourceError):
    """The source asked us to wait longer than we are allowed to."""


class MalformedResponseError(SourceError):
    """The source answered with something that is not the JSON it promised."""
