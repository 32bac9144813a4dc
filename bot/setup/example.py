"""The commented example config that ships inside the package (``exemplar init --example``)."""

from __future__ import annotations

from importlib.resources import files


def example_config() -> str:
    """The text of ``config.example.toml``, as installed with Exemplar."""
    return (files("bot") / "data" / "config.example.toml").read_text(encoding="utf-8")
