"""Digest jobs: draft (refresh candidates, select, keep curator edits), view, edit, approve, reject."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Row
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from bot.config import Settings
from bot.consent.rules import opt_out_reason
from bot.consent.screen import screen
from bot.errors import ExemplarError
from bot.jobs.removal import removal_limit
from bot.jobs.store import PostStore
from bot.networks.mastodon.home import BudgetExhaustedError, HomeInstances
from bot.networks.mastodon.normalise import account_of_status, normalise_account, normalise_status
from bot.networks.payload import parse_timestamp
from digests.lifecycle import check_editable, next_status
from digests.model import SECTIONS, Answer, Digest, DigestItem, Section, period_label
from digests.period import last_week, this_week
from digests.select import FILL_ORDER, Candidate, Exclusions, SelectionRules, score, select
from storage import digests as digest_repo
from storage import labels as label_repo
from storage import repository as repo
from storage.db import session_scope
from storage.models import Digest as DigestRow
from storage.models import DigestItemRow, QuestionAnswer
from storage.models import Post as PostRow

log = logging.getLogger(__name__)


class DigestNotFoundError(ExemplarError):
    """No digest has that id."""


@dataclass(frozen=True, slots=True)
class DraftReport:
    """What drafting did."""

    digest_id: int
    redrafted: bool
    candidates: int
    refreshed: int
    removed_at_source: int
    superseded: int | None = None
    items: int = 0
    # Set when the draft is empty while the current week already has candidates: says how to draft it.
    empty_note: str | None = None


@dataclass(slots=True)
class DigestService:
    """Digest operations on one database; ``actor`` is recorded on every event."""

    engine: Engine
    settings: Settings
    store: PostStore
    clock: Callable[[], datetime]
    actor: str = "exemplar"
    home: HomeInstances | None = None
    rules: SelectionRules = field(init=False)

    def __post_init__(self) -> None:
        digest = self.settings.digest
        self.rules = SelectionRules(
            section_sizes={"video": digest.videos, "tool": digest.tools, "question": digest.questions},
            max_per_author=digest.max_per_author,
            allow_sensitive=digest.allow_sensitive,
            half_life_days=digest.half_life_days,
        )

    # --- drafting ---------------------------------------------------------------------------

    def draft(self, period: tuple[datetime, datetime] | None = None) -> DraftReport:
        """Draft (or re-draft) the digest of ``period`` (default: the last complete week)."""
        now = self.clock()
        start, end = period or last_week(now, self.settings.digest.timezone, self.settings.digest.week_starts)
        refreshed, removed = self._refresh_candidates(start, end)
        # Over the tables only (storage.digests' Core helpers): a draft in a fresh process, what
        # `exemplar digest draft` pays, never configures the ORM's mappers.
        with session_scope(self.engine) as session:
            rows = self._candidate_rows(session, start, end)
            candidates = self._candidates(session, rows)
            open_digests = digest_repo.open_digest_states(session, start, end)
            draft_id = next((digest_id for digest_id, status in open_digests if status == "draft"), None)
            superseded = None
            redrafted = draft_id is not None
            if draft_id is None:
                for approved, status in open_digests:
                    digest_repo.update_digest(session, approved, status=next_status(status, "supersede"))
                    digest_repo.insert_event(
                        session, approved, actor=self.actor, action="superseded", now=now
                    )
                    superseded = approved
                draft_id = digest_repo.insert_draft(
                    session,
                    start=start,
                    end=end,
                    timezone=self.settings.digest.timezone,
                    hashtag=self.settings.digest_hashtag,
                    now=now,
                )
            items = self._fill(session, draft_id, candidates, end)
            digest_repo.update_digest(session, draft_id, updated_at=now)
            digest_repo.insert_event(
                session,
                draft_id,
                actor=self.actor,
                action="redrafted" if redrafted else "drafted",
                now=now,
                candidates=len(candidates),
                items=items,
            )
            note = None if items else self._empty_note(session, draft_id, (start, end), now)
            return DraftReport(
                draft_id, redrafted, len(candidates), refreshed, removed, superseded, items, note
            )

    def empty_note(self, digest_id: int) -> str | None:
        """For an empty draft: if the current week has candidates, say so and how to draft it."""
        with session_scope(self.engine) as session:
            row = self._get(session, digest_id)
            if row.status != "draft" or digest_repo.live_items(row):
                return None
            period = (row.period_start.astimezone(UTC), row.period_end.astimezone(UTC))
            return self._empty_note(session, digest_id, period, self.clock())

    def _empty_note(
        self, session: Session, digest_id: int, period: tuple[datetime, datetime], now: datetime
    ) -> str | None:
        digest = self.settings.digest
        current = this_week(now, digest.timezone, digest.week_starts)
        if period == current:
            return None
        waiting = len(self._candidate_rows(session, *current))
        if not waiting:
            return None
        zone = ZoneInfo(digest.timezone)
        first = current[0].astimezone(zone)
        label = period_label(first, current[1].astimezone(zone))
        posts = "post that qualifies" if waiting == 1 else "posts that qualify"
        return (
            f"digest {digest_id} is empty: no post from its period qualifies, but the current week "
            f"({label}) already has {waiting} {posts}; draft it with "
            f"`exemplar digest draft --start {first:%Y-%m-%d}`"
        )

    def _candidate_rows(
        self, session: Session, start: datetime, end: datetime
    ) -> list[tuple[Row[Any], frozenset[str]]]:
        """The period's candidate posts, each with the labels it carries."""
        return digest_repo.candidates_with_labels(
            session, start=start, end=end, hashtags=self.settings.hashtags, labels=SECTIONS
        )

    def _candidates(
        self, session: Session, rows: Sequence[tuple[Row[Any], frozenset[str]]]
    ) -> list[Candidate]:
        # Only a question's answers change its score (an unanswered one is boosted).
        answers = digest_repo.answer_credits(
            session, [row[0] for row, labels in rows if "question" in labels]
        )
        candidates = []
        for row, labels in rows:
            # Unpacked in the order of digest_repo.CANDIDATE_COLUMNS: far cheaper than by name.
            post_id, acct, created, links, spoiler, sensitive, favourites, reblogs, replies = cast(
                tuple[Any, ...], row
            )
            candidates.append(
                Candidate(
                    post_id=post_id,
                    author_acct=acct,
                    created_at=created,
                    labels=labels,
                    links=tuple(links),
                    spoiler_text=spoiler,
                    sensitive=sensitive,
                    favourites_count=favourites,
                    reblogs_count=reblogs,
                    replies_count=replies,
                    answers=tuple(Answer(name, url) for name, url in answers.get(post_id, ())),
                )
            )
        return candidates

    def _fill(self, session: Session, draft_id: int, candidates: list[Candidate], end: datetime) -> int:
        """Replace the selection's items, keeping every item a curator touched (and every removal);
        returns how many items the draft shows."""
        kept = digest_repo.clear_uncurated_items(session, draft_id)
        kept_ids = {item.post_id for item in kept if not item.removed}
        choices = select(
            candidates,
            self.rules,
            end,
            pinned=kept_ids,
            removed={item.post_id for item in kept if item.removed},
            exclusions=self._exclusions(session),
        )
        next_position = dict.fromkeys(SECTIONS, 0)
        for item in kept:
            section = cast(Section, item.section)
            next_position[section] = max(next_position[section], item.position + 1)
        added = []
        for choice in choices:
            if choice.post_id in kept_ids:
                continue
            added.append(
                digest_repo.NewItem(
                    choice.post_id, choice.section, next_position[choice.section], choice.score
                )
            )
            next_position[choice.section] += 1
        digest_repo.add_items(session, draft_id, added)
        return len(kept_ids) + len(added)

    @staticmethod
    def _exclusions(session: Session) -> Exclusions:
        found = digest_repo.exclusions(session)
        return Exclusions(
            posts={int(value) for value in found["post"] if value.isdigit()},
            authors=found["author"],
            domains=found["domain"],
        )

    # --- refreshing candidates from their home instances -----------------------------------

    def _refresh_candidates(self, start: datetime, end: datetime) -> tuple[int, int]:
        """Re-read the most promising candidates at home, within the budget: (refreshed, removed)."""
        if self.home is None or self.settings.digest.refresh_budget == 0:
            return 0, 0
        with session_scope(self.engine) as session:
            rows = self._candidate_rows(session, start, end)
            candidates = self._candidates(session, rows)
            order = sorted(
                candidates,
                key=lambda c: -max(score(c, s, end, self.rules) for s in SECTIONS if s in c.labels),
            )
            urls = digest_repo.post_addresses(session, [candidate.post_id for candidate in candidates])
        answers: list[tuple[Candidate, dict[str, Any] | None, list[dict[str, Any]] | None]] = []
        try:
            for candidate in order:
                status, reachable = self.home.status(urls[candidate.post_id])
                if not reachable:
                    continue
                replies = (
                    self.home.replies(urls[candidate.post_id]) if "question" in candidate.labels else None
                )
                answers.append((candidate, status, replies))
        except BudgetExhaustedError:
            log.info("refreshed %d candidates before the request budget ran out", len(answers))
        gone = sum(1 for _candidate, status, _replies in answers if status is None)
        if gone > removal_limit(len(answers)):
            # Homes answering 404 for that many posts at once is a fault (a proxy, maintenance), not news.
            log.error("homes answered 404/410 for %d of %d candidates; none was removed", gone, len(answers))
            answers = [answer for answer in answers if answer[1] is not None]
        removed = sum(self._apply_refresh(*answer) for answer in answers)
        return len(answers), removed

    def _apply_refresh(
        self, candidate: Candidate, status: dict[str, Any] | None, replies: list[dict[str, Any]] | None
    ) -> int:
        now = self.clock()
        with session_scope(self.engine) as session:
            row = session.get(PostRow, candidate.post_id)
            if row is None:
                return 0
            this_post = PostRow.id == row.id
            if status is None:  # its home answered 404/410 for this post
                reason = "deleted at its home instance (404/410)"
                return repo.remove_posts(session, this_post, via="home", reason=reason, now=now)
            screened = screen([status], normalise_status, account_of_status, where="home refresh")
            if screened.opted_out or screened.not_public:
                reason = "its author opted out" if screened.opted_out else "no longer public at its home"
                return repo.remove_posts(session, this_post, via="home", reason=reason, now=now)
            if not screened.posts or screened.posts[0].uri != row.uri:
                # A malformed answer, or another post: no evidence about this one, which stays.
                log.info("home refresh of %s answered something else; left as it is", row.uri)
                return 0
            self.store.save(session, screened.posts, seen=None, now=now)
            if replies is not None:
                digest_repo.replace_answers(session, row.id, self._answers(row, replies))
        return 0

    @staticmethod
    def _answers(question: PostRow, replies: list[dict[str, Any]]) -> list[QuestionAnswer]:
        answers = []
        for reply in replies:
            account = reply.get("account")
            if not isinstance(account, dict) or opt_out_reason(account) is not None:
                continue
            try:
                author = normalise_account(account)
            except ValueError:
                continue
            created = parse_timestamp(reply.get("created_at"))
            uri, url = reply.get("uri"), reply.get("url") or reply.get("uri")
            if author.acct == question.author_acct or not uri or created is None:
                continue
            answers.append(
                QuestionAnswer(
                    post_id=question.id,
                    answer_uri=str(uri),
                    answer_url=str(url),
                    author_acct=author.acct,
                    author_name=author.display_name,
                    created_at=created,
                )
            )
        return answers

    # --- viewing ------------------------------------------------------------------------------

    def view(self, digest_id: int) -> Digest:
        """The digest as it will be shown and published.

        Read over the tables (the digest, then its live items with their posts in one statement),
        like :meth:`draft`: what `exemplar digest draft` shows needs no mapped objects."""
        with session_scope(self.engine) as session:
            header = digest_repo.digest_header(session, digest_id)
            if header is None:
                raise DigestNotFoundError(f"no digest {digest_id}; `exemplar digest list` shows them")
            rows = digest_repo.live_items_with_posts(session, digest_id)
            ids = [row.post_id for row in rows]
            labels = label_repo.effective_labels(session, ids)
            answers = digest_repo.answer_credits(session, ids)
            return digest_with_items(
                cast(DigestFields, header),
                (
                    _view_of(
                        cast(ItemFields, row),
                        cast(PostFields, row),
                        labels.get(row.post_id, []),
                        answers.get(row.post_id, []),
                        self.store,
                    )
                    for row in rows
                ),
            )

    def _get(self, session: Session, digest_id: int, *options: ORMOption) -> DigestRow:
        row = session.get(DigestRow, digest_id, options=options)
        if row is None:
            raise DigestNotFoundError(f"no digest {digest_id}; `exemplar digest list` shows them")
        return row

    # --- lifecycle ---------------------------------------------------------------------------

    def transition(self, digest_id: int, action: str, **detail: Any) -> str:
        """Apply ``action`` (approve, reject...) and record who did it; returns the new status.

        An empty digest is never approved (:class:`~digests.lifecycle.EmptyDigestError`)."""
        now = self.clock()
        with session_scope(self.engine) as session:
            row = self._get(session, digest_id)
            # Publishing checks for items itself, before posting anything (Publisher.publish).
            items = len(digest_repo.live_items(row)) if action == "approve" else None
            row.status = next_status(row.status, action, items=items, digest_id=digest_id)
            row.updated_at = now
            digest_repo.record_event(session, row.id, actor=self.actor, action=row.status, now=now, **detail)
            return row.status

    def edit(self, digest_id: int, edits: Sequence[Edit]) -> None:
        """Apply curator edits to a draft, each recorded; the items they touch become curated."""
        now = self.clock()
        with session_scope(self.engine) as session:
            row = self._get(session, digest_id)
            check_editable(row.status)
            for change in edits:
                change.apply(session, row)
                digest_repo.record_event(
                    session,
                    row.id,
                    actor=self.actor,
                    action=f"edit:{change.kind}",
                    now=now,
                    **change.detail(),
                )
            row.updated_at = now


@dataclass(frozen=True, slots=True)
class Edit:
    """One curator edit. ``kind`` is add, remove, move, pin, unpin, blurb or intro."""

    kind: str
    post_id: int | None = None
    section: str | None = None
    position: int | None = None
    text: str | None = None

    def detail(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in (
                ("post_id", self.post_id),
                ("section", self.section),
                ("position", self.position),
                ("text", self.text),
            )
            if v is not None
        }

    def apply(self, session: Session, digest: DigestRow) -> None:
        if self.kind == "intro":
            digest.intro = self.text or ""
            return
        if self.post_id is None:
            raise ExemplarError(f"{self.kind} needs a post id")
        item = next((i for i in digest.items if i.post_id == self.post_id), None)
        if self.kind == "add":
            item = self._add(session, digest, item)
        if item is None or (item.removed and self.kind != "add"):
            raise ExemplarError(
                f"post {self.post_id} is not in digest {digest.id}; add it with --add {self.post_id}"
            )
        item.curated = True
        if self.kind == "remove":
            item.removed, item.pinned = True, False
        elif self.kind == "pin":
            item.pinned = True
        elif self.kind == "unpin":
            item.pinned = False
        elif self.kind == "blurb":
            item.blurb = self.text or ""
        elif self.kind == "move":
            _move(digest, item, self.position or 1)

    def _add(self, session: Session, digest: DigestRow, item: DigestItemRow | None) -> DigestItemRow:
        assert self.post_id is not None
        post = session.get(PostRow, self.post_id)
        if post is None:
            raise ExemplarError(f"no stored post {self.post_id}; `exemplar posts` lists their ids")
        section = self.section or _default_section(session, self.post_id)
        if section not in SECTIONS:
            raise ExemplarError(f"unknown section {section!r}; use one of {', '.join(SECTIONS)}")
        in_section = [i for i in digest_repo.live_items(digest) if i.section == section]
        position = max((i.position for i in in_section), default=-1) + 1
        if item is None:
            item = DigestItemRow(post_id=self.post_id, section=section, position=position, blurb="")
            digest.items.append(item)
        else:
            item.removed, item.section, item.position = False, section, position
        return item


def _default_section(session: Session, post_id: int) -> str:
    labels = {label.name for label in label_repo.effective_labels(session, [post_id]).get(post_id, [])}
    return next((section for section in FILL_ORDER if section in labels), "video")


def _move(digest: DigestRow, item: DigestItemRow, position: int) -> None:
    """Put ``item`` at 1-based ``position`` within its section and renumber the section."""
    section = [i for i in digest_repo.live_items(digest) if i.section == item.section and i is not item]
    index = max(0, min(position - 1, len(section)))
    section.insert(index, item)
    for number, entry in enumerate(section):
        entry.position = number
        entry.curated = True


def digest_view(session: Session, row: DigestRow, store: PostStore) -> Digest:
    """The renderable view of a stored digest."""
    items = digest_repo.live_items(row)
    ids = [item.post_id for item in items]
    labels = label_repo.effective_labels(session, ids)
    answers = digest_repo.answers_of(session, ids)
    return digest_with_items(
        row,
        (
            _item_view(item, labels.get(item.post_id, []), answers.get(item.post_id, []), store)
            for item in items
        ),
    )


class DigestFields(Protocol):
    """What a digest's view is made from: a mapped digest, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def period_start(self) -> datetime: ...
    @property
    def period_end(self) -> datetime: ...
    @property
    def timezone(self) -> str: ...
    @property
    def hashtag(self) -> str: ...
    @property
    def intro(self) -> str: ...


class ItemFields(Protocol):
    """What an item's view takes from the item: a mapped item, or a row of its columns."""

    @property
    def section(self) -> str: ...
    @property
    def position(self) -> int: ...
    @property
    def blurb(self) -> str: ...
    @property
    def pinned(self) -> bool: ...


class PostFields(Protocol):
    """What an item's view takes from its post: a mapped post, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def uri(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def author_name(self) -> str: ...
    @property
    def author_acct(self) -> str: ...
    @property
    def author_url(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def html(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def spoiler_text(self) -> str: ...
    @property
    def sensitive(self) -> bool: ...
    @property
    def links(self) -> list[Any]: ...
    @property
    def media(self) -> list[Any]: ...
    @property
    def card(self) -> dict[str, Any] | None: ...
    @property
    def favourites_count(self) -> int: ...
    @property
    def reblogs_count(self) -> int: ...
    @property
    def replies_count(self) -> int: ...


def digest_with_items(row: DigestFields, items: Iterable[DigestItem]) -> Digest:
    """A stored digest's view with ``items`` (live, or as they were published), in its own time zone."""
    zone = ZoneInfo(row.timezone)
    return Digest(
        id=row.id,
        status=cast(Any, row.status),
        period_start=row.period_start.astimezone(zone),
        period_end=row.period_end.astimezone(zone),
        timezone=row.timezone,
        hashtag=row.hashtag,
        intro=row.intro,
        items=tuple(items),
    )


def _item_view(
    item: DigestItemRow,
    labels: list[label_repo.EffectiveLabel],
    answers: list[QuestionAnswer],
    store: PostStore,
) -> DigestItem:
    return _view_of(item, item.post, labels, [(a.author_name, a.answer_url) for a in answers], store)


def _view_of(
    item: ItemFields,
    post: PostFields,
    labels: list[label_repo.EffectiveLabel],
    answers: Sequence[tuple[str, str]],
    store: PostStore,
) -> DigestItem:
    reason = next((label.reason for label in labels if label.name == item.section), "")
    card = post.card or {}
    return DigestItem(
        post_id=post.id,
        section=cast(Section, item.section),
        position=item.position,
        url=post.url,
        uri=post.uri,
        author_name=post.author_name,
        author_acct=post.author_acct,
        author_url=post.author_url,
        text=post.text,
        html=post.html,
        created_at=post.created_at,
        spoiler_text=post.spoiler_text,
        sensitive=post.sensitive,
        blurb=item.blurb,
        pinned=item.pinned,
        reason=reason,
        links=tuple(post.links),
        media_kinds=tuple(str(m.get("kind")) for m in post.media),
        card_title=str(card.get("title") or ""),
        card_url=str(card.get("url") or ""),
        thumbnail=_thumbnail(post.media, card),
        duration_seconds=next((float(m["duration"]) for m in post.media if m.get("duration")), None),
        tool_names=store.tool_names(post.text, post.links),
        favourites_count=post.favourites_count,
        reblogs_count=post.reblogs_count,
        replies_count=post.replies_count,
        answers=tuple(Answer(name, url) for name, url in answers),
        source=post.source,
    )


def _thumbnail(media: list[Any], card: dict[str, Any]) -> str:
    """A picture for a video: its attachment's preview, else its link card's image."""
    for item in media:
        if item.get("kind") in ("video", "gifv") and item.get("preview_url"):
            return str(item["preview_url"])
    return str(card.get("image") or "")
