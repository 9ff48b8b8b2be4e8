"""`duty-tui passphrase [--rotate]`: protect the store with a new passphrase.

The current passphrase comes from $DUTY_TUI_PASSPHRASE or a prompt; the new one from
$DUTY_TUI_NEW_PASSPHRASE or a prompt (twice). Never from the command line: arguments show in the
process list. The same policy as the app's set-up applies.

Without --rotate the data key is wrapped again (quick): a copy of the old keyfile with the old
passphrase would still open the data. With --rotate every file is written again under a new
data key, so nothing of the old key opens it; interrupted at any moment, the store opens with
exactly one of the two passphrases.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from duty_tui.commands.common import Refused, add_data_dir_argument, open_store
from duty_tui.i18n import _

NEW_PASSPHRASE_ENV = "DUTY_TUI_NEW_PASSPHRASE"  # noqa: S105 - the variable name, not a secret


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)
    parser.add_argument(
        "--rotate",
        action="store_true",
        help=_("also make a new data key and encrypt every file again under it"),
    )


def _new_passphrase() -> str:
    from_env = os.environ.get(NEW_PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise Refused(
            _("a new passphrase is needed: set {env} or run in a terminal").format(
                env=NEW_PASSPHRASE_ENV
            )
        )
    first = getpass.getpass(_("New passphrase: "))
    if getpass.getpass(_("New passphrase again: ")) != first:
        raise Refused(_("the two new passphrases differ; nothing was changed"))
    return first


def run(args: argparse.Namespace) -> int:
    from duty_tui.commands.common import read_passphrase
    from store import StoreError, WeakPassphrase

    store = open_store(args)
    try:
        current = read_passphrase()
        new = _new_passphrase()
        if new == current:
            raise Refused(
                _("the new passphrase is the same as the current one; nothing was changed")
            )

        def progress(done: int, total: int) -> None:
            if done == total or done % 100 == 0:
                print(
                    _("re-encrypted {done} of {total} files").format(done=done, total=total),
                    file=sys.stderr,
                )

        try:
            store.change_passphrase(
                current or "", new, rotate=args.rotate, progress=progress if args.rotate else None
            )
        except WeakPassphrase as exc:
            raise Refused(_("{problem}; nothing was changed").format(problem=exc)) from None
        except StoreError as exc:
            raise Refused(str(exc)) from None
    finally:
        store.close()
    print(
        _("passphrase changed, and every file encrypted again under a new key")
        if args.rotate
        else _("passphrase changed")
    )
    return 0
