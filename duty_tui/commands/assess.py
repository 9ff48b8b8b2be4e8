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


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        type=Path,
        metavar="CASE.json",
        help="a case-format JSON document holding exactly one case",
    )
    parser.add_argument(
        "--today",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="assess as on this date (default: today)",
    )
    parser.add_argument(
        "--providers",
        type=Path,
        default=None,
        metavar="FILE",
        help="provider directory, JSON or .csv (default: the sample directory "
        "of fictional providers)",
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
        return fail(f"{path} is not a valid case file:\n  {lines}")
    if len(cases) != 1:
        held = "no case" if not cases else f"{len(cases)} cases"
        return fail(f"{path} holds {held}; assess reads a document with exactly one case")

    if args.providers is None:
        directory = sample_directory()
    else:
        try:
            directory = load_directory(args.providers)
        except OSError as exc:
            return fail(f"cannot read {args.providers}: {exc.strerror or exc}")
        except CaseFormatError as exc:
            lines = "\n  ".join(exc.problems)
            return fail(f"{args.providers} refused, no provider loaded:\n  {lines}")

    case = cases[0]
    result = to_json(case, assess_case(case, directory, today=today))
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0
