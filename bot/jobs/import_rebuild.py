"""Frozen dataclasses made again from their values, at a fifth of the cost of calling the class.

An import makes a :class:`~bot.posts.Post` twice for most records a worker does: in the worker,
without its ``raw`` (:mod:`bot.jobs.import_work`), and in the importing process, from the values
sent (:mod:`bot.jobs.import_wire`). A frozen dataclass's ``__init__`` sets each field with
``object.__setattr__`` (its own ``__setattr__`` refuses), some 1,500 machine instructions a field:
most of the cost of unpacking the work in the importing process.

:func:`rebuilder` makes instead an object of a twin class, with the same slots and no such guard,
sets its fields by plain assignment, and then gives it the dataclass's class, which CPython allows
between classes of the same layout. What it makes is exactly what calling the class makes:

>>> from bot.posts import Author
>>> new_author = rebuilder(Author)
>>> new_author(("maria@mastodon.social", "María", "https://mastodon.social/@maria", False))
Author(acct='maria@mastodon.social', display_name='María', url='https://mastodon.social/@maria', bot=False)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def rebuilder(kind: type[T]) -> Callable[[Sequence[Any]], T]:
    """A function that makes a ``kind`` of all its fields' values in order, as ``kind(*values)`` does.

    ``kind`` is a dataclass with slots of its own only, whose ``__init__`` does nothing but set its
    fields (no ``__post_init__``, no field left out of it).
    """
    names = tuple(item.name for item in dataclasses.fields(kind))  # type: ignore[arg-type]
    if (
        getattr(kind, "__slots__", None) != names
        or kind.__bases__ != (object,)
        or hasattr(kind, "__post_init__")
        or not all(item.init for item in dataclasses.fields(kind))  # type: ignore[arg-type]
    ):
        raise TypeError(f"{kind.__qualname__} is not a dataclass that is nothing but its slots")
    twin = type(f"_{kind.__name__}Twin", (), {"__slots__": names})
    # One assignment of all the fields, compiled once: as fast as Python sets several attributes.
    targets = "".join(f"made.{name}, " for name in names)
    source = (
        "def rebuilt(values):\n"
        "    made = new(twin)\n"
        f"    {targets}= values\n"
        "    made.__class__ = kind\n"
        "    return made\n"
    )
    namespace: dict[str, Any] = {"new": object.__new__, "twin": twin, "kind": kind}
    exec(compile(source, f"<rebuilder of {kind.__qualname__}>", "exec"), namespace)
    rebuilt: Callable[[Sequence[Any]], T] = namespace["rebuilt"]
    return rebuilt
