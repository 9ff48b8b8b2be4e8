"""Central's schema is Alembic's: a database from before migrations is upgraded with its rows,
and the models and the migrations describe the same schema (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from central import service
from central.db import Base, Submission, alembic_config, make_engine
from tests.central import legacy_schema as legacy
from tests.sync.helpers import sample_item


def _head(engine) -> str:
    with engine.connect() as connection:
        return ScriptDirectory.from_config(alembic_config(connection)).get_current_head()


def _version(engine) -> str:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _schema_differences(engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def _legacy_database(url: str) -> tuple[str, str]:
    """A database as central made it before migrations, with a device and a submission in it.
    Returns (the device's token, the submission's receipt)."""
    engine = create_engine(url)
    try:
        legacy.metadata.create_all(engine)
        now = dt.datetime.now(dt.UTC)
        token = "legacy-token"
        prepared = service.prepare(sample_item("ref-old"))
        assert not isinstance(prepared, service.ItemResult)
        with engine.begin() as connection:
            connection.execute(
                insert(legacy.devices).values(
                    id=1, name="laptop-old", token_sha256=service.token_hash(token), created_at=now
                )
            )
            connection.execute(
                insert(legacy.submissions).values(
                    device_id=1,
                    referral_id=prepared.referral_id,
                    revision=prepared.revision,
                    supersedes=None,
                    action=prepared.action,
                    note=prepared.note,
                    sha256=prepared.sha256,
                    content=prepared.content,
                    receipt="CR-legacy",
                    status="received",
                    status_reason="",
                    received_at=now,
                    status_at=now,
                )
            )
        assert "alembic_version" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    return token, "CR-legacy"


def test_a_database_from_before_migrations_is_upgraded_and_keeps_its_rows(db_url):
    token, receipt = _legacy_database(db_url)
    engine = make_engine(db_url)
    try:
        assert _version(engine) == _head(engine)
        device_id = service.authenticate(engine, token)
        assert device_id == 1
        # The stored referral is still there, and a resend of it is answered from that row.
        [again] = service.submit_batch(engine, device_id, [sample_item("ref-old")])
        assert (again.outcome, again.receipt, again.duplicate) == ("acknowledged", receipt, True)
        [new] = service.submit_batch(engine, device_id, [sample_item("ref-new")])
        assert (new.outcome, new.duplicate) == ("acknowledged", False)
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Submission)) == 2
        assert _schema_differences(engine) == []
    finally:
        engine.dispose()


def test_models_and_migrations_agree(db_url):
    engine = make_engine(db_url)  # a new database: every migration from the first
    try:
        assert _version(engine) == _head(engine)
        assert _schema_differences(engine) == []
    finally:
        engine.dispose()


def test_starting_again_on_an_up_to_date_database_changes_nothing(db_url):
    make_engine(db_url).dispose()
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [row[0] for row in versions] == [_head(engine)]
    finally:
        engine.dispose()


def test_a_referral_stored_twice_by_two_devices_is_one_after_the_upgrade(db_url):
    """Issue 14, weak point 1: under the old key (device, referral, revision) a lost answer and
    a new token stored a referral twice. The upgrade keeps the first row and moves the other's
    status history to it; the new key then holds."""
    _token, receipt = _legacy_database(db_url)
    engine = create_engine(db_url)
    try:
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as connection:
            connection.execute(
                insert(legacy.devices).values(
                    id=2, name="laptop-new", token_sha256=service.token_hash("t2"), created_at=now
                )
            )
            first = connection.execute(select(legacy.submissions)).mappings().one()
            twin = {k: v for k, v in first.items() if k != "id"}
            twin.update(device_id=2, receipt="CR-twin")
            twin_id = connection.execute(
                insert(legacy.submissions).values(**twin).returning(legacy.submissions.c.id)
            ).scalar_one()
            connection.execute(
                insert(legacy.status_events).values(
                    submission_id=twin_id, status="accepted", reason="", by="central", at=now
                )
            )
    finally:
        engine.dispose()
    engine = make_engine(db_url)
    try:
        assert _version(engine) == _head(engine)
        with Session(engine) as session:
            rows = session.scalars(select(Submission)).all()
            assert [(r.receipt, r.device_id) for r in rows] == [(receipt, 1)]
            moved = session.execute(text("SELECT submission_id FROM status_events")).scalars()
            assert list(moved) == [rows[0].id]
        assert _schema_differences(engine) == []
    finally:
        engine.dispose()
