"""Making untrusted text storable: every string of a raw record becomes valid Unicode.

JSON may carry escapes that decode to text no database accepts: a lone surrogate (``"\\ud800"``) cannot
be encoded as UTF-8, and PostgreSQL refuses NUL in text. One such character in one post must not fail
the page it came on, so each raw record passes through :func:`valid_record` before it is normalised.
Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.networks.errors import MalformedPayloadError

REPLACEMENT = "\ufffd"
MAX_DEPTH = 200  # far deeper than any API object; deeper records are skipped, not stored

# Characters no XML document (the archive's Atom feed) may contain, besides surrogates: C0 controls
# other than tab, newline and carriage return, and the noncharacters U+FFFE and U+FFFF.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def valid_text(text: str) -> str:
    """``text`` with surrogate pairs joined, lone surrogates replaced by U+FFFD and control characters
    (other than tab and line breaks) removed.

    >>> valid_text("caf\\u00e9 \\ud83d\\ude00 \\ud800!")
    'café 😀 \\ufffd!'
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # UTF-16 joins the pairs that are pairs; what is left is a lone surrogate, replaced on decoding.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _NOT_TEXT.sub("", text) if _NOT_TEXT.search(text) else text


# What, in JSON text, can decode to a string valid_record repairs: a surrogate, control or noncharacter
# escape (\b and \f included). A match may be a false alarm (the repair then finds nothing).
_ESCAPE_NEEDING_REPAIR = re.compile(r"\\(?:[bf]|u(?:[dD][89a-fA-F]|00[01]|[fF]{3}[eEfF]))")


def finite_or_none(number: str) -> float | None:
    """A JSON number as a float, or ``None`` where it is too large for one (``1e999``): what
    :func:`valid_record` makes of it, for a decoder's ``parse_float``."""
    value = float(number)
    return value if math.isfinite(value) else None


def json_may_need_repair(json_text: str) -> bool:
    """Whether ``json_text``, decoded with non-finite numbers read as ``None`` (``NaN``, ``Infinity``;
    see :func:`finite_or_none`), may need :func:`valid_record`. When false it cannot: only an escape or
    a noncharacter in the text decodes to a string that needs repair.

    >>> json_may_need_repair('{"text": "caf\\u00e9"}'), json_may_need_repair('{"text": "\\ud800"}')
    (False, True)
    """
    return (
        ("\\" in json_text and _ESCAPE_NEEDING_REPAIR.search(json_text) is not None)
        or "\ufffe" in json_text
        or "\uffff" in json_text
    )


def valid_record(record: Any, *, strict: bool = True) -> Any:
    """A copy of a decoded JSON value (or an SDK's mappings) whose every string, keys included, is
    :func:`valid_text`, and whose NaN and Infinity are ``None``; the value itself when nothing needed
    repair.

    A record nested deeper than :data:`MAX_DEPTH` raises :class:`MalformedPayloadError`, or with
    ``strict=False`` (a whole page, whose posts are checked one by one later) keeps its deep parts as
    they are.
    """
    return _repair(record, 0, strict) if _may_need_repair(record) else record


# A character valid_text removes or replaces: a surrogate (lone or not: a str holds them as they came),
# or one of _NOT_TEXT.
_NEEDING_REPAIR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _may_need_repair(record: Any) -> bool:
    """Whether :func:`_repair` may return anything but ``record`` itself (or raise): false only when
    it cannot. Its strings are gathered by a walk that copies nothing (of the JSON types: anything
    else is left to ``_repair``) and searched at once."""
    texts: list[str] = []
    return not _gathered(record, 0, texts) or _NEEDING_REPAIR.search(" ".join(texts)) is not None


def _gathered(value: Any, depth: int, texts: list[str]) -> bool:
    """Add the strings of ``value`` to ``texts``; false if it holds what only ``_repair`` can judge
    (a number that is not finite, a container too deep, a type JSON does not have)."""
    kind = type(value)
    if kind is dict or kind is list:
        if depth >= MAX_DEPTH:
            return False
        # A dict's keys, then its values (the order of ``texts`` is of no account).
        if not _each_gathered(value, depth + 1, texts):
            return False
        return kind is list or _each_gathered(value.values(), depth + 1, texts)
    if kind is str:
        texts.append(value)
        return True
    if value is None or kind is int or kind is bool:
        return True
    return kind is float and math.isfinite(value)


def _each_gathered(items: Iterable[Any], depth: int, texts: list[str]) -> bool:
    """:func:`_gathered` of each of ``items``, with the commonest (strings, numbers) added here."""
    for item in items:
        kind = type(item)
        if kind is str:
            texts.append(item)
        elif item is not None and kind is not int and kind is not bool and not _gathered(item, depth, texts):
            return False
    return True


def _repair(value: Any, depth: int, strict: bool) -> Any:
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN and Infinity are not JSON, though Python reads them: PostgreSQL refuses them
    if not isinstance(value, Mapping | list | tuple):
        return value
    if depth >= MAX_DEPTH:
        if strict:
            raise MalformedPayloadError(f"nested deeper than {MAX_DEPTH} levels")
        return value
    if isinstance(value, Mapping):
        pairs = [
            (key, item, _repair(key, depth + 1, strict), _repair(item, depth + 1, strict))
            for key, item in value.items()
        ]
        if all(new_key is key and new_item is item for key, item, new_key, new_item in pairs):
            return value
        return {new_key: new_item for _key, _item, new_key, new_item in pairs}
    items = [_repair(item, depth + 1, strict) for item in value]
    if all(new is old for new, old in zip(items, value, strict=True)):
        return value
    return tuple(items) if isinstance(value, tuple) else items
