"""Recognising imported records that are stored already exactly as they are, before any work is spent.

Every post an import writes keeps the digest of the payload it was made from (``posts.import_digest``):
the bytes of its line as read, or of its document and its place in it. A record whose digest is stored
would make the very same post, so a re-import skips it without parsing, normalising or screening it.

The digest is keyed with what else decides what a record becomes: the format, the hashtags the import
records sightings for, and :data:`DIGEST_VERSION`. Any other write to the post (a collected copy, an
edit) clears or replaces its digest, and a removed post takes its digest with it, so a changed record,
or one whose post has gone (its author opted out or removed it), is always processed in full.

A re-import of a JSON-lines file first reads it as bytes (:func:`unchanged_prefix`): the batches at its
start whose every line is stored already are skipped with no more work than hashing each line and
looking its digest up, and the import proper starts at the first batch that holds anything else.
"""

from __future__ import annotations

from codecs import BOM_UTF8
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from hashlib import blake2b
from itertools import islice
from pathlib import Path

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from storage.many_rows import rows_where_in
from storage.models import Post as PostRow
from storage.models import table_of

# Bump when normalising, screening or classifying changes what a stored record becomes, so that the
# next import of every file is processed in full once.
DIGEST_VERSION = 1
_DIGEST_BYTES = 16
_POSTS = table_of(PostRow)
# The formats whose payload is one line of a JSON-lines file, as read (see bot.jobs.import_formats).
LINE_FORMATS = frozenset({"mastodon", "twarc2", "bluesky"})
_READ_BYTES = 1 << 20
# The prefix is read in windows of batches, growing from one batch: a file of new records costs one
# batch of hashing, and a long unchanged one a lookup per window.
_MOST_BATCHES_A_WINDOW = 32
# With at most this many stored digests per line of the file, all of them are read in one query (an
# index-only scan) rather than looked up window by window.
_READ_ALL_PER_LINE = 2


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

    def of_lines(self, lines: Iterable[bytes]) -> list[str]:
        """The digests of payloads read as these UTF-8 lines: each the same as :meth:`of_text` of the
        line decoded."""
        copy = self._base.copy
        digests = []
        for line in lines:
            hasher = copy()
            hasher.update(line)
            digests.append(hasher.hexdigest())
        return digests

    def of_part(self, document_digest: str, position: int) -> str:
        """The digest of the record at ``position`` of a document that holds several (a page)."""
        hasher = self._base.copy()
        hasher.update(f"{document_digest}:{position}".encode("ascii"))
        return hasher.hexdigest()


def stored_digests(connection: Connection, digests: Collection[str]) -> dict[str, str]:
    """Which of these payload digests a stored post was made from: ``digest -> the post's URI``."""
    rows = rows_where_in(connection, _POSTS, ("import_digest", "uri"), "import_digest", list(set(digests)))
    return {digest: uri for digest, uri in rows if digest is not None}


@dataclass(frozen=True, slots=True)
class UnchangedPrefix:
    """How many payloads at the start of a file are stored already as they are (whole batches), and
    whether that is the whole file."""

    payloads: int
    whole_file: bool


def unchanged_prefix(
    session: Session, path: Path, digests: PayloadDigests, batch_size: int
) -> UnchangedPrefix:
    """The batches of ``batch_size`` payloads at the start of a JSON-lines file whose every line made
    a stored post (a digest of its bytes is stored), read before anything of the file is stored.

    These are exactly the batches an import would skip whole: it looks each batch up just before
    storing it, and nothing before them is stored. Lines are split at ``\\n`` only and blank lines are
    no payload, as :func:`bot.jsonfile.read_json_texts` reads them. A line that is not valid UTF-8, not
    JSON, or one line of a document of several is stored as no line, so the prefix ends before it.
    """
    lookup = _StoredDigests(session)
    done = 0
    window = batch_size
    try:
        size = path.stat().st_size
        lines = _payload_lines(path)
        first = list(islice(lines, batch_size))
        found = digests.of_lines(first)
        while found:
            known = lookup.among(found)
            if not known.issuperset(found):
                first_new = next(at for at, digest in enumerate(found) if digest not in known)
                return UnchangedPrefix(done + first_new // batch_size * batch_size, whole_file=False)
            if not done:  # the first batch is unchanged: likely the file is
                lines_expected = size * len(first) // max(sum(map(len, first)), 1)
                lookup.read_all_if_at_most(_READ_ALL_PER_LINE * lines_expected)
                del first
            done += len(found)
            window = min(window * 4, _MOST_BATCHES_A_WINDOW * batch_size)
            found = digests.of_lines(islice(lines, window))
    except OSError:  # the import proper reports it
        return UnchangedPrefix(0, whole_file=False)
    return UnchangedPrefix(done, whole_file=done > 0)  # an empty file is for the import to refuse


def _payload_lines(path: Path) -> Iterator[bytes]:
    """The file's non-blank lines as bytes, without a UTF-8 byte-order mark."""
    with path.open("rb") as handle:
        pending = handle.read(len(BOM_UTF8))
        if pending == BOM_UTF8:
            pending = b""
        while chunk := handle.read(_READ_BYTES):
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            yield from (line for line in lines if line and not line.isspace())
        if pending and not pending.isspace():
            yield pending


class _StoredDigests:
    """Which digests are stored: looked up a window at a time, or all read at once (one index-only
    scan) when there are few enough of them."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._all: frozenset[str] | None = None

    def read_all_if_at_most(self, most: int) -> None:
        stored = self._session.scalar(select(func.count(PostRow.import_digest))) or 0
        if stored <= most:
            digests = self._session.scalars(
                select(PostRow.import_digest).where(PostRow.import_digest.is_not(None))
            )
            self._all = frozenset(digest for digest in digests if digest is not None)

    def among(self, digests: list[str]) -> frozenset[str]:
        if self._all is not None:
            return self._all
        rows = rows_where_in(self._session.connection(), _POSTS, ("import_digest",), "import_digest", digests)
        return frozenset(digest for (digest,) in rows if digest is not None)
