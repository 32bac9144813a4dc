"""Alembic environment: runs against the engine Exemplar hands over (never a URL from an ini file)."""

from __future__ import annotations

from alembic import context

from storage.models import Base
from storage.search import is_index_table

config = context.config
engine = config.attributes["engine"]

# Tables other libraries keep in the same database (APScheduler's job store) are not ours to migrate.
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(
    _object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    return not (type_ == "table" and (name in FOREIGN_TABLES or is_index_table(name)))


with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
