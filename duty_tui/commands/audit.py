"""`duty-tui audit [CASE_NUMBER]`: who did what, when, to which case (services/audit.py).

Prints the store's audit trail, oldest first, one line an entry: time (UTC), officer, action,
case number and the names of the fields an edit changed (never their values). Exit 1 if the
trail's chain is broken anywhere (an entry edited, removed or moved), naming where, or if the
store found the trail's file damaged, missing or older than it last wrote.
"""

from __future__ import annotations

import argparse

from duty_tui.commands.common import Refused, add_data_dir_argument, audit_log, open_store
from duty_tui.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_number", nargs="?", metavar="CASE_NUMBER")
    add_data_dir_argument(parser)


def run(args: argparse.Namespace) -> int:
    from duty_tui.services.audit import AUDIT_JOURNAL
    from duty_tui.services.health import describe
    from records.model import RecordError, parse_case_number
    from records.text import shown

    number = None
    if args.case_number is not None:
        try:
            number = parse_case_number(args.case_number)
        except RecordError as exc:
            raise Refused(exc.message) from None
    store = open_store(args)
    try:
        trail = audit_log(store)
        entries = trail.entries()
        breaks = trail.breaks()
        damage = [
            describe(p, {}).line()
            for p in [*store.problems(), *store.told()]
            if p.table == AUDIT_JOURNAL
        ]
    finally:
        store.close()
    if number is not None:
        entries = [e for e in entries if (e.case_number or "").casefold() == number.casefold()]
    for entry in entries:
        print(shown(entry.line(), limit=2000))
    for line in damage:
        print(_("duty-tui: {problem}").format(problem=shown(line)), flush=True)
    if breaks:
        where = ", ".join(str(b) for b in breaks)
        print(
            _("duty-tui: the audit trail is broken at entry {where}").format(where=where),
            flush=True,
        )
        return 1
    return 1 if damage else 0
