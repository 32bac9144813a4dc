"""Label one post: video, tool and question, each with a confidence and a reason."""

from __future__ import annotations

from collections.abc import Mapping

from bot.classify.catalogue import ToolCatalogue, load_catalogue
from bot.classify.labels import Label, LinkInfo
from bot.classify.prose import prose_and_links
from bot.classify.questions import detect_question
from bot.classify.tools import detect_tool
from bot.classify.video import detect_video
from bot.classify.video_hosts import load_video_hosts
from bot.posts import Post

_NO_LINKS: Mapping[str, LinkInfo] = {}


def classify(
    post: Post,
    catalogue: ToolCatalogue | None = None,
    links: Mapping[str, LinkInfo] | None = None,
) -> tuple[Label, ...]:
    """The labels of ``post``, sorted by name, at most one of each.

    ``catalogue`` defaults to the shipped tool catalogue; ``links`` maps URLs in ``post.links`` to
    what link resolution learned about them, and may be left out.
    """
    prose, urls = prose_and_links(post)
    resolved = links if links is not None else _NO_LINKS
    found = (
        detect_question(post, prose),
        detect_tool(post, prose, urls, catalogue if catalogue is not None else load_catalogue(), resolved),
        detect_video(post, prose, urls, load_video_hosts(), resolved),
    )
    # Already in order of name: question, tool, video.
    return tuple(label for label in found if label is not None)
