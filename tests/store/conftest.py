from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from store import KdfParams, Store, durable

PASSPHRASE = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    opened = Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests())
    yield opened
    opened.close()


def snapshot(directory: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under directory: bytes, mtime_ns, inode."""
    result = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            st = path.stat()
            name = str(path.relative_to(directory))
            result[name] = (path.read_bytes(), st.st_mtime_ns, st.st_ino)
    return result


def run_python(code: str, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Faults:
    """Counts the store's disk-changing syscalls and fails the chosen one.

    ``persistent``: that call and every later one fail (a full disk); otherwise only that one
    (a transient EIO).
    """

    POINTS = ("open", "write", "fsync", "replace", "unlink")

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        self.fail_at: int | None = None
        self.errno = errno.EIO
        self.persistent = False
        self.failed = False
        for name in (*self.POINTS, "ftruncate"):
            original = getattr(durable.syscalls, name)
            monkeypatch.setattr(durable.syscalls, name, self._wrap(name, original))

    def _wrap(self, name: str, original: Any) -> Any:
        def call(*args: Any) -> Any:
            if name in self.POINTS:
                index = len(self.calls)
                self.calls.append(name)
                hit = self.fail_at is not None and (
                    index == self.fail_at or (self.persistent and index > self.fail_at)
                )
            else:
                hit = self.persistent and self.failed
            if hit:
                self.failed = True
                raise OSError(self.errno, os.strerror(self.errno))
            return original(*args)

        return call

    def arm(self, fail_at: int | None, err: int = errno.EIO, *, persistent: bool = False) -> None:
        self.calls = []
        self.fail_at = fail_at
        self.errno = err
        self.persistent = persistent
        self.failed = False

    def disarm(self) -> None:
        self.arm(None)


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    return Faults(monkeypatch)
