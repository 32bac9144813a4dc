"""Strict config types: every number and boolean key refuses strings, other types, inf, nan and values
outside finite bounds, with one line naming the key and the fix.

The keys are found by walking the settings model, so a key added later is covered without a new test.
"""

from __future__ import annotations

import math
import types
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bot.config import FileSettings, settings_from_mapping
from bot.errors import ConfigError
from tests.cli_process import assert_one_line_failure, run_exemplar

ENV = {"T": "token"}
# The smallest valid section of each model that has required keys (a new one must be added here).
MINIMAL: dict[str, dict[str, Any]] = {
    "MastodonSettings": {"base_url": "https://school.example"},
    "XSettings": {"bearer_token_env": "T"},
    "BlueskySettings": {"handle": "a.bsky.social", "app_password_env": "T"},
    "MastodonPublishSettings": {"base_url": "https://school.example", "access_token_env": "T"},
    "XPublishSettings": {
        "consumer_key_env": "T",
        "consumer_secret_env": "T",
        "access_token_env": "T",
        "access_token_secret_env": "T",
    },
    "BlueskyPublishSettings": {"handle": "a.bsky.social", "app_password_env": "T"},
    "EmailSettings": {"from": "digest@school.example"},
    "ToolEntry": {"name": "Padlet"},
}


def _scalar(annotation: Any) -> type | None:
    """``int``, ``float`` or ``bool`` when that is what the key holds (optionally or not)."""
    if get_origin(annotation) is Annotated:
        return _scalar(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        found = [_scalar(arg) for arg in get_args(annotation) if arg is not type(None)]
        return found[0] if len(found) == 1 else None
    return annotation if annotation in (int, float, bool) else None


def _section_model(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """The model a key holds, and whether it is a list of them."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if get_origin(annotation) is list:
        inner = _section_model(get_args(annotation)[0])
        return (inner[0], True) if inner else None
    for arg in get_args(annotation):
        found = _section_model(arg)
        if found:
            return found
    return None


def _keys(
    model: type[BaseModel], path: tuple[Any, ...] = ()
) -> list[tuple[tuple[Any, ...], FieldInfo, type]]:
    found = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        kind = _scalar(info.annotation)
        if kind is not None:
            found.append(((*path, key), info, kind))
            continue
        section = _section_model(info.annotation)
        if section is not None:
            inner, is_list = section
            found += _keys(inner, (*path, (key, inner, is_list)))
    return found


def _config_with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """The smallest valid config, with the key at ``path`` set to ``value``."""
    config: dict[str, Any] = {"hashtags": ["fliplead"]}
    here = config
    for key, model, is_list in path[:-1]:
        section = dict(MINIMAL.get(model.__name__, {}))
        here[key] = [section] if is_list else section
        here = section
    here[path[-1]] = value
    return config


def _dotted(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path[:-1]:
        key, _model, is_list = part
        text += ("." if text else "") + key + ("[0]" if is_list else "")
    return f"{text}.{path[-1]}" if text else str(path[-1])


KEYS = _keys(FileSettings)
NUMBERS = [pytest.param(path, kind, id=_dotted(path)) for path, _info, kind in KEYS if kind is not bool]
BOOLEANS = [pytest.param(path, id=_dotted(path)) for path, _info, kind in KEYS if kind is bool]


def _refused(config: dict[str, Any], path: tuple[Any, ...]) -> str:
    with pytest.raises(ConfigError) as raised:
        settings_from_mapping(config, path=Path("exemplar.toml"), environ=ENV)
    message = str(raised.value)
    assert "\n" not in message
    assert f"exemplar.toml: {_dotted(path)}" in message, message
    return message


def test_the_walk_finds_the_keys_and_every_section_with_required_keys_has_an_example() -> None:
    names = {_dotted(path) for path, _info, _kind in KEYS}
    assert {"collect.page_size", "collect.request_timeout", "links.resolve", "email.smtp_port"} <= names
    assert "publish.mastodon.char_limit" in names
    for path, _info, _kind in KEYS:
        for _key, model, _is_list in path[:-1]:
            required = [n for n, f in model.model_fields.items() if f.is_required()]
            assert not required or model.__name__ in MINIMAL, f"add a minimal {model.__name__} to MINIMAL"


@pytest.mark.parametrize(("path", "kind"), NUMBERS)
def test_number_keys_take_their_default_and_refuse_anything_else(path: tuple[Any, ...], kind: type) -> None:
    info = next(info for p, info, _k in KEYS if p == path)
    default = info.default if info.default is not None else 200
    settings_from_mapping(_config_with(path, default), path=None, environ=ENV)  # the default is valid

    for wrong in (str(default), "", True, [default], {"value": default}, math.inf, -math.inf, math.nan):
        message = _refused(_config_with(path, wrong), path)
        assert "e.g." in message or "must be" in message
    for absurd in (10**18, -(10**18), 1e300, -1e300):
        _refused(_config_with(path, absurd), path)
    if kind is int:
        _refused(_config_with(path, float(default) + 0.5), path)


@pytest.mark.parametrize("path", BOOLEANS)
def test_boolean_keys_refuse_strings_and_numbers(path: tuple[Any, ...]) -> None:
    for right in (True, False):
        settings_from_mapping(_config_with(path, right), path=None, environ=ENV)
    for wrong in ("true", "false", "yes", "", 1, 0, 1.0):
        message = _refused(_config_with(path, wrong), path)
        assert "true or false" in message, message


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ('[collect]\npage_size = "40"', "collect.page_size"),
        ("[collect]\nrequest_timeout = inf", "collect.request_timeout"),
        ("[collect]\nbackfill_days = nan", "collect.backfill_days"),
        ("[collect]\nmax_pages = 9223372036854775807", "collect.max_pages"),
        ('[links]\nresolve = "false"', "links.resolve"),
        ("[schedule]\ncollect_every_minutes = -5", "schedule.collect_every_minutes"),
    ],
)
def test_the_command_refuses_a_loose_value_in_one_line(setting: str, named: str, tmp_path: Path) -> None:
    config = tmp_path / "exemplar.toml"
    config.write_text(
        f'hashtags = ["fliplead"]\n[database]\nurl = "sqlite:///exemplar.db"\n{setting}\n', encoding="utf-8"
    )
    line = assert_one_line_failure(run_exemplar("--config", str(config), "db", "status", cwd=tmp_path), 2)
    assert named in line
    assert not (tmp_path / "exemplar.db").exists()
