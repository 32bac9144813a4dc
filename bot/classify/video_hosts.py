"""Which links are watchable videos, read from ``bot/data/video_hosts.json``.

A host entry names a service, its domains and the link paths that are one video (``youtube.com/watch?v=``,
``loom.com/share/``), as opposed to the service's home page, a channel or a blog post. Some hosts only
hold a video sometimes (a Google Drive file): those are marked ``confirm`` and need another signal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from bot.classify.catalogue import CatalogueError
from bot.classify.urls import split_url

_HOSTS_FILE = "video_hosts.json"
_ANY_HOST = "*"


@dataclass(frozen=True, slots=True)
class VideoHostMatch:
    """A link that is (or, when ``needs_confirmation``, may be) a video on the host called ``host_name``."""

    host_name: str
    needs_confirmation: bool


@dataclass(frozen=True, slots=True)
class _HostRule:
    name: str
    paths: re.Pattern[str]
    confirm: bool


class VideoHosts:
    """Video host rules indexed by domain, with the card providers that only serve sound."""

    def __init__(self, rules: Mapping[str, list[_HostRule]], audio_providers: frozenset[str]) -> None:
        self._rules = rules
        self.audio_providers = audio_providers

    def match(self, url: str) -> VideoHostMatch | None:
        """What kind of video link ``url`` is, or ``None`` when it is not one.

        >>> load_video_hosts().match("https://youtu.be/abc123xyz").host_name
        'YouTube'
        >>> load_video_hosts().match("https://www.youtube.com/@SomeSchool") is None
        True
        """
        return _cached_match(self, url)

    def rules_for(self, host: str) -> list[_HostRule]:
        """The rules that apply to one host key (a domain, or ``*`` for any host)."""
        return self._rules.get(host, [])

    def is_audio_provider(self, provider_name: str) -> bool:
        """Whether a preview card's provider serves sound (SoundCloud sends 'video' cards for songs)."""
        return provider_name.strip().casefold() in self.audio_providers


@lru_cache(maxsize=8192)
def _cached_match(hosts: VideoHosts, url: str) -> VideoHostMatch | None:
    parts = split_url(url)
    if parts is None:
        return None
    for host in (*parts.host_suffixes(), _ANY_HOST):
        for rule in hosts.rules_for(host):
            if rule.paths.search(parts.path):
                return VideoHostMatch(rule.name, rule.confirm)
    return None


@lru_cache(maxsize=1)
def load_video_hosts() -> VideoHosts:
    """The shipped video host rules."""
    raw = json.loads(resources.files("bot").joinpath("data", _HOSTS_FILE).read_text("utf-8"))
    entries = raw.get("hosts") if isinstance(raw, Mapping) else None
    if not isinstance(entries, list):
        raise CatalogueError(f"{_HOSTS_FILE}: 'hosts' must be a list")
    rules: dict[str, list[_HostRule]] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{_HOSTS_FILE} host #{number}"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise CatalogueError(f"{where}: each host needs a 'name'")
        domains, paths = entry.get("domains"), entry.get("paths")
        if not isinstance(domains, list) or not isinstance(paths, list) or not paths:
            raise CatalogueError(f"{where} ({entry['name']}): 'domains' and 'paths' must be lists")
        try:
            pattern = re.compile("|".join(f"(?:{p})" for p in paths))
        except re.error as error:
            raise CatalogueError(f"{where} ({entry['name']}): bad path pattern: {error}") from error
        rule = _HostRule(entry["name"], pattern, bool(entry.get("confirm", False)))
        for domain in domains:
            rules.setdefault(str(domain).lower().removeprefix("www."), []).append(rule)
    audio = raw.get("audio_providers", [])
    return VideoHosts(rules, frozenset(str(name).casefold() for name in audio))
