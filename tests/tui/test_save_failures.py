"""A full or failing disk: the case screen never says "All changes saved" when something was
not written, and quitting or locking with changes only in the window asks first.

Faults are injected at the store's durable layer (store.durable.syscalls, the one place that
changes what is on disk), as ENOSPC (a full disk) and EIO (a failing one); one test fills a real
small tmpfs where the machine lets us mount one.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from duty_tui.screens.case import CaseScreen
from duty_tui.screens.unsaved import UnsavedScreen
from store import durable

from .conftest import (
    SIZE,
    make_store,
    read_cases,
    sample_cases,
    screen_text,
    settle,
    unlock,
    wait_until,
)

ERRNOS = [errno.ENOSPC, errno.EIO]
NEW_NAME = "Gwŷn Saved-Later"


@contextmanager
def failing_disk(code: int) -> Iterator[None]:
    """Every write and fsync of the store fails with ``code`` until the block ends."""

    def fail(*_args: object) -> None:
        raise OSError(code, os.strerror(code))

    saved = durable.syscalls.write, durable.syscalls.fsync
    durable.syscalls.write = fail  # type: ignore[assignment]
    durable.syscalls.fsync = fail  # type: ignore[assignment]
    try:
        yield
    finally:
        durable.syscalls.write, durable.syscalls.fsync = saved


async def open_first_case(pilot) -> None:
    await unlock(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CaseScreen))


async def type_applicant_name(pilot, name: str) -> None:
    # As in test_behaviour: five tabs from the hearing's first field reach the applicant's name.
    await pilot.press(*["tab"] * 5, "ctrl+u", *name, "tab")
    await settle(pilot)


@pytest.mark.parametrize("code", ERRNOS, ids=["ENOSPC", "EIO"])
async def test_a_failed_case_save_says_not_saved_and_quit_asks(make_app, data_dir, code):
    make_store(data_dir, sample_cases())
    before = read_cases(data_dir)["case0000"].parties[0].name
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_first_case(pilot)
        with failing_disk(code):
            await type_applicant_name(pilot, NEW_NAME)
            await wait_until(pilot, lambda: "NOT SAVED" in screen_text(app))
            shown = screen_text(app)
            assert "All changes saved" not in shown
            assert os.strerror(code) in shown  # the reason, from the disk
            # Quit asks, naming the case and what is not on disk.
            await pilot.press("ctrl+q")
            await wait_until(pilot, lambda: isinstance(app.screen, UnsavedScreen))
            shown = screen_text(app)
            assert "ZZ26P00001: its changes" in shown and os.strerror(code) in shown
            # Stay: nothing lost, the case is still open with the new name in its field.
            await pilot.press("s")
            await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
            assert app.screen.case.parties[0].name == NEW_NAME
        # The disk is back: the saver's retry writes it; the line says so only then.
        await wait_until(pilot, lambda: "All changes saved" in screen_text(app), timeout=30)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0
    assert before != NEW_NAME
    assert read_cases(data_dir)["case0000"].parties[0].name == NEW_NAME


async def test_try_again_writes_and_quits_once_the_disk_is_back(make_app, data_dir):
    make_store(data_dir, sample_cases())
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_first_case(pilot)
        with failing_disk(errno.ENOSPC):
            await type_applicant_name(pilot, NEW_NAME)
            await wait_until(pilot, lambda: "NOT SAVED" in screen_text(app))
            await pilot.press("ctrl+q")
            await wait_until(pilot, lambda: isinstance(app.screen, UnsavedScreen))
        await pilot.press("t")  # the disk is back: written, and the app quits
        await wait_until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0
    assert read_cases(data_dir)["case0000"].parties[0].name == NEW_NAME


async def test_quit_and_lose_leaves_the_last_saved_version(make_app, data_dir):
    make_store(data_dir, sample_cases())
    before = read_cases(data_dir)["case0000"].parties[0].name
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_first_case(pilot)
        with failing_disk(errno.EIO):
            await type_applicant_name(pilot, NEW_NAME)
            await wait_until(pilot, lambda: "NOT SAVED" in screen_text(app))
            await pilot.press("ctrl+q")
            await wait_until(pilot, lambda: isinstance(app.screen, UnsavedScreen))
            await pilot.click("#unsaved-leave")
            await wait_until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0
    assert read_cases(data_dir)["case0000"].parties[0].name == before


async def test_a_failed_draft_save_is_not_called_saved(make_app, data_dir):
    """Text a field refuses is kept as a draft; a draft that cannot be written is not saved."""
    make_store(data_dir, sample_cases())
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_first_case(pilot)
        with failing_disk(errno.ENOSPC):
            await pilot.press("tab", "ctrl+u", *"31/02/2026", "tab")
            await settle(pilot)
            await wait_until(pilot, lambda: "NOT SAVED" in screen_text(app))
            assert "All changes saved" not in screen_text(app)
            assert app.desk is not None and "text kept for fields" in str(app.desk.saver.unsaved())
            await pilot.press("ctrl+l")  # asked for, the lock asks too
            await wait_until(pilot, lambda: isinstance(app.screen, UnsavedScreen))
            # Pushed is not yet drawn: wait for the dialog's words on screen.
            await wait_until(pilot, lambda: "Lock; keep trying" in screen_text(app))
            await pilot.press("s")
            await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await wait_until(pilot, lambda: not app.desk.saver.unsaved(), timeout=30)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0


def _can_mount_tmpfs(where: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], capture_output=True
    )
    return done.returncode == 0


async def test_a_real_full_disk(make_app, tmp_path):
    mount = tmp_path / "small"
    if not _can_mount_tmpfs(mount):
        pytest.skip("mounting a tmpfs needs root and a kernel that allows it here")
    try:
        data_dir = mount / "data"
        make_store(data_dir, sample_cases()[:2])
        app = make_app(data_dir)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await open_first_case(pilot)
            # Fill the disk, leaving nothing for the next save.
            filler = mount / "filler"
            subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)
            await type_applicant_name(pilot, NEW_NAME)
            await wait_until(pilot, lambda: "NOT SAVED" in screen_text(app))
            assert "All changes saved" not in screen_text(app)
            filler.unlink()  # the officer frees space; the retry saves it
            await wait_until(pilot, lambda: "All changes saved" in screen_text(app), timeout=30)
            await pilot.press("ctrl+q")
            await wait_until(pilot, lambda: app.return_code is not None)
        assert read_cases(data_dir)["case0000"].parties[0].name == NEW_NAME
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
