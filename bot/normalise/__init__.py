"""Normalisers: network payloads in, :class:`bot.posts.Post` out. Pure functions, no I/O."""

from bot.normalise.errors import MalformedPayloadError

__all__ = ["MalformedPayloadError"]
