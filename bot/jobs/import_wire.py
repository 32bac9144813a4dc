"""What an import's worker process is sent, and sends back, as plain tuples.

Pickling :class:`~bot.jobs.import_work.PayloadWork` as it is costs more than twice as much as the
same values in tuples (every frozen dataclass is rebuilt attribute by attribute, in Python), and the
importing process, which stores every batch, is the one that pays for the unpickling. It makes the
dataclasses again of the tuples with :mod:`bot.jobs.import_rebuild`, which costs a fifth of calling
them. :func:`packed` and :func:`unpacked` are exact inverses: ``unpacked(packed(work)) == work``.
The payloads sent to a worker are tuples too (:func:`packed_payloads`): the importing process pickles
them, and a tuple pickles without calling any Python.
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any

from bot.classify.labels import Label
from bot.jobs.import_formats import Payload
from bot.jobs.import_rebuild import rebuilder
from bot.jobs.import_work import PayloadWork, RecordWork, work_on
from bot.posts import Author, Card, Media, Post

PackedWork = tuple[Any, ...]
PackedPayload = tuple[Any, ...]


def _values_of(kind: type) -> attrgetter[Any]:
    return attrgetter(*(item.name for item in fields(kind)))


_POST_NAMES = tuple(item.name for item in fields(Post))
_post_values = attrgetter(*_POST_NAMES)
_author_values = _values_of(Author)
_media_values = _values_of(Media)
_card_values = _values_of(Card)
_label_values = _values_of(Label)
_AUTHOR = _POST_NAMES.index("author")
_MEDIA = _POST_NAMES.index("media")
_CARD = _POST_NAMES.index("card")
_new_payload_work = rebuilder(PayloadWork)
_new_record_work = rebuilder(RecordWork)
_new_post = rebuilder(Post)
_new_author = rebuilder(Author)
_new_media = rebuilder(Media)
_new_card = rebuilder(Card)
_new_label = rebuilder(Label)
_payload_values = _values_of(Payload)
_new_payload = rebuilder(Payload)


def packed(work: PayloadWork) -> PackedWork:
    """``work`` as tuples of plain values (strings, numbers, datetimes, the record's JSON values)."""
    return (
        work.bad_lines,
        tuple(_packed_record(item) for item in work.records),
        work.clean,
        work.exact,
    )


def unpacked(values: PackedWork) -> PayloadWork:
    """The :class:`PayloadWork` that :func:`packed` made ``values`` of."""
    bad_lines, records, clean, exact = values
    return _new_payload_work((bad_lines, tuple(map(_unpacked_record, records)), clean, exact))


def _packed_record(work: RecordWork) -> tuple[Any, ...]:
    labels = None if work.labels is None else tuple(_label_values(label) for label in work.labels)
    post = None if work.post is None else _packed_post(work.post)
    return (work.record, post, work.error, work.own_record, labels, work.opt_out, work.screened)


def _unpacked_record(values: tuple[Any, ...]) -> RecordWork:
    record, post, error, own_record, labels, opt_out, screened = values
    return _new_record_work(
        (
            record,
            None if post is None else _unpacked_post(post),
            error,
            own_record,
            None if labels is None else tuple(map(_new_label, labels)),
            opt_out,
            screened,
        )
    )


def _packed_post(post: Post) -> tuple[Any, ...]:
    values = list(_post_values(post))
    values[_AUTHOR] = _author_values(post.author)
    values[_MEDIA] = tuple(_media_values(item) for item in post.media)
    values[_CARD] = None if post.card is None else _card_values(post.card)
    return tuple(values)


def _unpacked_post(values: tuple[Any, ...]) -> Post:
    fields_in_order = list(values)
    fields_in_order[_AUTHOR] = _new_author(values[_AUTHOR])
    if values[_MEDIA]:
        fields_in_order[_MEDIA] = tuple(map(_new_media, values[_MEDIA]))
    if values[_CARD] is not None:
        fields_in_order[_CARD] = _new_card(values[_CARD])
    return _new_post(fields_in_order)


def packed_payloads(payloads: list[Payload]) -> list[PackedPayload]:
    """``payloads`` as tuples of their values, to be sent to a worker."""
    return list(map(_payload_values, payloads))


def packed_work_on(payloads: list[PackedPayload]) -> list[PackedWork]:
    """In a worker: :func:`~bot.jobs.import_work.work_on` the payloads :func:`packed_payloads` packed,
    packed to be sent back."""
    return [packed(work) for work in work_on(list(map(_new_payload, payloads)))]
