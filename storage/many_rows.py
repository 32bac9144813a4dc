"""Inserting many rows in few statements, at the cost of the driver alone.

An ``executemany`` of a Core ``insert`` makes SQLAlchemy build a parameter dictionary and run every
column's type processing for every row, which costs more than the insert itself. Here each value goes
through its column's bind processor only where the column's type has one (datetimes, JSON: exactly
what SQLAlchemy would store), and the rows go to the driver as one multi-row ``VALUES`` statement per
page, through :meth:`~sqlalchemy.engine.Connection.exec_driver_sql`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table

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
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for at, name in enumerate(columns):
        column_type = table.c[name].type
        bind = column_type.dialect_impl(dialect).bind_processor(dialect)
        if bind is not None:
            processors.append((at, bind if isinstance(column_type, JSON) else _memoised(bind)))
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
        values: list[Any] = []
        for row in chunk:
            if processors:
                converted = list(row)
                for at, process in processors:
                    converted[at] = process(converted[at])
                values.extend(converted)
            else:
                values.extend(row)
        statement = head + ", ".join([row_values] * len(chunk)) + tail
        result = connection.exec_driver_sql(statement, tuple(values))
        if returning:
            found.extend(tuple(row) for row in result)
    return found


def rows_where_in(
    connection: Connection, table: Table, columns: Sequence[str], key: str, values: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """``columns`` of the rows of ``table`` whose ``key`` is one of ``values``, in no particular order.

    For columns whose type converts nothing on the way in or out (strings, integers): the values go to
    the driver as they are, in pages of :data:`_ROWS_PER_STATEMENT`, each as a plain ``IN`` list of
    markers, not a SQLAlchemy expression compiled and expanded for every statement.
    """
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    selected = ", ".join(quote(name) for name in columns)
    head = f"SELECT {selected} FROM {quote(table.name)} WHERE {quote(key)} IN ("
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(values), _ROWS_PER_STATEMENT):
        chunk = tuple(values[start : start + _ROWS_PER_STATEMENT])
        statement = head + ", ".join([marker] * len(chunk)) + ")"
        found.extend(tuple(row) for row in connection.exec_driver_sql(statement, chunk))
    return found


def _memoised(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``processor`` computed once per distinct value (the rows of a batch share timestamps)."""
    done: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        try:
            return done[value]
        except KeyError:
            done[value] = converted = processor(value)
            return converted

    return process
