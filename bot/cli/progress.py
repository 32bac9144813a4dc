"""Progress of a collection run: a live line on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from bot.jobs.summary import SourceSummary

log = logging.getLogger("bot.collect")


class TerminalProgress:
    """Rewrites one status line in place; call :meth:`finish` before printing anything else."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._width = 0

    def page_stored(self, summary: SourceSummary, tag: str) -> None:
        line = (
            f"{summary.name} #{tag}: {summary.fetched} fetched, {summary.new} new, "
            f"{summary.updated} updated, {sum(summary.skipped.values())} skipped"
        )
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = len(line)

    def finish(self) -> None:
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


class LogProgress:
    """One log line per stored page, for cron jobs and log files."""

    def page_stored(self, summary: SourceSummary, tag: str) -> None:
        log.info(
            "%s #%s: %d fetched, %d new, %d updated so far",
            summary.name,
            tag,
            summary.fetched,
            summary.new,
            summary.updated,
        )

    def finish(self) -> None:
        return None


def progress_for(stream: TextIO | None = None) -> TerminalProgress | LogProgress:
    """A live line when ``stream`` (stderr by default) is a terminal, log lines otherwise."""
    target = stream or sys.stderr
    return TerminalProgress(target) if target.isatty() else LogProgress()
