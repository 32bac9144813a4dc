"""The networks Exemplar knows, in one list: what the collect job, the publisher and the consent
re-check iterate over. Adding a network is its folder, one entry here and its config section (the
README's "Adding a network" lists every file)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.config import BlueskySource, MastodonSource, Settings, XSource
from bot.networks.bluesky import normalise as bluesky_normalise
from bot.networks.mastodon import normalise as mastodon_normalise
from bot.networks.payload import Normaliser
from bot.networks.x import normalise as x_normalise

if TYPE_CHECKING:
    from bot.networks.publishing import Channel, Publishing
    from bot.networks.recheck import Current, Recheck
    from bot.networks.source import Connection, Source, SourceConfig
    from digests.model import DigestItem
    from digests.render.measure import TextMeasure


def _on_first_use(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, imported the first time it is called: a network's SDK (under its client,
    source, publisher and re-check) loads only when that network is used, not when Exemplar starts."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__qualname__ = call.__name__ = f"{module}.{name}"
    return call


def _measure(name: str) -> Callable[[Settings], TextMeasure]:
    def measure(_settings: Settings) -> TextMeasure:
        found: TextMeasure = getattr(importlib.import_module("digests.render.measure"), name)
        return found

    return measure


@dataclass(frozen=True, slots=True)
class Network:
    """One network: its name (a post's ``source``, a publication's channel), its configured sources
    and how to open one, its normaliser, its thread channel (``None`` when it is not published to),
    and the consent re-check of the digest items collected from it."""

    name: str
    title: str  # how people write it: "Mastodon"
    config_type: type[Any]
    configured: Callable[[Settings], Sequence[SourceConfig]]
    open_source: Callable[[Any, Connection], Source]
    normaliser: Normaliser
    channel: Callable[[Publishing], Channel | None]
    preview_measure: Callable[[Settings], TextMeasure]  # for `digest show`, without asking the network
    recheck: Callable[[Sequence[DigestItem], Recheck], dict[int, Current]]


NETWORKS: tuple[Network, ...] = (
    Network(
        name="mastodon",
        title="Mastodon",
        config_type=MastodonSource,
        configured=lambda settings: settings.mastodon,
        open_source=_on_first_use("bot.networks.mastodon.source", "TagTimeline"),
        normaliser=mastodon_normalise.NORMALISER,
        channel=_on_first_use("bot.networks.mastodon.publish", "channel"),
        preview_measure=_on_first_use("bot.networks.mastodon.publish", "preview_measure"),
        recheck=_on_first_use("bot.networks.mastodon.recheck", "recheck_items"),
    ),
    Network(
        name="x",
        title="X",
        config_type=XSource,
        configured=lambda settings: settings.x,
        open_source=_on_first_use("bot.networks.x.source", "RecentSearch"),
        normaliser=x_normalise.NORMALISER,
        channel=_on_first_use("bot.networks.x.publish", "channel"),
        preview_measure=_measure("X_MEASURE"),
        recheck=_on_first_use("bot.networks.x.recheck", "recheck_items"),
    ),
    Network(
        name="bluesky",
        title="Bluesky",
        config_type=BlueskySource,
        configured=lambda settings: settings.bluesky,
        open_source=_on_first_use("bot.networks.bluesky.source", "PostSearch"),
        normaliser=bluesky_normalise.NORMALISER,
        channel=_on_first_use("bot.networks.bluesky.publish", "channel"),
        preview_measure=_measure("BLUESKY_MEASURE"),
        recheck=_on_first_use("bot.networks.bluesky.recheck", "recheck_items"),
    ),
)

# Threads go out on Mastodon first (where the bot lives), then on the others.
PUBLISHING_ORDER = ("mastodon", "bluesky", "x")


def publishing_networks() -> tuple[Network, ...]:
    """The networks in the order digest threads are published."""
    by_name = {network.name: network for network in NETWORKS}
    return tuple(by_name[name] for name in PUBLISHING_ORDER)


def network_named(name: str) -> Network | None:
    """The network called ``name`` (a post's ``source``, a thread's channel), if Exemplar knows it."""
    return next((network for network in NETWORKS if network.name == name), None)


def configured_sources(settings: Settings) -> tuple[SourceConfig, ...]:
    """Every configured source of every network, in collection order (Mastodon, X, Bluesky)."""
    return tuple(config for network in NETWORKS for config in network.configured(settings))


def network_of(config: SourceConfig) -> Network:
    """The network a configured source belongs to."""
    for network in NETWORKS:
        if isinstance(config, network.config_type):
            return network
    raise LookupError(f"no network collects from a {type(config).__name__}")
