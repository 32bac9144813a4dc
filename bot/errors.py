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


class DatabaseError(ExemplarError):
    """The database cannot be opened, read or written; the message names it, the cause and the fix."""


class DatabaseConfigError(DatabaseError, ConfigError):
    """The database URL cannot work: it is malformed or names a driver Exemplar does not have."""


class BusyError(ExemplarError):
    """Another run is doing the same work right now (publishing the same digest, say)."""


class InterruptedRunError(ExemplarError):
    """A run was stopped part-way (Ctrl-C); what it finished is kept, and the message says so."""
