"""`duty-tui doctor`: what is damaged, missing, older than it should be, or in quarantine.

Every file is read through (decrypted and checked), not only those opening the store looks at.

Exit codes: 0 nothing wrong; 1 something needs the officer (each named on stdout with what it
means); 2 the store cannot be opened. ``--accept`` records the officer's decision on one problem:
a missing or damaged file is accepted as lost, an older file as the current version.
"""

from __future__ import annotations

import argparse

from duty_tui.commands.common import Refused, add_data_dir_argument, open_store
from duty_tui.i18n import _, ngettext


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)
    parser.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar="WHAT",
        help=_(
            "accept the loss (or the older version) of WHAT: a case number, a part of the app "
            "(outbox, drafts, providers, settings, sync_log) or 'manifest'; may be repeated"
        ),
    )


def run(args: argparse.Namespace) -> int:
    from duty_tui.services.health import describe_all, find_subject

    store = open_store(args)
    try:
        summaries = store.summaries()
        findings = describe_all(store.check_everything(), summaries)
        for wanted in args.accept:
            finding = find_subject(findings, wanted)
            if finding is None:
                raise Refused(
                    _("nothing to accept for {what}: it has no problem").format(what=repr(wanted))
                )
            store.accept(finding.subject)
            print(_("accepted: {what}").format(what=finding.what))
        summaries = store.summaries()
        findings = describe_all(store.problems(), summaries)
        told = describe_all(store.told(), summaries)
        quarantined = (
            sorted(p.name for p in store.quarantine_dir.glob("*"))
            if (store.quarantine_dir.is_dir())
            else []
        )
        cases = len(summaries)
    finally:
        store.close()
    for finding in told:
        print(_("started again empty: {problem}").format(problem=finding.line()))
    for finding in findings:
        print(finding.line())
        print(_("  to accept it: duty-tui doctor --accept {what}").format(what=finding.accept_as))
    if quarantined:
        print(
            ngettext(
                "{count} file kept in quarantine (still encrypted):",
                "{count} files kept in quarantine (still encrypted):",
                len(quarantined),
            ).format(count=len(quarantined))
        )
        for name in quarantined:
            print(f"  {store.quarantine_dir.name}/{name}")
    if not findings and not told:
        print(
            ngettext(
                "no problems: {count} case, every file as last saved",
                "no problems: {count} cases, every file as last saved",
                cases,
            ).format(count=cases)
        )
        return 0
    return 1
