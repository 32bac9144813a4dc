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
from bot.classify.labels import Label, LinkInfo
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
        labels: Mapping[str, Sequence[Label]] | None = None,
    ) -> repo.SaveResult:
        """Store these copies (``rank``: where they came from; see :mod:`storage.precedence`;
        ``imported``: the imported payload each came from, by URI; see :mod:`bot.jobs.unchanged`;
        ``labels``: rule labels classified already with no resolved link, by URI, see :meth:`relabel`)."""
        removed = archive_queries.removed_uris(session, [post.uri for post in posts])
        if removed:  # their authors took them out of the archive: never store them again
            posts = [post for post in posts if post.uri not in removed]
        result = repo.save_posts(session, posts, seen=seen, now=now, rank=rank, imported=imported)
        if result.written:
            written = {post.uri: post for post in posts if post.uri in result.written}
            known = labels or {}
            self.relabel(
                session,
                {result.written[uri]: post for uri, post in written.items()},
                now,
                {result.written[uri]: known[uri] for uri in written if uri in known},
            )
        return result

    def relabel(
        self,
        session: Session,
        posts_by_id: Mapping[int, Post],
        now: datetime,
        classified: Mapping[int, Sequence[Label]] | None = None,
    ) -> None:
        """Recompute the rule labels of these stored posts (curator corrections stay as they are).

        ``classified``: labels computed already (by an import's worker processes) with no resolved
        link; used for a post unless link resolution has learned about a link it shares.
        """
        from bot.classify import classify  # loaded with the first post to label (see bot.classify)
        from bot.classify.urls import links_of

        links = resolved_links(session, (url for post in posts_by_id.values() for url in post.links))
        done = classified or {}

        def labels_of(post_id: int, post: Post) -> Sequence[Label]:
            known = done.get(post_id)
            if known is not None and not (
                links and any(url in links for url in links_of(post.links, post.text))
            ):
                return known
            return classify(post, self.catalogue, links)

        label_repo.replace_rule_labels(
            session, {post_id: labels_of(post_id, post) for post_id, post in posts_by_id.items()}, now
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
