"""What the classifier says about a post, and what link resolution can tell it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LabelName = Literal["video", "tool", "question"]


@dataclass(frozen=True, slots=True)
class Label:
    """One label on a post, how sure the classifier is (0..1), and why, in words a curator can check.

    >>> Label("video", 0.95, "links a YouTube video (youtu.be/abc123)")
    Label(name='video', confidence=0.95, reason='links a YouTube video (youtu.be/abc123)')
    """

    name: LabelName
    confidence: float
    reason: str


@dataclass(frozen=True, slots=True)
class LinkInfo:
    """What an optional link-resolution step learned about a URL shared in a post.

    ``final_url`` is where the link ends after redirects (a bit.ly that lands on YouTube);
    ``og_type`` and ``site_name`` are the page's Open Graph ``og:type`` and ``og:site_name``.
    """

    final_url: str
    og_type: str | None = None
    site_name: str | None = None
