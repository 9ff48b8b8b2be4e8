"""`duty-tui list`: the stored cases' numbers and hearing dates, for scripts."""

from __future__ import annotations

import argparse
import json

from duty_tui.commands.common import add_data_dir_argument, fail, read_passphrase, resolve_data_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


def run(args: argparse.Namespace) -> int:
    from store import Store, StoreError
    from store.cases import CaseRepository

    data_dir = resolve_data_dir(args)
    if not Store.exists(data_dir):
        return fail(f"no store at {data_dir}: import a case file or run the app first")
    passphrase = read_passphrase()
    if not passphrase:
        return fail("a passphrase is needed: set DUTY_TUI_PASSPHRASE or run in a terminal")
    try:
        store = Store.open(data_dir, passphrase)
    except StoreError as exc:
        return fail(str(exc))
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
