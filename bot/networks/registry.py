"""The networks Exemplar knows, in one list: what the collect job, the publisher and the consent
re-check iterate over. Adding a network is adding its folder and one entry here (see the README's
"Adding a network")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.config import BlueskySource, MastodonSource, Settings, XSource
from bot.networks.bluesky import normalise as bluesky
from bot.networks.bluesky.source import PostSearch
from bot.networks.mastodon.normalise import normalise_status
from bot.networks.mastodon.source import TagTimeline
from bot.networks.mastodon.timeline import account_of_status
from bot.networks.source import Connection, Normaliser, Source, SourceConfig
from bot.networks.x import normalise as x
from bot.networks.x.source import RecentSearch


@dataclass(frozen=True, slots=True)
class Network:
    """One network: its name (a post's ``source``), its configured sources and how to open one, and
    its normaliser."""

    name: str
    config_type: type[Any]
    configured: Callable[[Settings], Sequence[SourceConfig]]
    open_source: Callable[[Any, Connection], Source]
    normaliser: Normaliser


NETWORKS: tuple[Network, ...] = (
    Network(
        name="mastodon",
        config_type=MastodonSource,
        configured=lambda settings: settings.mastodon,
        open_source=TagTimeline,
        normaliser=Normaliser(normalise_status, account_of_status),
    ),
    Network(
        name="x",
        config_type=XSource,
        configured=lambda settings: settings.x,
        open_source=RecentSearch,
        normaliser=Normaliser(x.normalise_tweet, x.author_profile),
    ),
    Network(
        name="bluesky",
        config_type=BlueskySource,
        configured=lambda settings: settings.bluesky,
        open_source=PostSearch,
        normaliser=Normaliser(bluesky.normalise_bluesky_post, bluesky.author_profile),
    ),
)


def configured_sources(settings: Settings) -> tuple[SourceConfig, ...]:
    """Every configured source of every network, in collection order (Mastodon, X, Bluesky)."""
    return tuple(config for network in NETWORKS for config in network.configured(settings))


def network_of(config: SourceConfig) -> Network:
    """The network a configured source belongs to."""
    for network in NETWORKS:
        if isinstance(config, network.config_type):
            return network
    raise LookupError(f"no network collects from a {type(config).__name__}")
