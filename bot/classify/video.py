"""The ``video`` label: the post shares something a person can press play on.

Signals, strongest first: a video attachment; a link whose host and path are a single video
(``youtu.be/…``, ``loom.com/share/…``), directly or after link resolution; a preview card of type
``video`` (unless its provider only serves sound); a page whose ``og:type`` is ``video…``. Storage
links (a Google Drive file) count only when something confirms they hold a video.

Mastodon also stores a video without sound as ``gifv``. Such a file is a video when it is a screen
recording: longer than a reaction loop (:data:`SCREENCAST_SECONDS`), or its description or the post
calls it a recording, walkthrough or how-to. A short reaction GIF is not a video, and neither are
words about a video ("I'm recording one next week").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.classify.labels import Label, LinkInfo
from bot.classify.prose import Prose, fold
from bot.classify.urls import short_url
from bot.classify.video_hosts import VideoHosts
from bot.posts import Card, Post

_VIDEO_FILE = re.compile(r"\.(?:mp4|m4v|mov|webm|ogv|mkv|avi|wmv)\b", re.IGNORECASE)
# Words that say a stored file is a video, in the languages the community writes in.
# A reaction GIF loops for a few seconds; a silent screencast runs for as long as the task it shows.
SCREENCAST_SECONDS = 15.0
# The shortest gifv that counts as a recording when words say it is one.
_SHORTEST_RECORDING = 6.0
# Words that say a silent clip records a screen or shows how to do something.
_RECORDING_WORDS = re.compile(
    r"\b(?:screen ?(?:recording|recorded|capture|cast)s?|screencast\w*|walk-?through|how to"
    r"|step[- ]by[- ]step|tutorial|demo|recording|recorded|click(?:s|ing)?|grabacion de pantalla"
    r"|captura de pantalla"
    r"|enregistrement d'?ecran|capture d'?ecran|bildschirmaufnahme|bildschirmaufzeichnung|anleitung"
    r"|schermopname|screenopname|registrazione (?:dello|dello schermo)|gravacao de tela|recordiad sgrin)\b"
)
_VIDEO_WORDS = re.compile(
    r"\b(?:video|vid|vids|videos|recording|recordings|screencast|screencasts|vlog|walkthrough"
    r"|grabacion|grabaciones|enregistrement|capsule|aufnahme|aufzeichnung|gravacao)\b"
)


def detect_video(
    post: Post, prose: Prose, urls: tuple[str, ...], hosts: VideoHosts, links: Mapping[str, LinkInfo]
) -> Label | None:
    """A ``video`` label with the strongest reason, or ``None`` when the post shares no video.

    ``urls`` are the links the post shares; ``links`` what resolution learned about some of them.
    """
    if any(media.kind == "video" for media in post.media):
        count = sum(media.kind == "video" for media in post.media)
        return Label("video", 0.98, "attaches a video" if count == 1 else f"attaches {count} videos")
    screencast = _screencast(post, prose)
    if screencast is not None:
        return screencast
    best: Label | None = None
    for url in urls:
        label = _video_link(url, post, prose, hosts, links.get(url))
        if label is not None and (best is None or label.confidence > best.confidence):
            best = label
    if best is not None:
        return best
    return _video_card(post.card, hosts)


def _video_link(url: str, post: Post, prose: Prose, hosts: VideoHosts, info: LinkInfo | None) -> Label | None:
    match = hosts.match(url)
    if match is not None and not match.needs_confirmation:
        return Label("video", 0.95, f"links a {match.host_name} video ({short_url(url)})")
    if info is not None and info.final_url and info.final_url != url:
        resolved = hosts.match(info.final_url)
        if resolved is not None and not resolved.needs_confirmation:
            return Label("video", 0.9, f"links {short_url(url)}, which leads to a {resolved.host_name} video")
        match = match or resolved
    if info is not None and info.og_type and info.og_type.lower().startswith("video"):
        return Label("video", 0.85, f"links a page that declares itself a video ({short_url(url)})")
    if match is None:
        return None
    card = post.card if post.card is not None and post.card.url == url else None
    if card is not None and card.type == "video":
        return Label("video", 0.9, f"links a {match.host_name} file its preview card shows as a video")
    if _VIDEO_FILE.search(url) or (card is not None and _VIDEO_FILE.search(card.title)):
        return Label("video", 0.85, f"links a video file on {match.host_name} ({short_url(url)})")
    if any(_VIDEO_WORDS.search(sentence.folded) for sentence in prose.sentences):
        reason = f"links a {match.host_name} file the post calls a video ({short_url(url)})"
        return Label("video", 0.6, reason)
    return None


def _screencast(post: Post, prose: Prose) -> Label | None:
    """A silent video (``gifv``) that records a screen, not a reaction loop."""
    for media in post.media:
        if media.kind != "gifv":
            continue
        seconds = media.duration
        if seconds is not None and seconds >= SCREENCAST_SECONDS:
            return Label(
                "video", 0.85, f"attaches a silent video of {seconds:.0f} s, longer than a reaction GIF"
            )
        if seconds is not None and seconds < _SHORTEST_RECORDING:
            continue
        clip = f"silent {seconds:.0f} s clip" if seconds is not None else "silent clip"
        if media.description and _RECORDING_WORDS.search(fold(media.description)):
            return Label("video", 0.8, f"attaches a {clip} described as a recording")
        if any(_RECORDING_WORDS.search(sentence.folded) for sentence in prose.sentences):
            return Label("video", 0.75, f"attaches a {clip} the post calls a recording")
    return None


def _video_card(card: Card | None, hosts: VideoHosts) -> Label | None:
    if card is None or card.type != "video" or hosts.is_audio_provider(card.provider_name):
        return None
    provider = f"from {card.provider_name} " if card.provider_name else ""
    return Label("video", 0.85, f"has a video preview card {provider}({short_url(card.url)})")
