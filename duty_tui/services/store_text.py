"""The store's errors in the officer's language.

store/ may not import the app (pyproject.toml, import-linter), so its messages are English
there. A disk error is the one a form shows (a save that failed): it is said here in the
officer's language with the English detail of what was being written and the system's own
words for the error kept. Other store errors are shown as the store says them.

No Textual here.
"""

from __future__ import annotations

import os

from duty_tui.i18n import N_, _
from store.errors import StoreIOError
from store.policy import MIN_LENGTH, Strength


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


# The passphrase policy's words (store/policy.py), as it writes them: its label for each score
# and its advice. Kept in step with the policy by tests/services/test_store_text.py.
_STRENGTH_LABELS = (N_("too short"), N_("weak"), N_("fair"), N_("good"), N_("strong"))
_ADVICE = {
    "add another word or two": N_("add another word or two"),
    "acceptable; another word makes it better": N_("acceptable; another word makes it better"),
    "good": N_("good"),
    "strong": N_("strong"),
    "avoid well-known words like 'password' or 'cafcass'": N_(
        "avoid well-known words like 'password' or 'cafcass'"
    ),
}


def strength_words(strength: Strength) -> tuple[str, str]:
    """(label, advice) of a passphrase's strength in the officer's language."""
    label = _(_STRENGTH_LABELS[strength.score])
    if strength.score == 0:
        advice = _("use at least {count} characters: a few unrelated words is best").format(
            count=MIN_LENGTH
        )
    else:
        advice = _(_ADVICE[strength.advice]) if strength.advice in _ADVICE else strength.advice
    return label, advice
