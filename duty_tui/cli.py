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

from duty_tui.i18n import LANG_ENV, N_, _, resolve_language, set_language

# Translated when the parser is built, after --lang is read.
COMMANDS: dict[str, str] = {
    "run": N_("open the app (the default)"),
    "demo": N_("open the app on a demo data dir of fictional families"),
    "import": N_("add the cases of a case-format JSON file to the store"),
    "list": N_("print the stored cases' numbers and hearing dates"),
    "export": N_("print stored cases in the case format on standard output (never a file)"),
    "audit": N_("print the audit trail (who did what, when), of all cases or one"),
    "purge": N_("remove settled cases past their retention period (--dry-run: list them)"),
    "doctor": N_("list damaged, missing or quarantined files; accept a loss"),
    "passphrase": N_("change the passphrase (--rotate: and encrypt everything under a new key)"),
    "assess": N_("print suitability, funding and follow-ups for one case file (no store)"),
    "sync": N_("send queued referrals to central records"),
    "providers": N_("import or list the provider directory the app chooses from"),
}

# argparse's own words (usage, errors, --help), which it looks up through the module-level
# gettext functions that _use_our_catalog points at ours. Marked here so that make messages
# extracts them; the msgids are argparse's own, placeholders included.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("invalid %(type)s value: %(value)r"),
)


def _use_our_catalog() -> None:
    """argparse calls ``_`` and ``ngettext`` from its module namespace: ours answer instead."""
    from duty_tui import i18n

    argparse._ = i18n._  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    _use_our_catalog()
    parser = argparse.ArgumentParser(
        prog="duty-tui",
        description=_("Court duty at the first hearing: capture, check, refer. Offline first."),
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        help=_(
            "language of messages and output: cy (Cymraeg) or en (English); default: "
            "${env}, the officer's profile, the system locale, else English"
        ).format(env=LANG_ENV),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_key in COMMANDS.items():
        help_text = _(help_key)
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


def _take_lang(argv: list[str]) -> tuple[str | None, list[str]]:
    """``--lang X`` / ``--lang=X`` from anywhere before ``--``, and the rest. It is read before
    the parser is built, so that --help and argparse's errors are in that language too."""
    lang: str | None = None
    rest: list[str] = []
    items = iter(argv)
    for item in items:
        if item == "--":
            rest.append(item)
            rest.extend(items)
            break
        if item == "--lang":
            lang = next(items, None)
        elif item.startswith("--lang="):
            lang = item.split("=", 1)[1]
        else:
            rest.append(item)
    return lang, rest


def main(argv: Sequence[str] | None = None) -> int:
    lang, argv = _take_lang(list(sys.argv[1:] if argv is None else argv))
    # The profile is inside the encrypted store, read only by the app once it is unlocked; the
    # command line goes by --lang, $DUTY_TUI_LANG and the system locale.
    set_language(resolve_language(cli=lang))
    argv = _hoist_global_options(argv)
    parser = build_parser()
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]
    args = parser.parse_args(argv)
    args.lang = lang
    module = importlib.import_module(f"duty_tui.commands.{_module(args.command)}")
    from duty_tui.commands.common import Refused, fail

    try:
        return int(module.run(args) or 0)
    except Refused as exc:
        return fail(str(exc), exc.code)
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130
    except Exception as exc:
        # Python's own report would quote the exception's message, which can hold case data.
        from duty_tui.crash import summary

        print(summary(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
