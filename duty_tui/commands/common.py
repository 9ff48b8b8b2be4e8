"""What the store-using subcommands share: where the data dir is, and the passphrase."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from duty_tui.i18n import _

if TYPE_CHECKING:
    from duty_tui.services.audit import AuditLog
    from records.model import Case
    from store import Store

PASSPHRASE_ENV = "DUTY_TUI_PASSPHRASE"  # noqa: S105 - the variable name, not a secret
DATA_DIR_ENV = "DUTY_TUI_DATA_DIR"


def add_data_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=_("where the encrypted store lives (default: ${env} or the user data dir)").format(
            env=DATA_DIR_ENV
        ),
    )


def resolve_data_dir(args: argparse.Namespace) -> Path:
    if getattr(args, "data_dir", None):
        return Path(args.data_dir).expanduser()
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    from store.paths import default_data_dir

    return default_data_dir()


def read_passphrase(*, confirm: bool = False) -> str | None:
    """The passphrase from $DUTY_TUI_PASSPHRASE, else asked for on the terminal.

    None when there is no terminal to ask on: a script must set the variable.
    """
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass(_("Passphrase: "))
    if confirm and getpass.getpass(_("Passphrase again: ")) != first:
        print(_("the two passphrases differ"), file=sys.stderr)
        return None
    return first


def fail(message: str, code: int = 2) -> int:
    """Say why on stderr and return ``code``. Messages quote files and input (a field name, a
    path): every line is shown with control characters escaped, so no input reaches the
    terminal as an escape sequence, and cut to a readable length."""
    from records.text import shown

    lines = [shown(line, limit=500) for line in message.split("\n")]
    print("duty-tui: " + "\n".join(lines), file=sys.stderr)
    return code


def read_input_file(path: Path, limit: int) -> bytes:
    """An input file's bytes, bounded: Refused with one clear line if it cannot be read or is
    larger than ``limit`` (a device or a pipe is read no further than that)."""
    from records.text import TooLarge, read_bounded

    try:
        return read_bounded(path, limit)
    except TooLarge as exc:
        raise Refused(
            _("{path}: {problem}, not a case file; nothing was read into the store").format(
                path=path, problem=exc
            )
        ) from None
    except IsADirectoryError:
        raise Refused(_("{path} is a folder, not a file").format(path=path)) from None
    except OSError as exc:
        raise Refused(
            _("cannot read {path}: {problem}").format(
                path=path, problem=exc.strerror or type(exc).__name__
            )
        ) from None


class Refused(Exception):
    """A command cannot go on; ``duty-tui`` prints the message and exits with ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def open_store(args: argparse.Namespace) -> Store:
    """The existing store of ``--data-dir``, unlocked with the passphrase (env or prompt)."""
    from store import Store, StoreError

    data_dir = resolve_data_dir(args)
    if not Store.exists(data_dir):
        raise Refused(
            _("no store at {data_dir}: import a case file or run the app first").format(
                data_dir=data_dir
            )
        )
    passphrase = read_passphrase()
    if not passphrase:
        raise Refused(
            _("a passphrase is needed: set {env} or run in a terminal").format(env=PASSPHRASE_ENV)
        )
    try:
        return Store.open(data_dir, passphrase)
    except StoreError as exc:
        raise Refused(str(exc)) from None
    except OSError as exc:
        raise Refused(
            _("the store in {data_dir} cannot be opened: {problem}").format(
                data_dir=data_dir, problem=exc.strerror
            )
        ) from None


def audit_log(store: Store) -> AuditLog:
    """The store's audit trail, naming the officer of the store's profile (or the command line,
    for a store made by ``duty-tui import`` before the app was ever opened)."""
    from duty_tui.config import load_profile
    from duty_tui.services.audit import AuditLog

    try:
        profile = load_profile(store)
    except Exception:  # an unreadable settings table is reported elsewhere; the trail goes on
        profile = None
    who = profile.officer.name if profile is not None else "duty-tui command line"
    return AuditLog(store, who)


def audit_cases(store: Store, cases: list[Case], action: str) -> None:
    """One audit entry a case (one fsync for them all). The command's work stands whatever
    becomes of the trail: a failure is logged by kind."""
    try:
        trail = audit_log(store)
        for n, case in enumerate(cases, start=1):
            trail.record(
                action, case_id=case.id, case_number=case.case_number, durable=n == len(cases)
            )
    except Exception as exc:
        logging.getLogger(__name__).warning("audit trail not written (%s)", type(exc).__name__)
