"""The optional link-resolution step of collection: resolve new, unknown links and cache the results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.classify import ToolCatalogue
from bot.classify.video_hosts import load_video_hosts
from bot.config import LinkSettings
from bot.links import LinkResolver
from bot.posts import Post
from storage import labels as label_repo
from storage.db import session_scope


def known_link_test(catalogue: ToolCatalogue) -> Callable[[str], bool]:
    """Whether the classifier already understands a link without resolving it (a video host, a tool)."""
    hosts = load_video_hosts()
    return lambda url: hosts.match(url) is not None or catalogue.tool_for_url(url) is not None


@dataclass(slots=True)
class LinkCache:
    """Resolves the links of posts about to be stored, within a per-run budget, into the link cache."""

    engine: Engine
    resolver: LinkResolver
    settings: LinkSettings
    is_known: Callable[[str], bool]
    clock: Callable[[], datetime]
    resolved: int = 0

    def resolve_missing(self, posts: Sequence[Post]) -> int:
        """Resolve links of ``posts`` not yet cached (or failed long enough ago); returns how many."""
        urls = [
            url for url in dict.fromkeys(u for post in posts for u in post.links) if not self.is_known(url)
        ]
        budget = self.settings.max_links_per_run - self.resolved
        if not urls or budget <= 0:
            return 0
        now = self.clock()
        retry_before = now - timedelta(days=self.settings.retry_failed_after_days)
        with session_scope(self.engine) as session:
            cached = label_repo.cached_links(session, urls)
        todo = [
            url
            for url in urls
            if url not in cached or (cached[url].error is not None and cached[url].fetched_at < retry_before)
        ][:budget]
        results = [self.resolver.resolve(url) for url in todo]
        self.resolved += len(results)
        with session_scope(self.engine) as session:
            label_repo.save_link_infos(
                session,
                (
                    {
                        "url": result.url,
                        "final_url": result.final_url,
                        "og_type": result.og_type,
                        "site_name": result.site_name,
                        "title": result.title,
                        "error": result.error,
                        "fetched_at": now,
                    }
                    for result in results
                ),
            )
        return len(results)
