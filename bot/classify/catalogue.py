"""The tool catalogue: which apps and services count as tools, their names, and their domains.

The shipped catalogue is ``bot/data/tools.json``; a configuration can add entries of the same shape::

    {"name": "Microsoft Teams", "aliases": ["MS Teams", "Teams"], "domains": ["teams.microsoft.com"],
     "ambiguous": ["Teams"]}

``aliases`` are matched case-insensitively as whole words; ``domains`` are hosts (subdomains match
too) optionally followed by a path prefix (``docs.google.com/forms``). ``ambiguous`` marks spellings
that are also ordinary words ("loom large", "teams of three"): ``true`` for every spelling of the tool,
or the list of those spellings; :mod:`bot.classify.tools` then asks for context.
An extra entry whose name matches a shipped one replaces it, so a user can also correct an entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from bot.classify.spelling import NearMiss, NearNames
from bot.classify.urls import split_url
from bot.errors import ConfigError

_WORD = re.compile(r"[^\W_]+")
# For ASCII text: a letter or digit stays, anything else becomes a space, so that splitting the
# result at spaces gives _WORD's words (far faster than the pattern).
_ASCII_WORD_BYTES = bytes(code if code < 128 and chr(code).isalnum() else 32 for code in range(256))
# A name right after these is part of something else: a handle (@loom), a path (/flip) or a host.
_NOT_BEFORE_NAME = frozenset("@/._-")
_CATALOGUE_FILE = "tools.json"


class CatalogueError(ConfigError):
    """A tool catalogue entry is missing a field or has it in the wrong shape."""


@dataclass(frozen=True, slots=True)
class Tool:
    """One app or service: the name a curator reads, other spellings, and the domains it serves."""

    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    ambiguous_spellings: frozenset[str] = frozenset()

    @property
    def spellings(self) -> tuple[str, ...]:
        """The name and every alias, without duplicates."""
        return tuple(dict.fromkeys((self.name, *self.aliases)))

    def needs_context(self, spelling: str) -> bool:
        """Whether this spelling of the tool is also an ordinary word ("Loom", "Teams")."""
        return _fold(spelling) in self.ambiguous_spellings


@dataclass(frozen=True, slots=True)
class NameMatch:
    """Where a tool's name appears in a text: ``text[start:end]`` is the spelling as written."""

    tool: Tool
    start: int
    end: int
    written: str
    needs_context: bool


class ToolCatalogue:
    """Tools, indexed for fast lookup by name in text, by exact name, and by link.

    >>> catalogue = ToolCatalogue([Tool("Padlet", domains=("padlet.com",))])
    >>> [m.tool.name for m in catalogue.names_in("Our padlet wall")]
    ['Padlet']
    >>> catalogue.tool_for_url("https://padlet.com/school/abc").name
    'Padlet'
    """

    def __init__(self, tools: Iterable[Tool]) -> None:
        self.tools: tuple[Tool, ...] = tuple(tools)
        self._by_spelling: dict[str, Tool] = {}
        for tool in self.tools:
            for spelling in tool.spellings:
                self._by_spelling.setdefault(_fold(spelling), tool)
        # Spellings indexed by their first word, longest first, so that finding names costs one dict
        # lookup per word of text rather than one regex branch per spelling.
        self._spellings_by_first_word: dict[str, list[str]] = {}
        for spelling in sorted(self._by_spelling, key=len, reverse=True):
            first = _WORD.match(spelling)
            if first is not None:
                self._spellings_by_first_word.setdefault(first.group(), []).append(spelling)
        self._first_words = frozenset(self._spellings_by_first_word)
        # A first word's patterns are compiled when a text first contains it: a command that labels
        # no post (a collect that finds nothing new) compiles none of the few hundred.
        self._by_first_word: dict[str, list[tuple[re.Pattern[str], Tool, bool]]] = {}
        self._by_host: dict[str, list[tuple[str, Tool]]] = {}
        for tool in self.tools:
            for domain in tool.domains:
                host, _, prefix = domain.lower().partition("/")
                host = host.removeprefix("www.")
                self._by_host.setdefault(host, []).append(("/" + prefix if prefix else "", tool))
        for entries in self._by_host.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self._near_names: NearNames | None = None

    def __len__(self) -> int:
        return len(self.tools)

    def __iter__(self) -> Iterator[Tool]:
        return iter(self.tools)

    def names_in(self, text: str) -> list[NameMatch]:
        """Every place a tool is named in ``text``, in order, as whole words (not inside a link or handle)."""
        found: list[NameMatch] = []
        if text.isascii():
            starts = self._first_word_starts(text)
        else:
            folded = text.casefold()
            words = self._first_words.intersection(_WORD.findall(folded))
            if not words:
                return found
            if len(folded) == len(text):
                starts = _word_starts(text, folded, words)
            else:
                starts = [(word.start(), word.group().casefold()) for word in _WORD.finditer(text)]
        covered = 0
        for start, first_word in starts:
            if start < covered:
                continue
            if first_word not in self._first_words or (start and text[start - 1] in _NOT_BEFORE_NAME):
                continue
            candidates = self._patterns_for(first_word)
            for pattern, tool, needs_context in candidates:
                match = pattern.match(text, start)
                if match is not None:
                    found.append(NameMatch(tool, start, match.end(), match.group(), needs_context))
                    covered = match.end()
                    break
        return found

    def _first_word_starts(self, text: str) -> list[tuple[int, str]]:
        """Where each word of an ASCII ``text`` that starts a spelling stands, in order, with the word.

        In ASCII, lower case is the case fold and keeps every position, so the few words that start a
        spelling are found with ``str.find`` instead of visiting every word of the text.
        """
        folded = text.lower()
        starts: list[tuple[int, str]] = []
        words = folded.encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii").split()
        for word in self._first_words.intersection(words):
            size, end = len(word), len(folded)
            position = folded.find(word)
            while position >= 0:
                after = position + size
                # A whole word, as _WORD cuts them: no letter or digit either side.
                if (position == 0 or not folded[position - 1].isalnum()) and (
                    after == end or not folded[after].isalnum()
                ):
                    starts.append((position, word))
                position = folded.find(word, after)
        starts.sort()
        return starts

    def _patterns_for(self, first_word: str) -> list[tuple[re.Pattern[str], Tool, bool]]:
        compiled = self._by_first_word.get(first_word)
        if compiled is None:
            compiled = []
            for spelling in self._spellings_by_first_word[first_word]:
                tool = self._by_spelling[spelling]
                pattern = re.compile(_spelling_pattern(spelling) + r"(?!\w)", re.IGNORECASE)
                compiled.append((pattern, tool, tool.needs_context(spelling)))
            self._by_first_word[first_word] = compiled
        return compiled

    def near_misses(self, text: str, known: Iterable[tuple[int, int]] = ()) -> list[NearMiss]:
        """Misspellings of the catalogue's long names in ``text`` ("Padlett"), outside the ``known`` spans."""
        if self._near_names is None:
            self._near_names = NearNames(self.tools)
        return self._near_names.near_misses(text, known)

    def tool_named(self, name: str) -> Tool | None:
        """The tool with exactly this name or alias (any case), e.g. a card's provider name."""
        return self._by_spelling.get(_fold(name))

    def tool_for_url(self, url: str) -> Tool | None:
        """The tool whose domain (and path prefix, when given) serves ``url``, or ``None``."""
        parts = split_url(url)
        if parts is None:
            return None
        path = parts.path.lower()
        for host in parts.host_suffixes():
            # Entries are sorted longest prefix first: docs.google.com/forms is Forms, not Docs.
            for prefix, tool in self._by_host.get(host, ()):
                if path.startswith(prefix):
                    return tool
        return None

    def domain_of(self, tool: Tool, url: str) -> str | None:
        """The catalogue domain of ``tool`` that ``url`` matched, for a reason like "links padlet.com"."""
        parts = split_url(url)
        if parts is None:
            return None
        for host in parts.host_suffixes():
            for prefix, candidate in self._by_host.get(host, ()):
                if candidate is tool and parts.path.lower().startswith(prefix):
                    return host + prefix
        return None


def _word_starts(text: str, folded: str, words: Iterable[str]) -> list[tuple[int, str]]:
    """Where each of ``words`` stands in ``text`` as a whole word, in order, found in ``folded``.

    ``folded`` is ``text.casefold()`` and as long as it, so every character folded to one and the
    positions agree; each place is then checked on ``text``, as ``_WORD.finditer(text)`` cuts words.
    """
    starts: list[tuple[int, str]] = []
    end = len(text)
    for word in words:
        position = folded.find(word)
        while position >= 0:
            after = position + len(word)
            # Letters or digits either side rule the place out before the pattern is tried (a word
            # character other than "_" is exactly a character for which str.isalnum holds).
            if (
                (position == 0 or not text[position - 1].isalnum())
                and (after == end or not text[after].isalnum())
                and (whole := _WORD.match(text, position)) is not None
                and whole.end() == after
            ):
                starts.append((position, word))
            position = folded.find(word, position + 1)
    starts.sort()
    return starts


def load_catalogue(extra: Iterable[Mapping[str, Any]] = ()) -> ToolCatalogue:
    """The shipped tool catalogue plus ``extra`` entries (from configuration), ready for matching.

    >>> catalogue = load_catalogue([{"name": "Vocal Video", "domains": ["vocalvideo.com"]}])
    >>> catalogue.tool_for_url("https://vocalvideo.com/c/abc").name
    'Vocal Video'
    """
    extra_tools = [_tool_from_entry(entry, f"extra tool #{i + 1}") for i, entry in enumerate(extra)]
    if not extra_tools:
        return _shipped_catalogue()
    replaced = {_fold(tool.name) for tool in extra_tools}
    shipped = [tool for tool in _shipped_catalogue() if _fold(tool.name) not in replaced]
    return ToolCatalogue([*shipped, *extra_tools])


@lru_cache(maxsize=1)
def _shipped_catalogue() -> ToolCatalogue:
    return ToolCatalogue(read_shipped_tools())


def read_shipped_tools() -> list[Tool]:
    """The tools listed in ``bot/data/tools.json``, in file order."""
    raw = json.loads(resources.files("bot").joinpath("data", _CATALOGUE_FILE).read_text("utf-8"))
    entries = raw.get("tools") if isinstance(raw, Mapping) else None
    if not isinstance(entries, list):
        raise CatalogueError(f"{_CATALOGUE_FILE}: 'tools' must be a list of tool entries")
    tools = [_tool_from_entry(entry, f"{_CATALOGUE_FILE} entry #{i + 1}") for i, entry in enumerate(entries)]
    names = [_fold(tool.name) for tool in tools]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CatalogueError(f"{_CATALOGUE_FILE}: tools listed twice: {', '.join(duplicates)}")
    return tools


def _tool_from_entry(entry: object, where: str) -> Tool:
    if not isinstance(entry, Mapping):
        raise CatalogueError(f"{where}: a tool must be an object with a 'name', not {entry!r}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CatalogueError(f"{where}: 'name' is missing or empty")
    where = f"{where} ({name})"
    unknown = set(entry) - {"name", "aliases", "domains", "ambiguous"}
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    aliases = _strings(entry.get("aliases", []), where, "aliases")
    spellings = {_fold(spelling) for spelling in (name, *aliases)}
    ambiguous = entry.get("ambiguous", False)
    if isinstance(ambiguous, bool):
        ambiguous_spellings = frozenset(spellings) if ambiguous else frozenset()
    elif isinstance(ambiguous, list):
        ambiguous_spellings = frozenset(_fold(s) for s in _strings(ambiguous, where, "ambiguous"))
        strays = sorted(ambiguous_spellings - spellings)
        if strays:
            listed = ", ".join(strays)
            raise CatalogueError(f"{where}: 'ambiguous' lists {listed}, which is not a name or alias")
    else:
        raise CatalogueError(f"{where}: 'ambiguous' must be true, false or a list of the ambiguous spellings")
    return Tool(
        name=name.strip(),
        aliases=aliases,
        domains=tuple(
            d.lower().removeprefix("https://").removeprefix("http://").rstrip("/")
            for d in _strings(entry.get("domains", []), where, "domains")
        ),
        ambiguous_spellings=ambiguous_spellings,
    )


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogueError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _fold(spelling: str) -> str:
    return " ".join(spelling.casefold().split())


def _spelling_pattern(folded: str) -> str:
    # Any run of spaces between words, so "Google  Forms" and "Google\nForms" still match.
    return r"\s+".join(re.escape(word) for word in folded.split(" "))
