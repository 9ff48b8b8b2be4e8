"""Purge in the app: once central has confirmed what it acknowledged, a settled case past its
retention period leaves the laptop (the officer is told, the duty list loses it, the audit
trail keeps a line of it); a settled case still within the period is marked with its day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from duty_tui.services.audit import AuditLog
from store import Store
from tests.sync.central_process import CentralProcess

from .conftest import PASSPHRASE, SIZE, TODAY, make_store, read_cases, sample_cases, screen_text
from .test_sync_ui import configure, notifications, unlock, wait_until


@pytest.fixture
def central(tmp_path: Path) -> Iterator[tuple[CentralProcess, str]]:
    """A running central and a device token for it, issued in this process (no provider
    directory: nothing is referred here), cheaper than test_sync_ui's command-line setup."""
    from central import service
    from central.db import make_engine

    db_url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    engine = make_engine(db_url)
    try:
        token = service.issue_token(engine, "purge-test")
    finally:
        engine.dispose()
    process = CentralProcess(db_url).start()
    yield process, token
    process.kill()


async def test_a_settled_case_past_its_retention_is_purged_after_central_answers(
    make_app, data_dir, central
):
    process, token = central
    cases = sample_cases()
    old = attrs.evolve(
        cases[0],
        id="case-old",
        case_number="ZZ26P00090",
        hearing=attrs.evolve(cases[0].hearing, date=TODAY - dt.timedelta(days=40)),
    )
    recent = attrs.evolve(
        cases[2],
        id="case-recent",
        case_number="ZZ26P00091",
        hearing=attrs.evolve(cases[2].hearing, date=TODAY - dt.timedelta(days=1)),
    )
    make_store(data_dir, [*cases, old, recent])
    configure(data_dir, process.url, token)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await wait_until(
            pilot,
            lambda: any("removed from this laptop" in n for n in notifications(app)),
            "the purge",
        )
        assert "case-old" not in app.desk.index
        await pilot.press("left_square_bracket")  # the day before: the recent case
        await wait_until(pilot, lambda: "ZZ26P00091" in screen_text(app), "yesterday's list")
        on = TODAY - dt.timedelta(days=1) + dt.timedelta(days=30)
        assert f"purge {on:%d/%m/%Y}" in screen_text(app)
        await pilot.press("ctrl+q")
    on_disk = read_cases(data_dir)
    assert "case-old" not in on_disk and "case-recent" in on_disk
    assert {c.id for c in cases} <= set(on_disk)  # today's cases are never due
    with Store.open(data_dir, PASSPHRASE) as store:
        purged = [e for e in AuditLog(store, "t").entries() if e.action == "purged"]
    assert [(e.case_id, e.case_number, e.detail) for e in purged] == [
        ("case-old", "ZZ26P00090", ())
    ]
