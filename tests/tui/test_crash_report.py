"""A crash never shows a local variable, a record or the passphrase: the real app in a
pseudo-terminal, a case open, an error forced inside the case screen; the terminal's whole output
and every file the run wrote hold no case text and no passphrase."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from .conftest import PASSPHRASE, SIZE
from .ptyapp import PtyApp

# The app as `duty-tui run` starts it, with one fault put in from outside: typing into a field
# of the case screen raises, with the typed text and the case in the failing frame's locals.
LAUNCHER = textwrap.dedent(
    """
    import sys
    from duty_tui.screens.case import CaseScreen

    def broken(self, key, text):
        case = self.case
        typed = text
        raise ValueError(f"cannot take {typed!r} for {case.title}")

    CaseScreen._note_change = broken
    from duty_tui.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)

SECRETS = ["Rhiannon Ffug", "Pwyll Ffug", "Pryderi Ffug", "CF10 1AA", "Crashtext", PASSPHRASE]


def test_a_crash_in_a_case_shows_nothing_of_it(stored: Path, tmp_path: Path):
    launcher = tmp_path / "launch.py"
    launcher.write_text(LAUNCHER, encoding="utf-8")
    env = os.environ | {"DUTY_TUI_CONFIG_DIR": str(tmp_path / "cfg")}
    seen = bytearray()
    with PtyApp(
        ["run", "--data-dir", str(stored)], env=env, size=SIZE, program=[str(launcher)]
    ) as terminal:
        terminal.wait_for("Type the passphrase")
        terminal.write(PASSPHRASE + "\r")
        terminal.wait_for("filter:")
        terminal.write("/p00001")
        terminal.wait_for("1 case matches")
        terminal.write("\r")
        terminal.wait_for("Hearing date")
        terminal.write("\t\tCrashtext")
        assert terminal.wait(timeout=60) == 1
        screen = terminal.wait_for("duty-tui stopped")
        seen.extend(terminal.raw())
    assert "an error it did not expect (ValueError" in screen
    text = seen.decode("utf-8", "replace")
    # While it ran, the app showed the case, as it should; what it printed once it had left
    # the full screen (the report that stays in the scrollback) must show nothing of it.
    leaving = "\x1b[?1049l"
    assert leaving in text
    scrollback = text.rsplit(leaving, 1)[1]
    assert "duty-tui stopped" in scrollback
    for secret in SECRETS:
        assert secret not in scrollback, f"{secret!r} left in the scrollback"
    assert PASSPHRASE not in text, "the passphrase never reaches the terminal at all"
    for path in [*tmp_path.rglob("*"), *stored.rglob("*")]:
        if path.is_file() and path != launcher:
            raw = path.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in raw, f"{secret!r} written to {path}"
