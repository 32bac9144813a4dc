"""Classify posts: does a post share a video, name a tool, ask the community a question?

Pure functions: a :class:`~bot.posts.Post` in, labels out. The only file read is the shipped data
(``bot/data/tools.json`` and ``bot/data/video_hosts.json``), once per process.

>>> from bot.classify import classify, load_catalogue
>>> labels = classify(post, load_catalogue())          # doctest: +SKIP
>>> [(label.name, label.reason) for label in labels]   # doctest: +SKIP
[('question', "asks the community: 'Anyone tried Screencastify for parent newsletters?'"),
 ('tool', 'names Screencastify')]
"""

from bot.classify.catalogue import CatalogueError, Tool, ToolCatalogue, load_catalogue
from bot.classify.classifier import classify
from bot.classify.labels import Label, LabelName, LinkInfo

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
