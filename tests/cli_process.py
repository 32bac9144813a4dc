"""Running ``exemplar`` as a real process, and what every failure must look like."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXEMPLAR = str(Path(sys.executable).with_name("exemplar"))


def run_exemplar(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")}
    return subprocess.run(
        [EXEMPLAR, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def assert_one_line_failure(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The process failed with ``code`` and said why in one line on stderr, with no traceback."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("exemplar: "), lines[0]
    assert result.returncode == code, (result.returncode, result.stderr)
    return lines[0]
