"""`duty-tui import FILE.json`: add the cases of a case-format file to the store, all or none.

All or none holds whatever stops it: an error undoes what was added, and an import cut off by
a signal or a crash (even SIGKILL) is undone when the store is next opened (Store.batch), so
running it again afterwards works.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from duty_tui.commands.common import (
    add_data_dir_argument,
    audit_cases,
    fail,
    read_input_file,
    read_passphrase,
    resolve_data_dir,
)
from duty_tui.i18n import _, ngettext


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help=_("a case-format JSON file (docs/case-format.md)"))
    add_data_dir_argument(parser)


def run(args: argparse.Namespace) -> int:
    from records.caseformat import MAX_DOCUMENT_BYTES, CaseFormatError, load_cases
    from store import Store, StoreError
    from store.cases import CaseRepository

    raw = read_input_file(args.file, MAX_DOCUMENT_BYTES)
    try:
        # New input: children under 18 at their hearing, nothing dated after today.
        cases = load_cases(raw, today=dt.date.today())
    except CaseFormatError as exc:
        lines = "\n  ".join(exc.problems)
        return fail(
            _("{path} refused, nothing imported:\n  {problems}").format(
                path=args.file, problems=lines
            )
        )

    data_dir = resolve_data_dir(args)
    first_run = not Store.exists(data_dir)
    passphrase = read_passphrase(confirm=first_run)
    if not passphrase:
        return fail(
            _("a passphrase is needed: set {env} or run in a terminal").format(
                env="DUTY_TUI_PASSPHRASE"
            )
        )
    try:
        store = (
            Store.create(data_dir, passphrase) if first_run else Store.open(data_dir, passphrase)
        )
    except StoreError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(
            _("the store in {data_dir} cannot be opened: {problem}").format(
                data_dir=data_dir, problem=exc.strerror
            )
        )
    try:
        repo = CaseRepository(store)
        clashes = _clashes(repo.summaries(), cases)
        if clashes:
            lines = "\n  ".join(clashes)
            return fail(
                _("{path} refused, nothing imported:\n  {problems}").format(
                    path=args.file, problems=lines
                )
            )
        try:
            with store.batch():
                for case in cases:
                    repo.save(case)
        except (OSError, StoreError) as exc:
            return fail(
                _("import stopped by a storage error, nothing imported: {problem}").format(
                    problem=exc
                ),
                1,
            )
        audit_cases(store, cases, "imported")
    finally:
        store.close()
    print(
        ngettext(
            "imported {count} case into {data_dir}",
            "imported {count} cases into {data_dir}",
            len(cases),
        ).format(count=len(cases), data_dir=data_dir)
    )
    return 0


def _clashes(existing: dict[str, dict], cases: list) -> list[str]:
    # Case numbers compare without regard to case: ZZ26P07777 and zz26p07777 are one case.
    numbers = {str(s.get("case_number", "")).casefold() for s in existing.values()}
    problems = []
    for index, case in enumerate(cases):
        if case.id in existing:
            problems.append(
                _("$.cases[{index}]: case {number} is already stored (same id)").format(
                    index=index, number=case.case_number
                )
            )
        elif case.case_number.casefold() in numbers:
            problems.append(
                _("$.cases[{index}]: case {number} is already stored").format(
                    index=index, number=case.case_number
                )
            )
    return problems
