"""Where things live: the default data dir, and the layout inside a data dir.

::

    <data dir>/
      keyfile           JSON: KDF parameters + salt, the wrapped data key (not secret)
      lock              flock target while a Store has the dir open (empty)
      manifest.log      append-only log: every file's version, and each case's summary
      cases/<hash>.db   one encrypted TinyDB per case, named by a keyed hash of its id
      tables/<name>.db  one encrypted TinyDB per small collection (settings, outbox, ...)
      quarantine/       damaged files moved aside, still encrypted
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

from store.errors import InvalidName

DATA_DIR_ENV = "DUTY_TUI_DATA_DIR"
APP_NAME = "duty-tui"

KEYFILE = "keyfile"
LOCKFILE = "lock"
MANIFEST = "manifest.log"
# The summaries log of stores made before the manifest; removed once they are migrated.
LEGACY_INDEX = "index.log"
QUARANTINE_DIR = "quarantine"
CASES_DIR = "cases"
TABLES_DIR = "tables"
DB_SUFFIX = ".db"

# Table names become file names, and case ids did (stores made before file names were opaque
# are still read): this keeps out "/", "..", NUL and anything a filesystem might fold.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def default_data_dir() -> Path:
    """$DUTY_TUI_DATA_DIR if set, else the platform's user data dir for duty-tui."""
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def check_name(value: object, kind: str = "case id") -> str:
    if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value):
        shown = repr(value)[:80] if isinstance(value, str) else type(value).__name__
        raise InvalidName(f"{kind} must be 1-64 letters, digits, '-' or '_' (got {shown})")
    return value
