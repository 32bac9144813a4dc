"""The collection progress display: a live line on a terminal, log lines otherwise."""

from __future__ import annotations

import io
import logging

import pytest

from bot.cli.progress import LogProgress, TerminalProgress, progress_for
from bot.jobs.summary import SourceSummary


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    terminal = FakeTerminal()
    progress = progress_for(terminal)
    assert isinstance(progress, TerminalProgress)
    summary = SourceSummary(name="mastodon.social", fetched=40, new=38)

    progress.page_stored(summary, "fliplead")
    summary.fetched, summary.new = 80, 70
    progress.page_stored(summary, "fliplead")
    progress.finish()

    output = terminal.getvalue()
    assert "\n" not in output
    assert output.count("\r") == 4  # two updates, then the line is wiped clean
    assert "mastodon.social #fliplead: 80 fetched, 70 new, 0 updated, 0 skipped" in output
    assert output.endswith("\r")


def test_anything_else_gets_plain_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    progress = progress_for(io.StringIO())
    assert isinstance(progress, LogProgress)
    with caplog.at_level(logging.INFO):
        progress.page_stored(SourceSummary(name="mastodon.social", fetched=40, new=40), "fliplead")
    assert "mastodon.social #fliplead: 40 fetched, 40 new, 0 updated so far" in caplog.text
