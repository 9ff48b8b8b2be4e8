"""A closed terminal (SIGHUP) or a system shutting down (SIGTERM) loses nothing typed: the app
runs in a real pseudo-terminal, a field is typed into, and the signal arrives before the
debounce has committed it.

Nothing here sleeps: each step waits for what the app shows (tests/tui/ptyapp.py), so a busy
machine only makes it slower."""

from __future__ import annotations

import os
import signal

import pytest

from .conftest import SIZE, open_case_in_terminal, read_cases
from .ptyapp import PtyApp

TYPED = "Typed Before The Signal"


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_signal_flushes_what_was_typed(stored, tmp_path, signum):
    env = os.environ | {"DUTY_TUI_CONFIG_DIR": str(tmp_path / "cfg")}
    with PtyApp(["run", "--data-dir", str(stored)], env=env, size=SIZE) as terminal:
        open_case_in_terminal(terminal, "p00001")
        terminal.write("\t\t")  # to the court field, its text selected: typing replaces it
        terminal.write(TYPED)
        # Signal as soon as the last key is on screen (the app has it), which on any machine
        # but a very slow one is inside the debounce, before the edit is committed.
        terminal.wait_for(TYPED)
        terminal.signal(signum)
        code = terminal.wait(timeout=15)
    assert code == 128 + signum or code == -signum, code
    assert read_cases(stored)["case0000"].court == TYPED
