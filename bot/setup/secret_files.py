"""Secrets written by Exemplar itself (the bot's token, an app's client secret): owner-only files."""

from __future__ import annotations

import os
from pathlib import Path


def write_private_file(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` with mode 0600 (its folder 0700 if created), replacing it atomically.

    The file is created with the final mode, so the secret is never readable by others, not even
    for a moment.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.writing")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(content if content.endswith("\n") else content + "\n")
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
