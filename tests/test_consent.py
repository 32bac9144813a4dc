"""The opt-out rule: one place decides who is never collected."""

from __future__ import annotations

import pytest

from bot.consent.rules import opt_out_reason, visibility_allows_collection
from tests.payloads import account, hashtag_link


@pytest.mark.parametrize(
    "note",
    [
        f"<p>Headteacher. {hashtag_link('nobot')}</p>",
        f"<p>Please no bots {hashtag_link('NoBot')} thanks</p>",
        "<p>#noindex</p>",
        f"<p>Deputy head {hashtag_link('NoIndex')}</p>",
    ],
)
def test_opt_out_hashtags_in_the_note_are_found_through_the_markup(note: str) -> None:
    assert opt_out_reason(account(note=note)) is not None


def test_opt_out_hashtag_in_a_profile_field_name_or_value() -> None:
    in_value = account(
        fields=[{"name": "Bots", "value": f"<p>{hashtag_link('nobot')}</p>", "verified_at": None}]
    )
    in_name = account(fields=[{"name": "#NoIndex", "value": "please", "verified_at": None}])
    assert opt_out_reason(in_value) == "profile says #nobot"
    assert opt_out_reason(in_name) == "profile says #noindex"


def test_words_that_merely_contain_the_tags_do_not_opt_out() -> None:
    assert opt_out_reason(account(note="<p>#nobotherdad #noindexing nobot</p>")) is None


def test_noindex_flag() -> None:
    assert opt_out_reason(account(noindex=True)) == "noindex is set"
    assert opt_out_reason(account(noindex=None)) is None


def test_discoverable_false_opts_out() -> None:
    assert opt_out_reason(account(discoverable=False, indexable=True)) == "opted out of discovery"


def test_indexable_false_opts_out_when_the_account_publishes_its_preferences() -> None:
    assert opt_out_reason(account(discoverable=True, indexable=False)) == "opted out of indexing"


def test_indexable_false_without_any_published_preference_is_not_a_choice() -> None:
    # Mastodon reports remote accounts whose software publishes no preference as discoverable: null,
    # indexable: false.
    assert opt_out_reason(account(discoverable=None, indexable=False)) is None


def test_an_ordinary_profile_may_be_collected() -> None:
    assert opt_out_reason(account()) is None
    assert opt_out_reason({}) is None


@pytest.mark.parametrize(
    ("visibility", "allowed"),
    [("public", True), ("unlisted", True), ("private", False), ("direct", False), (None, False)],
)
def test_only_public_and_unlisted_posts_are_collected(visibility: str | None, allowed: bool) -> None:
    assert visibility_allows_collection(visibility) is allowed
