"""Changes curators approved to the tool catalogue, and the catalogue with them applied.

``exemplar classify --report`` proposes them from curators' corrections; once applied they are stored
(``storage.classify_feedback``) and every classifier set up afterwards reads them, so they hold for
every post labelled or re-labelled from then on.

>>> catalogue = with_additions(load_catalogue(), [CatalogueAddition("alias", "Padlet", "Padlett")])
>>> catalogue.tool_named("padlett").name
'Padlet'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from bot.classify.catalogue import Tool, ToolCatalogue, load_catalogue  # noqa: F401 - used in the doctest

AdditionKind = Literal["tool", "alias", "ambiguous"]
ADDITION_KINDS: tuple[AdditionKind, ...] = ("tool", "alias", "ambiguous")


@dataclass(frozen=True, slots=True)
class CatalogueAddition:
    """One approved change: a new ``tool``, an ``alias`` of a known tool, or an ``ambiguous`` spelling.

    ``spelling`` is the alias or the ambiguous spelling (empty for a new tool); ``domains`` are the
    new tool's hosts, if the proposal found any.
    """

    kind: AdditionKind
    tool: str
    spelling: str = ""
    domains: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """How a curator names it on the command line: ``tool:Gamma``, ``alias:Padlet=Padlett``."""
        return f"{self.kind}:{self.tool}" + (f"={self.spelling}" if self.spelling else "")


def with_additions(catalogue: ToolCatalogue, additions: Iterable[CatalogueAddition]) -> ToolCatalogue:
    """``catalogue`` with the additions applied (in order); additions about unknown tools add them."""
    tools: dict[str, Tool] = {tool.name.casefold(): tool for tool in catalogue}
    changed = False
    for addition in additions:
        key = addition.tool.casefold()
        tool = tools.get(key)
        if addition.kind == "tool":
            if tool is None:
                tools[key] = Tool(addition.tool, domains=addition.domains)
            elif addition.domains:
                tools[key] = replace(tool, domains=tuple(dict.fromkeys((*tool.domains, *addition.domains))))
            else:
                continue
        elif tool is None:
            continue
        elif addition.kind == "alias":
            if addition.spelling.casefold() in (s.casefold() for s in tool.spellings):
                continue
            tools[key] = replace(tool, aliases=(*tool.aliases, addition.spelling))
        else:
            folded = " ".join(addition.spelling.casefold().split())
            tools[key] = replace(tool, ambiguous_spellings=tool.ambiguous_spellings | {folded})
        changed = True
    return ToolCatalogue(tools.values()) if changed else catalogue
