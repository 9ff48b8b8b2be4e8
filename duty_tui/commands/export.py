"""`duty-tui export [CASE_NUMBER ...]`: stored cases in the case format, on standard output.

What `duty-tui import` reads, so a script can check that what was typed is what was kept. It
never writes a file itself: where the output goes (and that it is personal data about children)
is the caller's decision. Cases that cannot be read are named on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import sys

from duty_tui.commands.common import Refused, add_data_dir_argument, audit_cases, open_store
from duty_tui.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Print stored cases in the case format (docs/case-format.md) on standard output; "
        "all of them, or those with the case numbers given. It never writes a file."
    )
    parser.add_argument("case_numbers", nargs="*", metavar="CASE_NUMBER")
    add_data_dir_argument(parser)


def run(args: argparse.Namespace) -> int:
    from duty_tui.services.health import describe
    from records.caseformat import CaseFormatError, dumps_cases
    from records.model import RecordError, parse_case_number
    from store import StoreError
    from store.cases import CaseRepository

    wanted: list[str] = []
    for text in args.case_numbers:
        try:
            wanted.append(parse_case_number(text))
        except RecordError as exc:
            raise Refused(exc.message) from None
    store = open_store(args)
    failed: list[str] = []
    try:
        repo = CaseRepository(store)
        summaries = repo.summaries()
        by_number = {str(s.get("case_number", "")): case_id for case_id, s in summaries.items()}
        unknown = [number for number in wanted if number not in by_number]
        if unknown:
            raise Refused(_("no stored case numbered {numbers}").format(numbers=", ".join(unknown)))
        ids = (
            [by_number[n] for n in wanted]
            if wanted
            else sorted(summaries, key=lambda i: (summaries[i].get("hearing_date", ""), i))
        )
        cases = []
        for case_id in ids:
            try:
                cases.append(repo.get(case_id))
            except (StoreError, CaseFormatError):
                problem = next((p for p in store.problems() if p.case_id == case_id), None)
                number = summaries[case_id].get("case_number", "")
                failed.append(
                    describe(problem, summaries).line()
                    if problem is not None
                    else _("case {number}: it cannot be read").format(number=number)
                )
        audit_cases(store, cases, "exported")
    finally:
        store.close()
    sys.stdout.write(dumps_cases(cases) + "\n")
    for line in failed:
        print(_("duty-tui: not exported: {problem}").format(problem=line), file=sys.stderr)
    return 1 if failed else 0
