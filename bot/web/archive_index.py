"""Keeping the archive's search index and tool list in step with what is published.

Publishing happens elsewhere (the scheduler, the CLI); the web process notices it through a cheap
fingerprint of the archive (one indexed statement per request, see
:func:`storage.archive_queries.fingerprint`) and then indexes the published items that are not indexed
yet, each at its place in the archive. Workers index one at a time (:func:`storage.search.lock_for_indexing`),
and an item indexed already is left as it is, so several worker processes may look at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine

from bot.jobs.store import PostStore
from storage import archive_queries, search
from storage.db import session_scope
from storage.models import Post as PostRow


@dataclass(slots=True)
class ArchiveIndex:
    """The search index and the tool choices, refreshed when the set of published digests changes.

    Request threads share one index: indexing runs under its lock, and the tool list is replaced
    whole (never changed in place), so a reader sees the old list or the new one."""

    engine: Engine
    store: PostStore
    _synced: archive_queries.Fingerprint | None = None
    _tools: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> archive_queries.Fingerprint:
        """Index what was published since the last look (cheap when nothing was); returns the
        archive's fingerprint as it was looked at, before anything a page then reads."""
        with session_scope(self.engine) as session:
            current = archive_queries.fingerprint(session)
        if current == self._synced:
            return current
        with self._lock:
            if current == self._synced:  # another thread indexed it while this one waited
                return current
            self._index(current)
        return current

    def _index(self, current: archive_queries.Fingerprint) -> None:
        with session_scope(self.engine) as session:
            if not archive_queries.unindexed_items(session, limit=1):  # read only: no lock needed
                self._tools = archive_queries.tool_choices(session)
                self._synced = current
                return
        with session_scope(self.engine) as session:
            search.lock_for_indexing(session)  # another worker indexing the same items goes first
            items = archive_queries.unindexed_items(session)
            places = archive_queries.places_in_digests(session, {item.digest_id for item in items})
            posts = {item.post_id: item.post for item in items}
            documents = {post.id: self.document(post) for post in posts.values()}
            search.add_entries(
                session,
                [
                    search.Entry(
                        key=search.archive_key(item.digest.period_start, item.digest_id, places[item.id]),
                        item_id=item.id,
                        post_id=item.post_id,
                        digest_id=item.digest_id,
                        section=item.section,
                        body=documents[item.post_id],
                    )
                    for item in items
                ],
            )
            archive_queries.record_tools(
                session, {post.id: self.store.tool_names(post.text, post.links) for post in posts.values()}
            )
            # Answers come from the question's thread at its home instance when a draft refreshes
            # it; replies collected here too (a reply that carries the hashtag) count as well.
            for post_id in archive_queries.question_ids(session, list(posts)):
                question = posts[post_id]
                archive_queries.add_answers(
                    session, question, archive_queries.collected_replies(session, question)
                )
            self._tools = archive_queries.tool_choices(session)
            self._synced = current

    @property
    def tools(self) -> list[str]:
        """Every tool a published exemplar uses."""
        return list(self._tools)

    def document(self, post: PostRow) -> str:
        """What a post is found by: its words, its author, its link card, its hashtags and its tools."""
        card = post.card or {}
        return search.document_text(
            [
                post.text,
                post.spoiler_text,
                post.author_name,
                post.author_acct,
                str(card.get("title") or ""),
                " ".join(tag.tag for tag in post.tags),
                " ".join(self.store.tool_names(post.text, post.links)),
            ]
        )
