"""`duty-tui run` (the default): open the app on the data dir."""

from __future__ import annotations

import argparse

from duty_tui.commands.common import add_data_dir_argument, resolve_data_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)


def run(args: argparse.Namespace) -> int:
    return open_app(args)


def open_app(args: argparse.Namespace, *, demo_passphrase: str | None = None) -> int:
    """Run the app until it is quit; whatever stops it, everything typed is on disk after."""
    from duty_tui.app import DutyApp
    from duty_tui.config import load_config

    app = DutyApp(
        resolve_data_dir(args),
        config=load_config(),
        demo_passphrase=demo_passphrase,
        lang=getattr(args, "lang", None),
        ask_language=True,
    )
    try:
        app.run()
    finally:
        app.close_session()
    return app.return_code or 0
