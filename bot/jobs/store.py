"""The one write path for posts: save them, then label what was new or changed.

Collection, refresh and ``exemplar import`` all store through :class:`PostStore`, so every stored post
is classified as it is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.classify.catalogue import ToolCatalogue, load_catalogue
from bot.classify.labels import LinkInfo
from bot.posts import Post
from storage import archive_queries
from storage import labels as label_repo
from storage import repository as repo
from storage.precedence import CopyRank, collected_rank


@dataclass(slots=True)
class PostStore:
    """Saves posts and keeps their rule labels in step with them."""

    catalogue: ToolCatalogue = field(default_factory=load_catalogue)

    def save(
        self,
        session: Session,
        posts: Sequence[Post],
        *,
        seen: repo.SeenThrough | None,
        now: datetime,
        rank: CopyRank | repo.RankOf = collected_rank,
        imported: Mapping[str, repo.ImportedPayload] | None = None,
    ) -> repo.SaveResult:
        """Store these copies (``rank``: where they came from; see :mod:`storage.precedence`;
        ``imported``: the imported payload each came from, by URI; see :mod:`bot.jobs.unchanged`)."""
        removed = archive_queries.removed_uris(session, [post.uri for post in posts])
        if removed:  # their authors took them out of the archive: never store them again
            posts = [post for post in posts if post.uri not in removed]
        result = repo.save_posts(session, posts, seen=seen, now=now, rank=rank, imported=imported)
        if result.written:
            written = {post.uri: post for post in posts if post.uri in result.written}
            self.relabel(session, {result.written[uri]: post for uri, post in written.items()}, now)
        return result

    def relabel(self, session: Session, posts_by_id: Mapping[int, Post], now: datetime) -> None:
        """Recompute the rule labels of these stored posts (curator corrections stay as they are)."""
        from bot.classify import classify  # loaded with the first post to label (see bot.classify)

        links = resolved_links(session, (url for post in posts_by_id.values() for url in post.links))
        label_repo.replace_rule_labels(
            session,
            {post_id: classify(post, self.catalogue, links) for post_id, post in posts_by_id.items()},
            now,
        )

    def tool_names(self, text: str, links: Sequence[str]) -> tuple[str, ...]:
        """The tools a post names or links: the catalogue's in order of appearance, then misspelt and
        unlisted ones (see :func:`bot.classify.tools.guessed_tool_names`), then linked ones."""
        from bot.classify.tools import guessed_tool_names

        names = [match.tool.name for match in self.catalogue.names_in(text)]
        names += [name for _, name in guessed_tool_names(text, self.catalogue)]
        names += [tool.name for tool in (self.catalogue.tool_for_url(link) for link in links) if tool]
        return tuple(dict.fromkeys(names))


def resolved_links(session: Session, urls: Iterable[str]) -> dict[str, LinkInfo]:
    """What link resolution has learned about these URLs, in the classifier's terms."""
    return {
        url: LinkInfo(final_url=row.final_url or url, og_type=row.og_type, site_name=row.site_name)
        for url, row in label_repo.cached_links(session, urls).items()
        if row.error is None
    }
