"""`duty-tui assess CASE.json`: suitability, funding, options and follow-ups of one case, as JSON.

Reads one case in the case format (docs/case-format.md): no store, no passphrase. Prints the same
assessment the screens show (duty_tui.services.assessment). Bad input gets every problem on stderr
and exit status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from duty_tui.commands.common import fail, read_input_file
from duty_tui.i18n import _, ngettext


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a date: use YYYY-MM-DD").format(text=repr(text))
        ) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        type=Path,
        metavar="CASE.json",
        help=_("a case-format JSON document holding exactly one case"),
    )
    parser.add_argument(
        "--today",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help=_("assess as on this date (default: today)"),
    )
    parser.add_argument(
        "--providers",
        type=Path,
        default=None,
        metavar="FILE",
        help=_(
            "provider directory, JSON or .csv (default: the sample directory "
            "of fictional providers)"
        ),
    )


def run(args: argparse.Namespace) -> int:
    from duty_tui.services.assessment import assess_case, to_json
    from duty_tui.services.options import load_directory, sample_directory
    from records.caseformat import MAX_DOCUMENT_BYTES, CaseFormatError, load_cases

    path: Path = args.file
    raw = read_input_file(path, MAX_DOCUMENT_BYTES)
    today = args.today or dt.date.today()
    try:
        # Checked as new input, as on ``today``: a child is one under 18 at the case's hearing.
        cases = load_cases(raw, today=today)
    except CaseFormatError as exc:
        lines = "\n  ".join(exc.problems)
        return fail(
            _("{path} is not a valid case file:\n  {problems}").format(path=path, problems=lines)
        )
    if not cases:
        return fail(
            _("{path} holds no case; assess reads a document with exactly one case").format(
                path=path
            )
        )
    if len(cases) != 1:
        return fail(
            ngettext(
                "{path} holds {count} case; assess reads a document with exactly one case",
                "{path} holds {count} cases; assess reads a document with exactly one case",
                len(cases),
            ).format(path=path, count=len(cases))
        )

    if args.providers is None:
        directory = sample_directory()
    else:
        try:
            directory = load_directory(args.providers)
        except OSError as exc:
            return fail(
                _("cannot read {path}: {problem}").format(
                    path=args.providers, problem=exc.strerror or exc
                )
            )
        except CaseFormatError as exc:
            lines = "\n  ".join(exc.problems)
            return fail(
                _("{path} refused, no provider loaded:\n  {problems}").format(
                    path=args.providers, problems=lines
                )
            )

    case = cases[0]
    result = to_json(case, assess_case(case, directory, today=today))
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0
