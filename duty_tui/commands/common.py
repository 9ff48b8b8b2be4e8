"""What the store-using subcommands share: where the data dir is, and the passphrase."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

PASSPHRASE_ENV = "DUTY_TUI_PASSPHRASE"  # noqa: S105 - the variable name, not a secret
DATA_DIR_ENV = "DUTY_TUI_DATA_DIR"


def add_data_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"where the encrypted store lives (default: ${DATA_DIR_ENV} or the user data dir)",
    )


def resolve_data_dir(args: argparse.Namespace) -> Path:
    if getattr(args, "data_dir", None):
        return Path(args.data_dir).expanduser()
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("duty-tui", appauthor=False))


def read_passphrase(*, confirm: bool = False) -> str | None:
    """The passphrase from $DUTY_TUI_PASSPHRASE, else asked for on the terminal.

    None when there is no terminal to ask on: a script must set the variable.
    """
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("Passphrase again: ") != first:
        print("the two passphrases differ", file=sys.stderr)
        return None
    return first


def fail(message: str, code: int = 2) -> int:
    print(f"duty-tui: {message}", file=sys.stderr)
    return code
