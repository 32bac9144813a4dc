"""Migration 0019: an author's posts indexed in the inbox's order, and back."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect, select, text

from storage.db import _alembic_config, create_db_engine, upgrade_schema
from storage.models import Post


def post_indexes(engine: Engine) -> dict[str, list[str | None]]:
    return {index["name"] or "": index["column_names"] for index in inspect(engine).get_indexes("posts")}


def test_an_authors_posts_are_indexed_in_the_inboxs_order_and_the_downgrade_restores_the_old_index(
    database_url: str,
) -> None:
    engine = create_db_engine(database_url)
    upgrade_schema(engine, "0018")
    assert post_indexes(engine)["ix_posts_author_acct"] == ["author_acct"]
    upgrade_schema(engine)
    indexes = post_indexes(engine)
    assert indexes["ix_posts_author_acct_created_at_id"] == ["author_acct", "created_at", "id"]
    assert "ix_posts_author_acct" not in indexes
    if engine.dialect.name == "sqlite":
        newest = (
            select(Post.id)
            .where(Post.author_acct == "sam@school.example")
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(5)
        )
        compiled = newest.compile(engine, compile_kwargs={"literal_binds": True})
        with engine.connect() as connection:
            rows = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            plan = " ".join(str(row[-1]) for row in rows)
        assert "ix_posts_author_acct_created_at_id" in plan
        assert "TEMP B-TREE" not in plan  # read in order, not sorted
    command.downgrade(_alembic_config(engine), "0018")
    assert post_indexes(engine)["ix_posts_author_acct"] == ["author_acct"]
    assert "ix_posts_author_acct_created_at_id" not in post_indexes(engine)
    engine.dispose()
