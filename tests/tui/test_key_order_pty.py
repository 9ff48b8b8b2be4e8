"""Bursts typed into the real app through a pseudo-terminal, with and without other work on the
machine: every field on disk holds exactly what the keys made of it.

The keys go as the bytes a terminal sends: each burst in one write (one read for the app), or
key by key a few milliseconds apart (a fast typist). Runs of Tab / Shift+Tab followed at once by
characters, and End / Home with runs of Backspace, as in tests/tui/keyscript.py.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import pytest

from duty_tui.config import Config
from store import KdfParams

from .conftest import PASSPHRASE, SIZE, TODAY, open_case_in_terminal, read_cases
from .keyscript import Script, Slot, chain_of, make_script, mismatches
from .ptyapp import CpuHog, PtyApp

CASE_ID = "case0000"


def discover(data_dir: Path) -> tuple[list[Slot], object]:
    """The case screen's focus chain and the case, from the app itself (headless)."""
    from duty_tui.app import DutyApp

    async def run() -> tuple[list[Slot], object]:
        app = DutyApp(
            data_dir, config=Config(), today=TODAY, kdf=KdfParams.for_tests(), handle_signals=False
        )
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(*PASSPHRASE, "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.open_case(CASE_ID)
            await pilot.pause()
            await pilot.pause()
            found = chain_of(app.screen), app.screen.case
            await pilot.press("ctrl+q")
        return found

    return asyncio.run(run())


def type_script(terminal: PtyApp, script: Script, *, per_key_gap_s: float, seed: int) -> None:
    rng = random.Random(seed)
    for burst in script.bursts:
        terminal.press(*burst, gap_s=per_key_gap_s)
        # A pause between bursts as a person makes; the app is not waited for.
        time.sleep(rng.uniform(0, 0.15))


def run_pty_script(
    data_dir: Path, config_dir: Path, *, seed: int, keys: int, per_key_gap_s: float
) -> tuple[Script, dict[str, tuple[str, str]]]:
    chain, case = discover(data_dir)
    script = make_script(chain, case, seed=seed, keys=keys)  # type: ignore[arg-type]
    env = os.environ | {"DUTY_TUI_CONFIG_DIR": str(config_dir)}
    with PtyApp(["run", "--data-dir", str(data_dir)], env=env, size=SIZE) as terminal:
        open_case_in_terminal(terminal)
        type_script(terminal, script, per_key_gap_s=per_key_gap_s, seed=seed)
        terminal.press("ctrl+q")
        assert terminal.wait(timeout=180) == 0
    return script, mismatches(script, read_cases(data_dir)[CASE_ID])


@pytest.mark.slow
@pytest.mark.parametrize("hog", [False, True], ids=["quiet", "cpu-hog"])
@pytest.mark.parametrize(
    ("per_key_gap_s", "seed"), [(0.0, 11), (0.01, 12)], ids=["one-write", "typed"]
)
def test_keys_typed_through_a_terminal_are_stored_as_typed(
    stored, tmp_path, hog, per_key_gap_s, seed
):
    if hog:
        with CpuHog(2):
            script, wrong = run_pty_script(
                stored, tmp_path / "cfg", seed=seed, keys=360, per_key_gap_s=per_key_gap_s
            )
    else:
        script, wrong = run_pty_script(
            stored, tmp_path / "cfg", seed=seed, keys=360, per_key_gap_s=per_key_gap_s
        )
    assert script.keys >= 360
    assert wrong == {}
