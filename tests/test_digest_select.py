"""Digest selection: the documented score and the diversity rules. Pure, so fast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digests.model import Answer
from digests.select import Candidate, Exclusions, SelectionRules, canonical_link, score, select

END = datetime(2026, 11, 23, tzinfo=UTC)


def candidate(post_id: int, *labels: str, **fields: object) -> Candidate:
    defaults: dict[str, object] = {
        "author_acct": f"author{post_id}@school.example",
        "created_at": END - timedelta(days=1),
        "links": (),
    }
    defaults.update(fields)
    return Candidate(post_id=post_id, labels=frozenset(labels or ("video",)), **defaults)  # type: ignore[arg-type]


def ids(choices: list, section: str | None = None) -> list[int]:  # type: ignore[type-arg]
    return [c.post_id for c in choices if section is None or c.section == section]


def test_engagement_counts_with_diminishing_returns() -> None:
    rules = SelectionRules()
    quiet, liked, viral = (candidate(1, favourites_count=n) for n in (0, 10, 1000))
    assert (
        score(quiet, "video", END, rules)
        < score(liked, "video", END, rules)
        < score(viral, "video", END, rules)
    )
    assert score(viral, "video", END, rules) < 100 * score(liked, "video", END, rules)


def test_recency_halves_the_score_every_half_life() -> None:
    rules = SelectionRules(half_life_days=3.5)
    fresh = candidate(1, created_at=END)
    older = candidate(2, created_at=END - timedelta(days=3.5))
    assert score(older, "video", END, rules) == pytest.approx(score(fresh, "video", END, rules) / 2)


def test_unanswered_questions_are_favoured() -> None:
    rules = SelectionRules()
    open_question = candidate(1, "question")
    answered = candidate(2, "question", answers=(Answer("Sam", "https://x.example/@sam/1"),))
    assert score(open_question, "question", END, rules) == pytest.approx(
        1.5 * score(answered, "question", END, rules)
    )
    assert ids(select([answered, open_question], rules, END)) == [1, 2]


def test_sections_are_filled_in_score_order_up_to_their_size() -> None:
    rules = SelectionRules(section_sizes={"video": 2, "tool": 1, "question": 1})
    posts = [candidate(i, "video", favourites_count=i) for i in range(1, 6)] + [
        candidate(10, "tool"),
        candidate(11, "tool", reblogs_count=3),
        candidate(20, "question"),
    ]
    chosen = select(posts, rules, END)
    assert ids(chosen, "video") == [5, 4]
    assert ids(chosen, "tool") == [11]
    assert ids(chosen, "question") == [20]


def test_a_post_appears_once_even_with_several_labels() -> None:
    chosen = select([candidate(1, "video", "tool", "question")], SelectionRules(), END)
    assert [(c.post_id, c.section) for c in chosen] == [(1, "video")]


def test_at_most_n_items_per_author() -> None:
    posts = [candidate(i, author_acct="prolific@school.example", favourites_count=10 - i) for i in range(5)]
    posts.append(candidate(9, author_acct="other@school.example"))
    chosen = select(posts, SelectionRules(max_per_author=2), END)
    assert ids(chosen) == [0, 1, 9]


def test_the_same_link_or_video_only_once() -> None:
    posts = [
        candidate(1, favourites_count=5, links=("https://www.youtube.com/watch?v=abc&t=10",)),
        candidate(2, links=("https://youtu.be/abc?si=share",)),
        candidate(3, links=("https://vimeo.com/1",)),
    ]
    assert ids(select(posts, SelectionRules(), END)) == [1, 3]


def test_content_warnings_and_sensitive_posts_need_permission() -> None:
    posts = [candidate(1, spoiler_text="Exam stress"), candidate(2, sensitive=True), candidate(3)]
    assert ids(select(posts, SelectionRules(), END)) == [3]
    assert sorted(ids(select(posts, SelectionRules(allow_sensitive=True), END))) == [1, 2, 3]


def test_exclusions_and_removals() -> None:
    posts = [
        candidate(1),
        candidate(2, author_acct="excluded@school.example"),
        candidate(3, links=("https://ads.spam.example/x",)),
        candidate(4),
    ]
    exclusions = Exclusions(posts={1}, authors={"excluded@school.example"}, domains={"spam.example"})
    assert ids(select(posts, SelectionRules(), END, exclusions=exclusions, removed={4})) == []


def test_pinned_posts_come_first_and_bypass_the_rules() -> None:
    posts = [
        candidate(1, favourites_count=100),
        candidate(2, spoiler_text="CW", created_at=END - timedelta(days=6)),
    ]
    chosen = select(
        posts, SelectionRules(section_sizes={"video": 1, "tool": 0, "question": 0}), END, pinned={2}
    )
    assert [(c.post_id, c.pinned) for c in chosen] == [(2, True)]


@given(
    st.lists(
        st.tuples(
            st.integers(0, 200),
            st.sampled_from(["video", "tool", "question"]),
            st.integers(0, 5),
            st.integers(0, 500),
        ),
        max_size=40,
    )
)
def test_selection_invariants(rows: list[tuple[int, str, int, int]]) -> None:
    posts = {}
    for post_id, label, author, likes in rows:
        posts[post_id] = candidate(post_id, label, author_acct=f"a{author}@x.example", favourites_count=likes)
    rules = SelectionRules(section_sizes={"video": 3, "tool": 2, "question": 2}, max_per_author=2)
    chosen = select(posts.values(), rules, END)
    assert len(ids(chosen)) == len(set(ids(chosen)))
    for section, size in rules.section_sizes.items():
        assert len(ids(chosen, section)) <= size
    authors = [posts[c.post_id].author_acct for c in chosen]
    assert all(authors.count(a) <= 2 for a in authors)
    assert all(c.section in posts[c.post_id].labels for c in chosen)


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ("https://youtu.be/abc", "https://www.youtube.com/watch?v=abc", True),
        ("https://www.youtube.com/shorts/abc", "https://youtube.com/watch?v=abc", True),
        ("https://padlet.com/a/b?utm_source=x", "https://padlet.com/a/b/", True),
        ("https://padlet.com/a/b", "https://padlet.com/a/c", False),
        ("https://www.youtube.com/watch?v=abc", "https://www.youtube.com/watch?v=abd", False),
    ],
)
def test_canonical_links(left: str, right: str, same: bool) -> None:
    assert (canonical_link(left) == canonical_link(right)) is same
