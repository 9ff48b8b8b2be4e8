"""Central records' storage: SQLAlchemy 2 models and engines for SQLite and PostgreSQL.

Exactly-once rests on one thing here: the unique constraint on (referral id, revision).
Two deliveries of one key can race in any order on any backend; the second INSERT fails and is
answered from the row the first one wrote.

At rest, a SQLite database holds children's names and dates of birth in clear: its file and
its -wal/-shm/-journal companions are kept readable by this user only (0600), and central will
not open one that others can read and that it cannot make private. PostgreSQL's files are the
deployment's to protect (its encryption at rest and access control).
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class Device(Base):
    """A laptop allowed to submit. Only the sha256 of its token is kept."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class Submission(Base):
    """One revision of one referral, as received. Never updated except its status."""

    __tablename__ = "submissions"
    __table_args__ = (
        # A referral's identity is its id (a random 128-bit uuid made by the laptop) and
        # revision, not which device token sent it: a laptop given a new token (a new device
        # name) that resends what it sent before must get the same receipt, not a second row.
        UniqueConstraint("referral_id", "revision", name="uq_submission_key"),
        Index("ix_submission_referral", "device_id", "referral_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    referral_id: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    supersedes: Mapped[int | None] = mapped_column(Integer, default=None)
    action: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64))
    # Canonical JSON of the validated content: exactly the bytes the sha256 was taken of.
    content: Mapped[str] = mapped_column(Text)
    receipt: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(24))
    status_reason: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StatusEvent(Base):
    """Every status change of a submission, who made it and why: the audit trail."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Arrival(Base):
    """What arrived from which device and what central answered, one row per item of every
    batch (a resend, a refusal, an item too malformed to name its referral: all of them),
    with who queued it and when as the device says. Written in the batch's own transaction.
    Append-only: nothing in central updates or deletes a row, and the database refuses to
    (triggers, migration 0003). No case content: keys, outcome, the officer's name."""

    __tablename__ = "arrivals"
    __table_args__ = (Index("ix_arrival_referral", "referral_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    # "" and 0 for an item that did not name a referral central could read.
    referral_id: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    # acknowledged | duplicate | rejected | retry, and the item's code (200, 409, 422, ...).
    outcome: Mapped[str] = mapped_column(String(16))
    code: Mapped[int] = mapped_column(Integer)
    # The device's word (its officer, its clock), "" if it sent none.
    queued_by: Mapped[str] = mapped_column(String(120), default="")
    queued_at: Mapped[str] = mapped_column(String(40), default="")
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProviderRow(Base):
    """The provider directory, one row per provider, as its case-format JSON."""

    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite opens transactions lazily and not before SAVEPOINTs; take that over so a batch
    # is one real transaction with one savepoint per item (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a receipt is a promise that the referral is on disk, even across a power cut.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: two writers then queue on busy_timeout instead
    # of one failing with "database is locked" when it upgrades a read lock.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class UnsafeDatabase(Exception):
    """Central will not use this database as it stands; the message says why (no data in it)."""


PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
# What SQLite keeps beside a database: rows sit in the WAL until a checkpoint, and pages in a
# rollback journal, so they need the same protection as the file itself.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """Take every group and other permission off ``path`` (a file or a directory) if it has any.

    Nothing to do if it does not exist. UnsafeDatabase if others have access and it cannot be
    taken away (not the owner, a read-only file system): then nothing may be stored there.
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if not mode & 0o077:
        return
    try:
        os.chmod(path, mode & ~0o077)
    except OSError as exc:
        who = "its group and other users" if mode & 0o007 else "its group"
        raise UnsafeDatabase(
            f"{path} is open to {who} (mode {mode:04o}) and cannot be made private "
            f"({exc.strerror or type(exc).__name__}); as its owner run chmod go-rwx on it, "
            "or give central a database of its own"
        ) from None


def private_dir(path: Path) -> Path:
    """``path`` as a directory only this user can enter (created 0700, tightened if looser)."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    make_private(path)
    return path


def sqlite_file(url: str) -> Path | None:
    """The file of a sqlite:/// URL; None for other backends and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def secure_sqlite_file(path: Path) -> None:
    """Make the database file (created now if new) and its companions private to this user.

    A new file is created 0600 here, before SQLite would create it with the umask's usual
    0644; SQLite then gives its -wal, -shm and -journal the main file's mode. Existing files
    that are looser are tightened; UnsafeDatabase if one cannot be.
    """
    try:
        # O_EXCL: never follow a link planted where the database should be.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        pass
    except FileNotFoundError:
        return  # no such directory: SQLite reports that in its own words
    else:
        os.close(fd)
    for candidate in (path, *(path.with_name(path.name + s) for s in SQLITE_COMPANIONS)):
        make_private(candidate)


# Connections per process (each of ``serve --workers N`` has its own pool).
POSTGRES_POOL_SIZE = 12


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (sqlite:///path or postgresql+psycopg://...), tables created.

    UnsafeDatabase if ``url`` is a SQLite file that other users can read and that cannot be
    made private.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path is not None:
            secure_sqlite_file(path)
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        # hide_parameters: a failed statement must never put referral content in a log.
        # No overflow: a connection over pool_size is closed as soon as it is given back, so
        # under load (more requests than connections) every request paid a fresh connection
        # (a PostgreSQL backend forked, a sixth of a worker's CPU in psycopg's connect).
        # Requests past the pool wait for a connection instead, which is all the overflow
        # bought: two cores run no more statements at once with more connections.
        engine = create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=POSTGRES_POOL_SIZE,
            max_overflow=0,
            hide_parameters=True,
        )
    upgrade(engine)
    return engine


# The schema is Alembic's (central/migrations). Revision 0001 is exactly the schema central
# created with metadata.create_all before it had migrations: such a database is stamped 0001
# and upgraded from there, keeping its rows.
MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE_REVISION = "0001"


def alembic_config(connection: Connection) -> Any:
    """Alembic's configuration for central, running on ``connection`` (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the latest by default), in one transaction.

    Several processes may start at once (``serve --workers``): on PostgreSQL they queue on an
    advisory lock (per schema); on SQLite on the write lock that BEGIN IMMEDIATE takes. The
    second finds the work done.
    """
    from alembic import command

    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            # SQLite changes a constraint by copying the table (batch mode), which foreign keys
            # pointing at it refuse; they are switched off for the migration, as SQLite's own
            # procedure says, outside the transaction (inside, the pragma is ignored), and
            # checked before they are on again.
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if not sqlite:
                    connection.execute(
                        text(
                            "SELECT pg_advisory_xact_lock("
                            "hashtext('duty-central:' || current_schema()))"
                        )
                    )
                config = alembic_config(connection)
                tables = set(inspect(connection).get_table_names())
                if "alembic_version" not in tables and "submissions" in tables:
                    command.stamp(config, BASELINE_REVISION)  # made before migrations
                command.upgrade(config, revision)
            if raw is not None and raw.execute("PRAGMA foreign_key_check").fetchall():
                raise UnsafeDatabase("after the upgrade some rows point at rows that are gone")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def backend_name(engine: Engine) -> str:
    return engine.url.get_backend_name()
