"""Inserting many rows in few statements, at the cost of the driver alone.

An ``executemany`` of a Core ``insert`` makes SQLAlchemy build a parameter dictionary and run every
column's type processing for every row, which costs more than the insert itself. Here each value goes
through its column's bind processor only where the column's type has one (datetimes, JSON: exactly
what SQLAlchemy would store), and the rows go to the driver as one multi-row ``VALUES`` statement per
page, through :meth:`~sqlalchemy.engine.Connection.exec_driver_sql`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from typing import Any

from sqlalchemy import JSON, Connection, Table

from storage.json_text import SerialisedJson

# SQLite allows 32,766 bound values in a statement, PostgreSQL 65,535; pages stay well below both.
_VALUES_PER_STATEMENT = 16_000
_ROWS_PER_STATEMENT = 500


def insert_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    skip_conflicts_on: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (values in the order of ``columns``, as Python values of the columns' types).

    ``skip_conflicts_on``: the columns of a unique key; a row that would repeat a stored key is left
    out (``ON CONFLICT DO NOTHING``). Returns the ``returning`` columns of each inserted row, in no
    particular order.
    """
    if not rows:
        return []
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    converters: list[tuple[int, Callable[[Sequence[Any]], list[Any]]]] = []
    for at, name in enumerate(columns):
        column_type = table.c[name].type
        bind = column_type.dialect_impl(dialect).bind_processor(dialect)
        if bind is not None:
            converters.append((at, _json_column(bind) if isinstance(column_type, JSON) else _by_value(bind)))
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    row_values = "(" + ", ".join([marker] * len(columns)) + ")"
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in columns)}) VALUES "
    tail = ""
    if skip_conflicts_on:
        tail += f" ON CONFLICT ({', '.join(quote(name) for name in skip_conflicts_on)}) DO NOTHING"
    if returning:
        tail += f" RETURNING {', '.join(quote(name) for name in returning)}"
    page = max(1, min(_ROWS_PER_STATEMENT, _VALUES_PER_STATEMENT // len(columns)))
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), page):
        chunk = rows[start : start + page]
        if converters:
            by_column: list[Sequence[Any]] = list(zip(*chunk, strict=True))
            for at, convert in converters:
                by_column[at] = convert(by_column[at])
            values = tuple(chain.from_iterable(zip(*by_column, strict=True)))
        else:
            values = tuple(chain.from_iterable(chunk))
        statement = head + ", ".join([row_values] * len(chunk)) + tail
        result = connection.exec_driver_sql(statement, values)
        if returning:
            found.extend(map(tuple, result.fetchall()))
    return found


def rows_where_in(
    connection: Connection, table: Table, columns: Sequence[str], key: str, values: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """``columns`` of the rows of ``table`` whose ``key`` is one of ``values``, in no particular order,
    each value as its column's type reads it (as a Core ``select`` would return it).

    For a ``key`` whose type converts nothing on the way in (strings, integers): the values go to the
    driver as they are, in pages of :data:`_ROWS_PER_STATEMENT`, each as a plain ``IN`` list of
    markers, not a SQLAlchemy expression compiled and expanded for every statement. Only the columns
    whose type converts what the driver returns (datetimes, booleans on SQLite) cost a call per value.
    """
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    selected = ", ".join(quote(name) for name in columns)
    head = f"SELECT {selected} FROM {quote(table.name)} WHERE {quote(key)} IN ("
    found: list[tuple[Any, ...]] = []
    processors: list[tuple[int, Callable[[Any], Any]]] | None = None
    for start in range(0, len(values), _ROWS_PER_STATEMENT):
        chunk = tuple(values[start : start + _ROWS_PER_STATEMENT])
        statement = head + ", ".join([marker] * len(chunk)) + ")"
        result = connection.exec_driver_sql(statement, chunk)
        description = result.cursor.description  # read before the rows: the last closes the cursor
        rows = list(map(tuple, result.fetchall()))
        if not rows:
            continue
        if processors is None:
            processors = _result_processors(connection, table, columns, description)
        if processors:
            for at, row in enumerate(rows):
                converted = list(row)
                for column, process in processors:
                    converted[column] = process(converted[column])
                rows[at] = tuple(converted)
        found.extend(rows)
    return found


def delete_rows_where_in(
    connection: Connection,
    table: Table,
    key: str,
    values: Sequence[Any],
    equal: Mapping[str, str | int] | None = None,
) -> None:
    """Delete the rows of ``table`` whose ``key`` is one of ``values`` (and whose columns named in
    ``equal`` hold the values given there), for a ``key`` whose type converts nothing on the way in:
    a plain ``IN`` list a page, as :func:`rows_where_in` reads them."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    conditions = "".join(f" AND {quote(name)} = {marker}" for name in equal or {})
    fixed = tuple((equal or {}).values())
    head = f"DELETE FROM {quote(table.name)} WHERE {quote(key)} IN ("
    for start in range(0, len(values), _ROWS_PER_STATEMENT):
        chunk = tuple(values[start : start + _ROWS_PER_STATEMENT])
        statement = head + ", ".join([marker] * len(chunk)) + ")" + conditions
        connection.exec_driver_sql(statement, chunk + fixed)


def _result_processors(
    connection: Connection, table: Table, columns: Sequence[str], description: Sequence[Sequence[Any]]
) -> list[tuple[int, Callable[[Any], Any]]]:
    dialect = connection.dialect
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for at, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).result_processor(dialect, description[at][1])
        if process is not None:
            processors.append((at, process))
    return processors


def _by_value(processor: Callable[[Any], Any]) -> Callable[[Sequence[Any]], list[Any]]:
    """A column's values through ``processor``, each distinct value once (the rows of a batch share
    timestamps and flags)."""

    def convert(values: Sequence[Any]) -> list[Any]:
        converted = {value: processor(value) for value in set(values)}
        return list(map(converted.__getitem__, values))

    return convert


_PROBE = SerialisedJson("null")


def _json_column(processor: Callable[[Any], Any]) -> Callable[[Sequence[Any]], list[Any]]:
    """A JSON column's values through ``processor``; where the processor makes a value's text of a
    :class:`~storage.json_text.SerialisedJson` (SQLite's does: :func:`~storage.json_text.json_serializer`
    with no string processing), the text is taken as it is, with no call per value."""
    if type(processor(_PROBE)) is not str:  # e.g. psycopg wraps the value in a Json adapter

        def convert_each(values: Sequence[Any]) -> list[Any]:
            return list(map(processor, values))

        return convert_each
    text_of = str.__str__

    def convert(values: Sequence[Any]) -> list[Any]:
        return [text_of(value) if type(value) is SerialisedJson else processor(value) for value in values]

    return convert
