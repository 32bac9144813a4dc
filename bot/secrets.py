"""Secrets from the environment, never from the config file, never in logs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bot.errors import ConfigError


class Secret:
    """A value that prints as ``**********`` so it cannot leak through a repr or a log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def secret_from_env(variable: str, key: str, environ: Mapping[str, str] | None = None) -> Secret:
    """Read the secret named by ``variable``, or by the file that ``{variable}_FILE`` names.

    ``key`` is the config key that named the variable, for the error message.
    """
    env = os.environ if environ is None else environ
    value = env.get(variable)
    if value:
        return Secret(value.strip())
    file_variable = f"{variable}_FILE"
    path = env.get(file_variable)
    if path:
        try:
            content = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(
                f"{key}: cannot read the file that {file_variable} names ({error.strerror}); "
                f"fix the path in {file_variable}"
            ) from error
        if content:
            return Secret(content)
        raise ConfigError(f"{key}: the file that {file_variable} names is empty; put the secret in it")
    raise ConfigError(
        f"{key}: environment variable {variable} is not set; export {variable}=... "
        f"(or {file_variable}=/path/to/file), or remove {key.rsplit('.', 1)[-1]} from the config"
    )
