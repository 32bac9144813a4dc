"""Storage on a real database: a SQLite file, and PostgreSQL when EXEMPLAR_TEST_DATABASE_URL is set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session

from bot.networks.mastodon.normalise import normalise_status
from bot.posts import Post
from storage import repository as repo
from storage.db import (
    HEAD_REVISION,
    SchemaError,
    SchemaStatus,
    create_db_engine,
    ensure_schema,
    known_revisions,
    schema_status,
    session_scope,
    upgrade_schema,
)
from storage.models import Base, Cursor, PostTag, Sighting
from storage.models import Post as PostRow
from storage.search import is_index_table
from tests.payloads import account, status, video_attachment

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SCHOOL = repo.SeenThrough("mastodon:https://school.example", "fliplead")


def post(id: str, **overrides: object) -> Post:
    return normalise_status(status(id, **overrides))


def count(engine: Engine, model: type[Base]) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_new_posts_are_inserted_with_tags_and_sightings(engine: Engine) -> None:
    with session_scope(engine) as session:
        result = repo.save_posts(
            session, [post("1"), post("2", tags=["fliplead", "edchat"])], seen=SCHOOL, now=NOW
        )

    assert result == repo.SaveResult(new=2)
    assert count(engine, PostRow) == 2
    assert count(engine, PostTag) == 3
    assert count(engine, Sighting) == 2


def test_ctrl_c_as_a_commit_ends_is_what_the_caller_gets_and_what_was_committed_stays(
    engine: Engine,
) -> None:
    # An interruption after the transaction has committed, where the session refuses a rollback.
    def interrupted(session: Session) -> None:
        raise KeyboardInterrupt

    def save_one() -> None:
        with session_scope(engine) as session:
            repo.save_posts(session, [post("1")], seen=SCHOOL, now=NOW)
            event.listen(session, "after_commit", interrupted)

    with pytest.raises(KeyboardInterrupt) as caught:
        save_one()
    assert any("rolling back the session failed too" in note for note in caught.value.__notes__)
    assert count(engine, PostRow) == 1


def test_stored_post_round_trips(engine: Engine) -> None:
    original = post("7", media_attachments=[video_attachment()], language="es")
    with session_scope(engine) as session:
        repo.save_posts(session, [original], seen=SCHOOL, now=NOW)
    with session_scope(engine) as session:
        [row] = session.scalars(select(PostRow))
        assert row.uri == original.uri
        assert row.created_at == original.created_at  # aware UTC on every backend
        assert row.media[0]["kind"] == "video"
        assert row.raw == dict(original.raw)
        assert normalise_status(row.raw) == original  # everything derived is recomputable from raw
        assert row.first_seen_at == NOW


def test_saving_the_same_posts_again_changes_nothing(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.save_posts(session, [post("1"), post("2")], seen=SCHOOL, now=NOW)
    with session_scope(engine) as session:
        again = repo.save_posts(session, [post("1"), post("2")], seen=SCHOOL, now=NOW + timedelta(hours=1))
    assert again == repo.SaveResult(unchanged=2)
    assert count(engine, Sighting) == 2


def test_edits_and_new_counts_update_the_stored_post_and_its_tags(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.save_posts(session, [post("1", tags=["fliplead", "draft"])], seen=SCHOOL, now=NOW)
    edited = post(
        "1",
        content="<p>Final version #fliplead</p>",
        tags=["fliplead"],
        edited_at="2026-11-21T09:00:00.000Z",
        favourites_count=40,
    )
    later = NOW + timedelta(hours=2)
    with session_scope(engine) as session:
        result = repo.save_posts(session, [edited], seen=SCHOOL, now=later)
    assert result == repo.SaveResult(updated=1)
    with session_scope(engine) as session:
        [row] = session.scalars(select(PostRow))
        assert row.text == "Final version #fliplead"
        assert row.favourites_count == 40
        assert row.updated_at == later
        assert row.first_seen_at == NOW
        assert [tag.tag for tag in row.tags] == ["fliplead"]


def test_one_post_seen_through_two_sources_and_two_tags_is_one_row(engine: Engine) -> None:
    district = repo.SeenThrough("mastodon:https://district.example", "fliplead")
    with session_scope(engine) as session:
        repo.save_posts(session, [post("1")], seen=SCHOOL, now=NOW)
        repo.save_posts(session, [post("1")], seen=repo.SeenThrough(SCHOOL.source_key, "edchat"), now=NOW)
        # The other instance knows the same post (same uri) under its own local id.
        federated = normalise_status({**status("1"), "id": "998877"})
        repo.save_posts(session, [federated], seen=district, now=NOW)

    assert count(engine, PostRow) == 1
    with session_scope(engine) as session:
        seen = {(s.source_key, s.tag, s.remote_id) for s in session.scalars(select(Sighting))}
    assert seen == {
        (SCHOOL.source_key, "fliplead", "1"),
        (SCHOOL.source_key, "edchat", "1"),
        (district.source_key, "fliplead", "998877"),
    }


def test_duplicates_within_one_batch_are_stored_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        result = repo.save_posts(session, [post("1"), post("1")], seen=SCHOOL, now=NOW)
    assert result.new == 1


def test_deleting_an_authors_posts_cascades(engine: Engine) -> None:
    other = account("sam", display_name="Sam")
    with session_scope(engine) as session:
        repo.save_posts(session, [post("1"), post("2"), post("3", author=other)], seen=SCHOOL, now=NOW)
    with session_scope(engine) as session:
        assert repo.delete_posts_by_author(session, "maria@mastodon.social") == 2
    assert count(engine, PostRow) == 1
    assert count(engine, Sighting) == 1
    assert count(engine, PostTag) == 1


def test_deleting_posts_by_their_local_id_at_a_source(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.save_posts(session, [post("1"), post("2")], seen=SCHOOL, now=NOW)
    with session_scope(engine) as session:
        assert repo.delete_posts_seen_at(session, SCHOOL.source_key, ["2", "404"]) == 1
        assert repo.delete_posts_seen_at(session, "mastodon:https://elsewhere.example", ["1"]) == 0
    assert count(engine, PostRow) == 1


def test_recent_remote_ids_for_refresh(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.save_posts(
            session,
            [post("1", created_at="2026-11-01T00:00:00Z"), post("2", created_at="2026-11-23T00:00:00Z")],
            seen=SCHOOL,
            now=NOW,
        )
    with session_scope(engine) as session:
        assert repo.recent_remote_ids(session, SCHOOL.source_key, NOW - timedelta(days=3)) == ["2"]


def test_cursors_round_trip(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert repo.get_cursor(session, SCHOOL.source_key, "fliplead") is None
        repo.put_cursor(
            session,
            Cursor(
                source_key=SCHOOL.source_key,
                tag="fliplead",
                newest_id="200",
                oldest_id="100",
                backfilled_to=NOW,
            ),
            NOW,
        )
    with session_scope(engine) as session:
        cursor = repo.get_cursor(session, SCHOOL.source_key, "fliplead")
        assert cursor is not None
        assert (cursor.newest_id, cursor.oldest_id, cursor.backfilled_to) == ("200", "100", NOW)


def test_listing_posts_filters_by_tag_date_and_limit(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.save_posts(
            session,
            [
                post("1", created_at="2026-11-01T00:00:00Z", tags=["fliplead"]),
                post("2", created_at="2026-11-10T00:00:00Z", tags=["fliplead", "edchat"]),
                post("3", created_at="2026-11-20T00:00:00Z", tags=["edchat"]),
            ],
            seen=SCHOOL,
            now=NOW,
        )
    with session_scope(engine) as session:

        def ids(**query: object) -> list[str]:
            return [row.raw["id"] for row in repo.iter_posts(session, repo.PostQuery(**query))]  # type: ignore[arg-type]

        assert ids() == ["3", "2", "1"]
        assert ids(tag="#EdChat") == ["3", "2"]
        assert ids(since=datetime(2026, 11, 5, tzinfo=UTC)) == ["3", "2"]
        assert ids(limit=1) == ["3"]


def not_search_index(_object: object, name: str | None, type_: str, _reflected: bool, _to: object) -> bool:
    """The full-text index is made by hand per backend (see storage/search.py), not from a model."""
    return not (type_ == "table" and is_index_table(name))


def test_the_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": not_search_index})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_a_new_database_gets_the_schema_and_an_old_one_is_refused(database_url: str) -> None:
    fresh = create_db_engine(database_url)
    ensure_schema(fresh)
    assert schema_status(fresh).up_to_date

    with fresh.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(SchemaError, match="newer than this version"):
        ensure_schema(fresh)

    with fresh.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    with pytest.raises(SchemaError, match="run `exemplar db upgrade`"):
        ensure_schema(fresh)
    fresh.dispose()


def test_the_head_revision_constant_is_the_newest_migration(engine: Engine) -> None:
    """A migration added without updating HEAD_REVISION would leave every database "behind"."""
    from alembic.script import ScriptDirectory

    from storage.db import _alembic_config

    scripts = ScriptDirectory.from_config(_alembic_config(engine))
    assert scripts.get_heads() == [HEAD_REVISION]
    assert HEAD_REVISION in known_revisions(engine)
    assert schema_status(engine).current == HEAD_REVISION


def test_a_database_at_an_older_revision_is_behind_and_not_empty(database_url: str) -> None:
    old = create_db_engine(database_url)
    upgrade_schema(old, "0005")
    assert schema_status(old) == SchemaStatus(current="0005", head=HEAD_REVISION, empty=False)
    with pytest.raises(SchemaError, match=f"behind \\(at 0005, needs {HEAD_REVISION}\\)"):
        ensure_schema(old)
    old.dispose()


def test_upgrade_is_idempotent(engine: Engine) -> None:
    before = schema_status(engine)
    after = upgrade_schema(engine)
    assert before == after


def test_a_postgresql_url_without_a_driver_uses_psycopg() -> None:
    engine = create_db_engine("postgresql://exemplar:secret@127.0.0.1:1/exemplar")
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.url.password == "secret"
    engine.dispose()
