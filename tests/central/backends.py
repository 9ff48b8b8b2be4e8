"""The two central backends the tests run against: SQLite files and PostgreSQL schemas.

PostgreSQL is at 127.0.0.1:5432 (user postgres, database test) on the project's machines. Each
test gets a schema of its own, named after this session, dropped when the test ends, so
parallel and earlier runs never see each other's rows. Unreachable PostgreSQL skips those
tests locally with the reason, and fails them when CI=true: CI must exercise it.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get(
    "DUTY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SESSION_TAG = f"duty_test_{os.getpid()}_{secrets.token_hex(3)}"
_counter = itertools.count(1)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@cache
def postgres_unreachable() -> str:
    """Why PostgreSQL cannot be used ("" if it can)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    try:
        with psycopg.connect(_libpq(POSTGRES_URL), connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {POSTGRES_URL} is unreachable ({type(exc).__name__})"
    return ""


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def require_postgres() -> None:
    reason = postgres_unreachable()
    if not reason:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the PostgreSQL tests")
    pytest.skip(reason)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema; yields a URL whose connections use it (search_path)."""
    import psycopg

    schema = f"{SESSION_TAG}_{next(_counter)}"
    with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def drop_session_schemas() -> None:
    """Anything a crashed test of this session left behind."""
    if postgres_unreachable():
        return
    import psycopg

    with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{SESSION_TAG}%",)
        ).fetchall()
        for (name,) in rows:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@contextmanager
def database(backend: str, directory: Path) -> Iterator[str]:
    """A database URL for ``backend``, empty, gone afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'central.sqlite3'}"
        return
    require_postgres()
    with postgres_schema() as url:
        yield url
