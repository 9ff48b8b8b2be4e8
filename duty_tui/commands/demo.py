"""`duty-tui demo` (`make run`): a data dir of clearly fictional families, then the app.

The demo store is made once, with a passphrase that is printed (it protects nothing real). On a
later day its hearings are moved to that day, so the demo always opens on a full duty list.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from duty_tui.commands.common import add_data_dir_argument, fail, resolve_data_dir
from duty_tui.i18n import _

DEMO_MARKER = "demo"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)
    parser.add_argument(
        "--no-open", action="store_true", help=_("only make the demo data dir, do not open the app")
    )


def run(args: argparse.Namespace) -> int:
    from duty_tui.services.demo import DEMO_PASSPHRASE
    from store import StoreError

    data_dir = resolve_data_dir(args)
    try:
        made = ensure_demo(data_dir)
    except StoreError as exc:
        return fail(
            _("cannot prepare the demo data in {data_dir}: {problem}").format(
                data_dir=data_dir, problem=exc
            )
        )
    made_line = (
        _("Demo data (made): {data_dir}") if made else _("Demo data (already there): {data_dir}")
    )
    print(made_line.format(data_dir=data_dir))
    print(_("Demo passphrase: {passphrase}").format(passphrase=DEMO_PASSPHRASE))
    print(_("Every family in it is fictional."))
    if args.no_open:
        return 0
    from duty_tui.commands.run import open_app

    return open_app(args, demo_passphrase=DEMO_PASSPHRASE)


def ensure_demo(data_dir: Path, today: dt.date | None = None, *, kdf: Any = None) -> bool:
    """Make the demo store in ``data_dir`` unless there is one; True if it was made.

    A demo store from an earlier day gets today's list: the demo cases it holds are replaced.
    A data dir that is not a demo store is never touched (StoreError).
    """
    from tinydb import Query

    from duty_tui.config import OfficerProfile, save_profile
    from duty_tui.services.demo import DEMO_COURT, DEMO_OFFICER, DEMO_PASSPHRASE, demo_cases
    from records.model import Jurisdiction
    from store import Store, StoreError
    from store.cases import CaseRepository

    today = today or dt.date.today()
    made = not Store.exists(data_dir)
    if made:
        store = Store.create(data_dir, DEMO_PASSPHRASE, kdf=kdf)
    else:
        store = Store.open(data_dir, DEMO_PASSPHRASE)  # WrongPassphrase: not a demo store
    try:
        settings = store.table("settings")
        marker = settings.get(Query().key == DEMO_MARKER)
        if not made and marker is None:
            raise StoreError(
                _("{data_dir} is not a demo data dir; it is left as it is").format(
                    data_dir=data_dir
                )
            )
        if made or (marker and marker["value"].get("made_on") != today.isoformat()):
            repo = CaseRepository(store)
            for case_id in (marker or {}).get("value", {}).get("case_ids", []):
                if case_id in repo.summaries():
                    repo.delete(case_id)
            cases = demo_cases(today)
            for case in cases:
                repo.save(case)
            save_profile(
                store,
                OfficerProfile(
                    officer=DEMO_OFFICER, court=DEMO_COURT, jurisdiction=Jurisdiction.WALES
                ),
            )
            settings.upsert(
                {
                    "key": DEMO_MARKER,
                    "value": {"made_on": today.isoformat(), "case_ids": [c.id for c in cases]},
                },
                Query().key == DEMO_MARKER,
            )
    finally:
        store.close()
    return made
