"""Every write the store makes to disk goes through this module.

All of them go through ``syscalls``, so tests can fail the Nth write/fsync/replace with ENOSPC
or EIO and check what the store leaves behind.

Protocol for replacing a file (case files, tables, the keyfile, index compaction): write a temp
file in the same directory, fsync it, rename it over the target, fsync the directory. A reader
(or a crash at any instant) sees the old file or the new one, never a mix, and once the
directory fsync returns the new one survives a power cut.
"""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import attrs

TMP_SUFFIX = ".tmp"
FILE_MODE = 0o600
DIR_MODE = 0o700


@attrs.define
class Syscalls:
    """The OS calls that change what is on disk. Replace an attribute to inject a fault."""

    open: Callable[..., int] = os.open
    write: Callable[[int, bytes | memoryview], int] = os.write
    fsync: Callable[[int], None] = os.fsync
    replace: Callable[[str | Path, str | Path], None] = os.replace
    ftruncate: Callable[[int, int], None] = os.ftruncate
    unlink: Callable[[str | Path], None] = os.unlink
    rmdir: Callable[[str | Path], None] = os.rmdir
    close: Callable[[int], None] = os.close


syscalls = Syscalls()


@attrs.frozen
class Fingerprint:
    """Identifies one version of a file without reading it.

    The inode tells two versions apart even when size and mtime tick coincide: a temp file and
    the file it replaces exist at the same time, so their inode numbers differ.
    """

    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> Fingerprint:
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)

    def to_list(self) -> list[int]:
        return [self.ino, self.size, self.mtime_ns]

    @classmethod
    def from_list(cls, value: object) -> Fingerprint | None:
        if (
            isinstance(value, list)
            and len(value) == 3
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        ):
            return cls(*value)
        return None


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = syscalls.write(fd, view)
        if written <= 0:  # never for regular files, but do not spin if it happens
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        view = view[written:]


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        syscalls.fsync(fd)
    finally:
        os.close(fd)


def temp_path_for(path: Path) -> Path:
    # Dot-prefixed and suffixed so it can never be mistaken for a case or table file.
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}{TMP_SUFFIX}")


def _discard(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # a leftover temp file is removed when the store next opens


def atomic_write(
    path: Path,
    data: bytes,
    *,
    dir_fd: int | None = None,
    before_replace: Callable[[Fingerprint], None] | None = None,
    after_replace: Callable[[Fingerprint], None] | None = None,
) -> Fingerprint:
    """Replace ``path`` with ``data`` durably; return the new file's fingerprint.

    ``before_replace`` runs once the temp file is safely on disk and before it becomes
    visible; if it raises, nothing changes. ``after_replace`` runs as soon as the new file has
    taken the name, before the directory fsync: if that fsync then fails, the caller already
    knows the new file is the one in place.
    ``dir_fd``: an open descriptor of path's directory to fsync, saving an open per call.
    """
    tmp = temp_path_for(path)
    fd = syscalls.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        try:
            write_all(fd, data)
            syscalls.fsync(fd)
            fingerprint = Fingerprint.of(os.fstat(fd))
        finally:
            syscalls.close(fd)
        if before_replace is not None:
            before_replace(fingerprint)
        syscalls.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise
    if after_replace is not None:
        after_replace(fingerprint)
    if dir_fd is None:
        fsync_dir(path.parent)
    else:
        syscalls.fsync(dir_fd)
    return fingerprint


def write_new(path: Path, data: bytes) -> Fingerprint:
    """Write a file that must not exist yet, and fsync it (not its directory: the caller
    fsyncs the directory once after writing many)."""
    fd = syscalls.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        write_all(fd, data)
        syscalls.fsync(fd)
        return Fingerprint.of(os.fstat(fd))
    finally:
        syscalls.close(fd)


def remove_tree(path: Path) -> None:
    """Remove a folder of ours and everything in it (a superseded key generation)."""
    if not path.exists():
        return
    for root, dirs, files in os.walk(path, topdown=False):
        for name in files:
            syscalls.unlink(Path(root) / name)
        for name in dirs:
            syscalls.rmdir(Path(root) / name)
    syscalls.rmdir(path)


def read_file(path: Path) -> bytes | None:
    """The file's bytes, or None if there is no such file."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def make_dir(path: Path) -> None:
    """Create path (and parents) private to the user, durably."""
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, DIR_MODE)
        except FileExistsError:
            continue
        fsync_dir(directory.parent)


class FileLock:
    """An exclusive ``flock`` on a file, held while the store is open.

    flock belongs to the open file description: a second open, in this process or another,
    is refused, and the kernel drops the lock when the process dies, even by SIGKILL.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            # Closing the last descriptor releases the flock.
            os.close(fd)
