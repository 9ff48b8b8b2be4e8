"""The store's errors in the officer's language.

store/ may not import the app (pyproject.toml, import-linter), so its messages are English
there. A disk error is the one a form shows (a save that failed): it is said here in the
officer's language with the English detail of what was being written and the system's own
words for the error kept. Other store errors are shown as the store says them.

No Textual here.
"""

from __future__ import annotations

import os

from duty_tui.i18n import _
from store.errors import StoreIOError


def store_message(exc: BaseException) -> str:
    """What ``exc`` (a StoreError, or an OSError from the disk) says, for the officer."""
    if isinstance(exc, StoreIOError):
        return _("the disk refused it while {what}: {error}").format(
            what=exc.what, error=exc.strerror or os.strerror(exc.errno or 0)
        )
    if isinstance(exc, OSError) and exc.errno:
        return _("the disk refused it: {error}").format(
            error=exc.strerror or os.strerror(exc.errno)
        )
    return str(exc)
