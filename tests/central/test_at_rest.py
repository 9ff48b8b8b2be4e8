"""Central at rest: the SQLite database holds children's names and dates of birth in clear, so
its folder is 0700 and the file and its -wal/-shm/-journal companions 0600; central refuses a
database others can read that it cannot make private."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from central import cli, db
from central.db import UnsafeDatabase, make_engine, secure_sqlite_file
from tests.sync.central_process import CentralProcess
from tests.sync.helpers import sample_item

COMPANIONS = ("-wal", "-shm", "-journal")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems give users (files 0644, folders 0755), whatever this one has."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where platformdirs puts the user data dir on Linux; central's default folder is in it."""
    home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_default_database_is_private_from_the_first_byte(data_home, capsys):
    assert cli.main(["issue-token", "--device", "laptop-1"]) == 0
    capsys.readouterr()  # the token: not for this test's output
    folder = data_home / "duty-central"
    assert mode_of(folder) == 0o700
    assert mode_of(folder / "central.sqlite3") == 0o600


def test_companions_sqlite_makes_while_central_runs_are_private(tmp_path):
    """The WAL holds fresh rows until a checkpoint; SQLite gives it the main file's mode."""
    path = tmp_path / "central.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        from central import service

        device = service.authenticate(engine, service.issue_token(engine, "laptop-1"))
        with engine.connect():  # an open connection keeps the WAL and shm in place
            service.submit_batch(engine, device, [sample_item("ref-1")])
            present = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
            assert all(p.exists() for p in present)
            assert {p.name: mode_of(p) for p in [path, *present]} == {
                p.name: 0o600 for p in [path, *present]
            }
    finally:
        engine.dispose()


def test_a_loose_database_and_folder_are_tightened(data_home, capsys):
    folder = data_home / "duty-central"
    folder.mkdir(parents=True, mode=0o755)
    os.chmod(folder, 0o755)
    path = folder / "central.sqlite3"
    keep = sqlite3.connect(path)  # made with the umask: 0644, as central used to
    try:
        keep.execute("PRAGMA journal_mode=WAL")
        keep.execute("CREATE TABLE leftover (x)")
        keep.execute("INSERT INTO leftover VALUES (1)")
        keep.commit()
        (folder / "central.sqlite3-journal").write_bytes(b"")
        for suffix in ("", *COMPANIONS):
            os.chmod(folder / f"central.sqlite3{suffix}", 0o644)
        assert cli.main(["issue-token", "--device", "laptop-1"]) == 0
    finally:
        keep.close()
    capsys.readouterr()
    assert mode_of(folder) == 0o700
    assert mode_of(path) == 0o600
    for suffix in COMPANIONS:
        companion = folder / f"central.sqlite3{suffix}"
        if companion.exists():  # SQLite may have checkpointed the WAL away on close
            assert mode_of(companion) == 0o600, suffix


def test_an_explicit_database_is_tightened_but_not_its_folder(tmp_path):
    """--db names a file somewhere the operator chose (perhaps a shared folder): the file is
    central's to protect, the folder is not central's to change."""
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o755)
    path = folder / "records.sqlite3"
    path.write_bytes(b"")
    os.chmod(path, 0o664)
    make_engine(f"sqlite:///{path}").dispose()
    assert mode_of(path) == 0o600
    assert mode_of(folder) == 0o755


def test_refuses_to_start_on_a_readable_database_it_cannot_tighten(tmp_path, monkeypatch, capsys):
    path = tmp_path / "central.sqlite3"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)

    def not_the_owner(target, mode, *args, **kwargs):
        raise PermissionError(1, "Operation not permitted", str(target))

    # As root every chmod succeeds; a file owned by someone else is what this stands for.
    monkeypatch.setattr(db.os, "chmod", not_the_owner)
    import uvicorn

    def must_not_serve(*_args, **_kwargs):
        raise AssertionError("central started on a database others can read")

    monkeypatch.setattr(uvicorn, "run", must_not_serve)
    assert cli.main(["serve", "--db", f"sqlite:///{path}"]) == 2
    err = capsys.readouterr().err
    assert "refusing to start" in err and str(path) in err
    assert "0644" in err and "Operation not permitted" in err
    assert cli.main(["issue-token", "--device", "x", "--db", f"sqlite:///{path}"]) == 2
    assert "refusing to start" in capsys.readouterr().err
    with pytest.raises(UnsafeDatabase):
        secure_sqlite_file(path)


def test_a_private_database_is_used_even_where_chmod_fails(tmp_path, monkeypatch):
    """Nothing to tighten, nothing to refuse: a read-only chmod world is not an error."""
    path = tmp_path / "central.sqlite3"
    make_engine(f"sqlite:///{path}").dispose()

    def refused(*_args, **_kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(db.os, "chmod", refused)
    make_engine(f"sqlite:///{path}").dispose()


def test_the_real_service_keeps_its_default_database_private(tmp_path):
    """`duty-central serve` with no --db, as an operator would start it."""
    home = tmp_path / "xdg-data"
    with CentralProcess(None, env={"XDG_DATA_HOME": str(home)}) as central:
        folder = home / "duty-central"
        path = folder / "central.sqlite3"
        assert httpx.get(f"{central.url}/health", timeout=5).status_code == 200
        assert mode_of(folder) == 0o700
        for candidate in (path, *(path.with_name(path.name + s) for s in COMPANIONS)):
            if candidate.exists():
                assert mode_of(candidate) == 0o600, candidate.name
        assert path.exists()
