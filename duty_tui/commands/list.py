"""`duty-tui list`: the stored cases' numbers and hearing dates, for scripts."""

from __future__ import annotations

import argparse
import json

from duty_tui.commands.common import add_data_dir_argument, open_store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


def run(args: argparse.Namespace) -> int:
    from store.cases import CaseRepository

    store = open_store(args)
    try:
        summaries = CaseRepository(store).summaries()
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
    return 0
