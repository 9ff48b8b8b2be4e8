"""What the officer sees when something unexpected stops the app: never a local variable, a
record or a passphrase.

Textual prints a traceback with the locals of every frame when a handler raises; those locals
hold the open case, what was being typed, and during unlock the passphrase. Exception messages
can quote typed text too. So a crash is told as its type and where it happened (file and line),
plus the message only for the store's own errors, whose messages name files and never content.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import duty_tui

_PACKAGE_ROOT = Path(duty_tui.__file__).resolve().parent.parent


def where(error: BaseException) -> str:
    """ "file, line N" of the innermost frame of our own code (else the innermost frame)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if _is_ours(f.filename)]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "an unknown place"
    path = Path(frame.filename)
    try:
        shown = str(path.resolve().relative_to(_PACKAGE_ROOT))
    except ValueError:
        shown = path.name
    return f"{shown}, line {frame.lineno}"


def _is_ours(filename: str) -> bool:
    try:
        Path(filename).resolve().relative_to(_PACKAGE_ROOT)
    except ValueError:
        return False
    return "site-packages" not in filename


def summary(error: BaseException) -> str:
    """The crash in a few safe lines for the terminal."""
    from store.errors import StoreError

    # The store's messages name a file or a table, never a case's content.
    said = str(error) if isinstance(error, StoreError) else ""
    return message(type(error).__name__, where(error), said)


def message(kind: str, place: str, store_said: str = "") -> str:
    lines = [f"duty-tui stopped: an error it did not expect ({kind} in {place})."]
    if store_said:
        lines.append(f"The store said: {store_said}")
    lines.append(
        "What was saved before is on disk. No details are shown: they could contain case data."
    )
    lines.append("Run `duty-tui doctor` to check the store, then start duty-tui again.")
    return "\n".join(lines)
