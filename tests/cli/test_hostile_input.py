"""Every hostile input gets one clear message, no escape byte in any output, and nothing
stored (tests/hostile.py holds the table, shared with the benchmark)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from store import KdfParams, Store
from tests.hostile import PASS, Hostile, cases, data_dir_cases, mishandled, run_cli


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c.command}: {c.name}")
def test_hostile_file(case: Hostile, tmp_path: Path):
    assert mishandled(case, tmp_path) is None


def _one_clear_line(stderr: bytes) -> None:
    text = stderr.decode("utf-8", "replace")
    assert text.startswith("duty-tui: "), text
    assert "Traceback" not in text
    assert len(text.strip().splitlines()) <= 2, text


@pytest.mark.parametrize(("name", "args"), data_dir_cases(), ids=lambda v: str(v))
def test_a_data_dir_that_is_a_file(tmp_path: Path, name: str, args: list[str]):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file")
    outcome = run_cli([*args, "--data-dir", str(not_a_folder)])
    assert outcome.code != 0
    _one_clear_line(outcome.stderr)
    assert not_a_folder.read_text() == "a file"


@pytest.fixture
def read_only_store(tmp_path: Path):
    """A store on a filesystem that has gone read-only (a full or failing disk remounted)."""
    mount = tmp_path / "ro"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)])
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        Store.create(mount / "data", PASS, kdf=KdfParams.for_tests()).close()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "data"
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize(("name", "args"), data_dir_cases(), ids=lambda v: str(v))
def test_a_read_only_data_dir(read_only_store: Path, name: str, args: list[str]):
    outcome = run_cli([*args, "--data-dir", str(read_only_store)])
    assert outcome.code != 0
    _one_clear_line(outcome.stderr)
