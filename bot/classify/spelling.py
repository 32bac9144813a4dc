"""Catalogue names as people mistype them: "Padlett", "Screencastifiy", "Jamborad", "Quizziz".

A word is a misspelling of a tool's name when one typing slip turns it into the name: a letter
doubled, dropped or added, two neighbours swapped, or (in long names only) one letter struck for
another. Only one-word names of at least :data:`SHORTEST_NAME` letters that are not ordinary words
take part: "Slido" is one slip from "slide", "Canva" from "canvas", so short names are never
guessed at. A near miss is only a candidate; :mod:`bot.classify.tools` then asks for the same
context as for an ambiguous name (a capital mid-sentence, a verb of use, a product noun after it).

Lookups use deletion neighbourhoods (every way of deleting one letter), so finding the near misses in
a post costs a few dictionary lookups per long word, whatever the size of the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.classify.catalogue import Tool

SHORTEST_NAME = 6
# One letter struck for another is a common slip, but also how ordinary words differ ("Moodle" and
# "noodle"): only names this long are matched that way.
SHORTEST_FOR_SUBSTITUTION = 8
# A capitalised word, not part of a handle, hashtag, path or host: people capitalise the names they
# mistype ("Padlett"), while a lower-case near miss is far more often an ordinary word ("synthesis").
# (The look-behind follows the capital so that the regex can skip ahead to capitals quickly.)
_WORD = re.compile(r"[A-Z](?<![\w@/.#-].)[^\W\d_]{" + str(SHORTEST_NAME - 1) + r",}(?![\w-]|\.\w)")
# How many words' closest names are remembered: the same capitalised words come back post after post.
_REMEMBERED_WORDS = 50_000


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A word in a text that is one slip away from a tool's name: ``text[start:end]`` as written."""

    tool: Tool
    start: int
    end: int
    written: str
    spelling: str


class NearNames:
    """An index of the catalogue's long one-word names, for finding their misspellings in text."""

    def __init__(self, tools: Iterable[Tool]) -> None:
        self._exact: dict[str, tuple[str, Tool]] = {}
        self._deleted: dict[str, list[tuple[str, Tool]]] = {}
        # (first letter, length) of every word that could be a slip: people rarely mistype the first
        # letter, and this skips most words without building their variants.
        self._shapes: set[tuple[str, int]] = set()
        for tool in tools:
            for spelling in tool.spellings:
                folded = spelling.casefold()
                if len(folded) < SHORTEST_NAME or not folded.isalpha() or tool.needs_context(spelling):
                    continue
                self._exact.setdefault(folded, (spelling, tool))
                for variant in _deletions(folded):
                    self._deleted.setdefault(variant, []).append((spelling, tool))
                for length in (len(folded) - 1, len(folded), len(folded) + 1):
                    self._shapes.add((folded[0], length))
        # Every key of both indexes, to rule a word out in one look.
        self._indexed = frozenset((*self._exact, *self._deleted))
        self._closest_of: dict[str, tuple[str, Tool] | None] = {}

    def near_misses(self, text: str, known: Iterable[tuple[int, int]] = ()) -> list[NearMiss]:
        """Words of ``text`` one slip from a name; ``known`` are spans already matched exactly."""
        if not self._exact:
            return []
        taken = list(known)
        found: list[NearMiss] = []
        for word in _WORD.finditer(text):
            written = word.group()
            if (written[0].casefold(), len(written)) not in self._shapes:
                continue
            start, end = word.span()
            if any(start < stop and begin < end for begin, stop in taken):
                continue
            if written in self._closest_of:
                match = self._closest_of[written]
            else:
                if len(self._closest_of) >= _REMEMBERED_WORDS:
                    self._closest_of.clear()
                match = self._closest_of[written] = self._closest(written)
            if match is not None:
                spelling, tool = match
                found.append(NearMiss(tool, start, end, word.group(), spelling))
        return found

    def _closest(self, written: str) -> tuple[str, Tool] | None:
        folded = written.casefold()
        if folded in self._exact:
            return None
        # The word lacks a letter of the name ("Edpuzle").
        for spelling, tool in self._deleted.get(folded, ()):
            return spelling, tool
        # The word has one letter too many ("Padlett", "Screencastifiy"): at the end only a doubled
        # letter or a plural, since "Additio" + n and "Synthesia" - a + s are other words.
        deletions = _deletions(folded)
        if self._indexed.isdisjoint(deletions):
            # Neither a name nor a name less a letter: no slip below can match (most words end here).
            return None
        for index, variant in enumerate(deletions, start=1):
            exact = self._exact.get(variant)
            last = index == len(folded) - 1
            if exact is not None and (not last or folded[-1] in ("s", folded[-2])):
                return exact
        # Same length: two letters swapped ("Jamborad"), or in a long name one struck for another
        # anywhere but the last letter.
        for variant in deletions:
            for spelling, tool in self._deleted.get(variant, ()):
                name = spelling.casefold()
                if _swapped(folded, name) or (
                    len(folded) >= SHORTEST_FOR_SUBSTITUTION and folded[-1] == name[-1]
                ):
                    return spelling, tool
        return None


def _deletions(word: str) -> list[str]:
    """The word without one of its letters, each way but the first letter (see ``_shapes``)."""
    return [word[:i] + word[i + 1 :] for i in range(1, len(word))]


def _swapped(word: str, name: str) -> bool:
    if len(word) != len(name):
        return False
    differ = [i for i, (a, b) in enumerate(zip(word, name, strict=True)) if a != b]
    return len(differ) == 2 and differ[1] == differ[0] + 1 and word[differ[0]] == name[differ[1]]
