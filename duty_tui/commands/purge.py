"""`duty-tui purge [--dry-run]`: settled cases past their retention period leave the laptop.

What counts as settled, and when a case goes, is services/purge.py. ``--dry-run`` lists what
would go now, what goes on a later day, and why each other case whose hearing has been is
kept; nothing is changed. Without it the due cases are purged (audit line first, then the case,
its referrals' payloads and the manifest's history of it). ``--retention-days N`` keeps the
period (1 to 365 days, default 30) in the encrypted settings for the app and later runs.

Exit 0 when done (or nothing is due), 1 if a case could not be purged (the rest stand).
"""

from __future__ import annotations

import argparse
import datetime as dt

from duty_tui.commands.common import Refused, add_data_dir_argument, audit_log, open_store
from duty_tui.i18n import _, ngettext


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help=_("list what would be purged; change nothing")
    )
    parser.add_argument(
        "--retention-days",
        type=int,
        metavar="DAYS",
        help=_("keep settled cases this many days after the hearing (1-365) from now on"),
    )
    add_data_dir_argument(parser)


def _date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def run(args: argparse.Namespace) -> int:
    from duty_tui.saver import load_drafts
    from duty_tui.services.purge import (
        RetentionError,
        check_case_retention_days,
        plan_purge,
        purge,
        save_case_retention_days,
    )
    from records.text import shown
    from store import StoreError
    from store.outbox import Outbox

    if args.retention_days is not None:
        try:
            check_case_retention_days(args.retention_days)
        except RetentionError as exc:
            raise Refused(str(exc)) from None
    store = open_store(args)
    try:
        if args.retention_days is not None and not args.dry_run:
            save_case_retention_days(store, args.retention_days)
        outbox = Outbox(store)
        try:
            plan = plan_purge(
                store,
                outbox,
                today=dt.date.today(),
                retention_days=args.retention_days,
                drafts=set(load_drafts(store)),
            )
        except StoreError as exc:
            # The outbox (or settings) cannot be read: nobody can tell what central holds.
            raise Refused(_("nothing purged: {problem}").format(problem=exc), 1) from None
        due = plan.due
        line = (
            _("would purge {case} (hearing {date})")
            if args.dry_run
            else _("purging {case} (hearing {date})")
        )
        for planned in due:
            print(shown(line.format(case=planned.case_number, date=_date(planned.hearing))))
        for planned in sorted(plan.later, key=lambda p: (p.on, p.case_number)):
            assert planned.on is not None
            print(
                shown(
                    _("will be purged on {date}: {case}").format(
                        date=_date(planned.on), case=planned.case_number
                    )
                )
            )
        for planned in plan.cases:
            if planned.kept:
                reasons = "; ".join(planned.kept)
                print(
                    shown(
                        _("kept {case}: {reasons}").format(
                            case=planned.case_number, reasons=reasons
                        )
                    )
                )
        if args.dry_run:
            print(
                ngettext(
                    "{count} case would be purged (retention period in days: {days})",
                    "{count} cases would be purged (retention period in days: {days})",
                    len(due),
                ).format(count=len(due), days=plan.retention_days)
            )
            return 0
        try:
            purged = purge(store, outbox, audit_log(store), due)
        except StoreError as exc:
            raise Refused(
                _("purge stopped: {problem}; run it again").format(problem=exc), 1
            ) from None
        print(
            ngettext(
                "{count} case purged (retention period in days: {days})",
                "{count} cases purged (retention period in days: {days})",
                len(purged),
            ).format(count=len(purged), days=plan.retention_days)
        )
        return 0
    finally:
        store.close()
