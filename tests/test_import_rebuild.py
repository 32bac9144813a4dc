"""Rebuilding an import's frozen dataclasses from their values makes exactly what calling them makes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.classify.labels import Label
from bot.jobs.import_rebuild import rebuilder
from bot.jobs.import_work import PayloadWork, RecordWork
from bot.posts import Author, Card, Media, Post

KINDS: list[type[Any]] = [PayloadWork, RecordWork, Post, Author, Media, Card, Label]

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | st.datetimes(),
    lambda inner: st.tuples(inner, inner) | st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner),
    max_leaves=8,
)


@given(st.sampled_from(KINDS), st.data())
def test_a_rebuilt_object_is_the_one_its_class_makes(kind: type[Any], data: st.DataObject) -> None:
    names = [item.name for item in dataclasses.fields(kind)]
    given_values = data.draw(st.tuples(*(values for _ in names)))

    made, rebuilt = kind(*given_values), rebuilder(kind)(given_values)

    assert type(rebuilt) is kind
    assert rebuilt == made
    assert repr(rebuilt) == repr(made)
    assert all(getattr(rebuilt, name) is value for name, value in zip(names, given_values, strict=True))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(rebuilt, names[0], None)


def test_it_wants_every_field_s_value() -> None:
    with pytest.raises(ValueError, match="not enough values"):
        rebuilder(Author)(("maria@mastodon.social", "María"))


@dataclasses.dataclass(frozen=True)
class _WithoutSlots:
    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class _Checked:
    name: str

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("no name")


@pytest.mark.parametrize("kind", [_WithoutSlots, _Checked])
def test_it_refuses_a_class_whose_init_does_more_than_set_its_slots(kind: type[Any]) -> None:
    with pytest.raises(TypeError):
        rebuilder(kind)
