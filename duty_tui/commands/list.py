"""`duty-tui list`: the stored cases' numbers and hearing dates, for scripts.

Exit 0 when every case can be read; 1 when some cannot (each named on stderr, still listed on
stdout with its last recorded number and date) or another file of the store needs attention
(see `duty-tui doctor`).
"""

from __future__ import annotations

import argparse
import json

from duty_tui.commands.common import add_data_dir_argument, open_store
from duty_tui.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)
    parser.add_argument("--json", action="store_true", help=_("one JSON object per line"))


def run(args: argparse.Namespace) -> int:
    import sys

    from duty_tui.services.health import describe_all
    from store.cases import CaseRepository

    store = open_store(args)
    try:
        summaries = CaseRepository(store).summaries()
        findings = describe_all([*store.problems(), *store.told()], summaries)
    finally:
        store.close()
    rows = sorted(
        (s.get("hearing_date", ""), s.get("case_number", ""), case_id)
        for case_id, s in summaries.items()
    )
    for hearing_date, number, case_id in rows:
        if args.json:
            print(json.dumps({"id": case_id, "case_number": number, "hearing_date": hearing_date}))
        else:
            print(f"{number}\t{hearing_date}")
    for finding in findings:
        print(f"duty-tui: {finding.line()}", file=sys.stderr)
    if findings:
        print(_("duty-tui: run `duty-tui doctor` for what to do"), file=sys.stderr)
    return 1 if findings else 0
