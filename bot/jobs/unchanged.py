"""Recognising imported records that are stored already exactly as they are, before any work is spent.

Every post an import writes keeps the digest of the payload it was made from (``posts.import_digest``):
the bytes of its line as read, or of its document and its place in it. A record whose digest is stored
would make the very same post, so a re-import skips it without parsing, normalising or screening it.

The digest is keyed with what else decides what a record becomes: the format, the hashtags the import
records sightings for, and :data:`DIGEST_VERSION`. Any other write to the post (a collected copy, an
edit) clears or replaces its digest, and a removed post takes its digest with it, so a changed record,
or one whose post has gone (its author opted out or removed it), is always processed in full.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from hashlib import blake2b

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Post as PostRow

# Bump when normalising, screening or classifying changes what a stored record becomes, so that the
# next import of every file is processed in full once.
DIGEST_VERSION = 1
_DIGEST_BYTES = 16
_LOOKUP_CHUNK = 500


class PayloadDigests:
    """Digests of one import's payloads (pure): keyed by format, hashtags and :data:`DIGEST_VERSION`.

    >>> digests = PayloadDigests("mastodon", ("fliplead",))
    >>> digests.of_text('{"id": "1"}') == digests.of_text('{"id": "1"}')
    True
    >>> digests.of_text('{"id": "1"}') == PayloadDigests("mastodon", ("other",)).of_text('{"id": "1"}')
    False
    """

    def __init__(self, fmt: str, hashtags: Iterable[str]) -> None:
        context = "\x1f".join([str(DIGEST_VERSION), fmt, *sorted(set(hashtags))])
        self._base = blake2b(context.encode("utf-8"), digest_size=_DIGEST_BYTES)

    def of_text(self, text: str) -> str:
        """The digest of a payload read as ``text`` (a line of JSON lines, a CSV row, a document)."""
        hasher = self._base.copy()
        hasher.update(text.encode("utf-8", "surrogatepass"))
        return hasher.hexdigest()

    def of_part(self, document_digest: str, position: int) -> str:
        """The digest of the record at ``position`` of a document that holds several (a page)."""
        hasher = self._base.copy()
        hasher.update(f"{document_digest}:{position}".encode("ascii"))
        return hasher.hexdigest()


def stored_digests(session: Session, digests: Collection[str]) -> dict[str, str]:
    """Which of these payload digests a stored post was made from: ``digest -> the post's URI``."""
    wanted = list(set(digests))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        rows = session.execute(
            select(PostRow.import_digest, PostRow.uri).where(PostRow.import_digest.in_(chunk))
        )
        found.update({digest: uri for digest, uri in rows if digest is not None})
    return found
