"""The ``duty-tui`` command line.

Each subcommand lives in ``duty_tui/commands/<name>.py`` with ``add_arguments(parser)`` and
``run(args) -> int``; they are imported only when chosen, so ``duty-tui list`` never pays for
loading Textual.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS: dict[str, str] = {
    "run": "open the app (the default)",
    "demo": "open the app on a demo data dir of fictional families",
    "import": "add the cases of a case-format JSON file to the store",
    "list": "print the stored cases' numbers and hearing dates",
    "export": "print stored cases in the case format on standard output (never a file)",
    "audit": "print the audit trail (who did what, when), of all cases or one",
    "purge": "remove settled cases past their retention period (--dry-run: list them)",
    "doctor": "list damaged, missing or quarantined files; accept a loss",
    "passphrase": "change the passphrase (--rotate: and encrypt everything under a new key)",
    "assess": "print suitability, funding and follow-ups for one case file (no store)",
    "sync": "send queued referrals to central records",
    "providers": "import or list the provider directory the app chooses from",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duty-tui",
        description="Court duty at the first hearing: capture, check, refer. Offline first.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        module = importlib.import_module(f"duty_tui.commands.{_module(name)}")
        module.add_arguments(command)
    return parser


def _module(name: str) -> str:
    return "import_cases" if name == "import" else name


# Options every store-using command takes, accepted before the command as well as after it
# (``duty-tui --data-dir D list`` as much as ``duty-tui list --data-dir D``).
GLOBAL_OPTIONS = ("--data-dir",)


def _hoist_global_options(argv: list[str]) -> list[str]:
    """Move global options given before the command to after it, where argparse wants them."""
    moved: list[str] = []
    rest = list(argv)
    while rest and rest[0].split("=", 1)[0] in GLOBAL_OPTIONS:
        option = rest.pop(0)
        moved.append(option)
        if "=" not in option and rest:
            moved.append(rest.pop(0))
    if not moved:
        return argv
    if not rest or rest[0] not in COMMANDS:
        rest = ["run", *rest]
    command, *tail = rest
    if command == "providers" and tail and tail[0] in ("import", "list"):
        command, tail = f"{command} {tail[0]}", tail[1:]
    return [*command.split(), *moved, *tail]


def main(argv: Sequence[str] | None = None) -> int:
    argv = _hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]
    args = parser.parse_args(argv)
    module = importlib.import_module(f"duty_tui.commands.{_module(args.command)}")
    from duty_tui.commands.common import Refused, fail

    try:
        return int(module.run(args) or 0)
    except Refused as exc:
        return fail(str(exc), exc.code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Python's own report would quote the exception's message, which can hold case data.
        from duty_tui.crash import summary

        print(summary(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
