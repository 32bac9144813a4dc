"""Classify posts: does a post share a video, name a tool, ask the community a question?

Pure functions: a :class:`~bot.posts.Post` in, labels out. The only file read is the shipped data
(``bot/data/tools.json`` and ``bot/data/video_hosts.json``), once per process.

>>> from bot.classify import classify, load_catalogue
>>> labels = classify(post, load_catalogue())          # doctest: +SKIP
>>> [(label.name, label.reason) for label in labels]   # doctest: +SKIP
[('question', "asks the community: 'Anyone tried Screencastify for parent newsletters?'"),
 ('tool', 'names Screencastify')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.classify.catalogue import CatalogueError, Tool, ToolCatalogue, load_catalogue
from bot.classify.labels import Label, LabelName, LinkInfo

if TYPE_CHECKING:
    from bot.classify.classifier import classify


def __getattr__(name: str) -> Any:
    # The classifier and its few hundred patterns load on first use, not with the package: a command
    # that labels nothing (a collect that finds nothing new) never compiles them.
    if name == "classify":
        from bot.classify.classifier import classify

        return classify
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CatalogueError",
    "Label",
    "LabelName",
    "LinkInfo",
    "Tool",
    "ToolCatalogue",
    "classify",
    "load_catalogue",
]
