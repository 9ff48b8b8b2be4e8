"""Sync in the app, against a real ``duty-central serve`` process on loopback.

An officer queues a referral while central is down, sees it counted on the status line and
badged on the duty list, starts... well, central comes back, presses ``s``, and sees it
acknowledged: on screen, in the sync log and on disk (the case's referral carries central's
receipt). A referral central refuses is named in an error notification with central's reason.
The settings dialog refuses a URL it cannot use and says why beside the field.

The app's sync worker runs for the whole session, so these tests cannot use conftest's
``settle`` (it waits for every worker): ``settle`` here waits for all but the sync loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from textual.widgets import Input
from textual.worker import WorkerCancelled, WorkerFailed

from duty_tui.app import DutyApp
from duty_tui.screens.central_settings import CentralSettingsScreen
from duty_tui.screens.duty_list import DutyListScreen
from duty_tui.screens.sync_log import SyncLogScreen
from duty_tui.services.central_config import CentralConfig, load_central_config, save_central_config
from duty_tui.services.provider_cache import cached_providers
from duty_tui.widgets.field import FieldRow
from duty_tui.widgets.sync_status import SyncStatus
from records.model import (
    Activity,
    Answer,
    Case,
    Direction,
    DirectionStatus,
    FundingRoute,
    ReferralState,
)
from store import Store
from store.outbox import Outbox
from tests.sync.central_process import CentralProcess
from tests.sync.helpers import ROOT, sample_payload

from .conftest import PASSPHRASE, SIZE, TODAY, make_store, read_cases, sample_cases, screen_text

SAMPLE_PROVIDERS = ROOT / "duty_tui" / "data" / "sample_providers.json"
WAIT_S = 20.0


# --- central ------------------------------------------------------------------------------------


def _central_cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "central", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralProcess]:
    """A central with the sample directory, NOT started: each test starts it when it wants.
    Its port is chosen now, so the app can be pointed at it while it is down."""
    db_url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    _central_cli("load-providers", "--db", db_url, str(SAMPLE_PROVIDERS))
    process = CentralProcess(db_url)
    yield process
    process.kill()


@pytest.fixture
def token(central: CentralProcess) -> str:
    """A device token issued the way an administrator does (tests/sync/test_real_faults)."""
    issued = _central_cli(
        "issue-token", "--device", f"tui-{os.urandom(3).hex()}", "--db", central.db_url
    )
    assert issued
    return issued


# --- the store ----------------------------------------------------------------------------------


def queueable_cases() -> list[Case]:
    """The sample cases; the first has a directed WT4C session for the applicant with a
    provider from the sample directory, and the applicant's legal aid is known."""
    cases = sample_cases()
    first = cases[0]
    applicant = attrs.evolve(first.parties[0], legal_aid=Answer.YES)
    direction = Direction(
        activity=Activity.WT4C,
        party_id=applicant.id,
        provider_id="sample-wt4c-cardiff",
        funding=FundingRoute.LEGAL_AID,
        status=DirectionStatus.DIRECTED,
        directed_on=TODAY,
        id="dir-1",
    )
    # The safeguarding letter is on file: no referral without it (PD12B 14.13(d)).
    screening = attrs.evolve(first.screening, safeguarding_letter_on=TODAY - dt.timedelta(days=3))
    cases[0] = attrs.evolve(
        first,
        parties=[applicant, *first.parties[1:]],
        directions=(direction,),
        screening=screening,
    )
    return cases


def with_store(data_dir: Path, change: Callable[[Store], Any]) -> None:
    store = Store.open(data_dir, PASSPHRASE)
    try:
        change(store)
    finally:
        store.close()


def configure(data_dir: Path, url: str, token: str) -> None:
    with_store(data_dir, lambda store: save_central_config(store, CentralConfig(url, token)))


# --- driving the app ----------------------------------------------------------------------------


async def settle(pilot: Any) -> None:
    """Let short workers (Argon2, counting, "sync now") finish; never the sync loop."""
    app: DutyApp = pilot.app
    for _ in range(3):
        for worker in [w for w in app.workers if w.group != "sync" and not w.is_finished]:
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):
                pass
        await pilot.pause()


async def unlock(pilot: Any) -> None:
    await pilot.press(*PASSPHRASE, "enter")
    await settle(pilot)


def status_text(app: DutyApp) -> str:
    return str(app.screen.query_one(SyncStatus).query_one("#sync-text").render())


async def wait_until(pilot: Any, condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(
                f"timed out waiting for {what}; the screen shows:\n{screen_text(pilot.app)}"
            )
        await pilot.pause(0.05)


def notifications(app: DutyApp) -> list[str]:
    return [n.message for n in app._notifications]


# --- the tests ----------------------------------------------------------------------------------


async def test_queued_offline_then_sync_now(make_app, data_dir, central, token):
    make_store(data_dir, queueable_cases())
    configure(data_dir, central.url, token)  # central is not running yet
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        assert isinstance(app.screen, DutyListScreen)
        await wait_until(
            pilot,
            lambda: "offline" in status_text(app) and "0 referrals not yet" in status_text(app),
            "the status line to say central is offline",
        )

        # Queue the referral while central is down: counted, badged, nothing lost.
        app.desk.queue_referral(app.desk.load_case("case0000"), "dir-1")
        await wait_until(
            pilot,
            lambda: "1 referral not yet acknowledged" in status_text(app),
            "the queued referral to be counted",
        )
        app.screen.refresh_rows()  # queued behind the list's back: as when coming back to it
        await pilot.pause()
        shown = screen_text(app)
        assert "1 referral not yet acknowledged" in shown
        assert "1 referral queued" in shown

        # Sync now while central is still down: told so, still queued.
        await pilot.press("s")
        await settle(pilot)
        assert any("cannot be reached" in n for n in notifications(app))
        assert "1 referral not yet acknowledged" in status_text(app)

        # Central comes back; s sends it.
        await asyncio.to_thread(central.start)
        await pilot.press("s")
        await settle(pilot)
        await wait_until(
            pilot,
            lambda: "0 referrals not yet acknowledged" in status_text(app),
            "the referral to be acknowledged",
        )
        shown = screen_text(app)
        assert "Central records: connected" in shown
        assert "referral queued" not in shown  # the duty list badge is gone
        assert any("1 acknowledged by central records" in n for n in notifications(app))

        # The provider directory came from central while it was reachable.
        await wait_until(
            pilot,
            lambda: cached_providers(app.desk.store)[1] is not None,
            "the provider directory to be fetched",
        )

        # The sync log, from the command palette.
        await pilot.press("ctrl+p", *"sync log", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SyncLogScreen)
        log_text = screen_text(app)
        assert "acknowledged" in log_text and "1 referral" in log_text
        assert "Queued: a new referral" in log_text and "ZZ26P00001" in log_text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DutyListScreen)
        engine = app.sync_ui.engine
        assert engine is not None
        await pilot.press("ctrl+q")
        await settle(pilot)

    # Quitting stopped the sync and closed its HTTP client (as the cancelled worker unwinds).
    deadline = time.monotonic() + WAIT_S
    while engine._client is not None and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert app.sync_ui.engine is None and engine._client is None

    # On disk: the case's referral is acknowledged with central's receipt; the outbox agrees.
    [referral] = read_cases(data_dir)["case0000"].referrals
    assert referral.state is ReferralState.ACKNOWLEDGED
    assert referral.receipt.startswith("CR-")

    def check_outbox(store: Store) -> None:
        [entry] = Outbox(store).entries()
        assert (entry.state, entry.receipt) == ("acknowledged", referral.receipt)

    with_store(data_dir, check_outbox)


async def test_a_refused_referral_is_named_with_central_reason(make_app, data_dir, central, token):
    make_store(data_dir, queueable_cases())
    configure(data_dir, central.url, token)

    def queue_bad(store: Store) -> None:
        # A payload central refuses (no court), for the third case: as if a bug let it through.
        Outbox(store).enqueue("ref-bad", 1, case_id="case0002", payload=sample_payload(court=""))

    with_store(data_dir, queue_bad)
    central.start()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        # No key pressed: the background sync sends what is due as soon as central answers.
        await wait_until(
            pilot,
            lambda: any("refused the referral" in n for n in notifications(app)),
            "the refusal to be notified",
        )
        [message] = [n for n in notifications(app) if "refused the referral" in n]
        assert "ZZ26P00003" in message  # the case number, looked up from the case id
        assert "422" in message and "court" in message  # central's reason
        await pilot.pause()
        assert "ZZ26P00003" in screen_text(app)
        await wait_until(
            pilot,
            lambda: "0 referrals not yet acknowledged" in status_text(app),
            "the refused referral to stop counting as waiting",
        )
        app.action_sync_log()
        await settle(pilot)
        log_text = screen_text(app)
        assert "Central refused it" in log_text and "ZZ26P00003" in log_text
        assert "referral ref-bad, revision 1" in log_text  # not in the case: its id, short


async def test_settings_refuse_a_bad_url_then_save(make_app, data_dir, central, token):
    make_store(data_dir, queueable_cases())
    central.start()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        assert "not set up" in status_text(app)
        # Sync without central set up: told so, and the settings open.
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, CentralSettingsScreen)
        assert any("not set up" in n for n in notifications(app))

        # Plain http to another machine would carry the token in clear: refused, kept.
        await pilot.press(*"http://central.example", "enter", *token, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CentralSettingsScreen)
        row = app.screen.query_one("#row-central-url", FieldRow)
        assert row.error == "plain http is only allowed to this machine: use https"
        assert "plain http is only" in screen_text(app)
        assert app.screen.query_one("#central-url", Input).value == "http://central.example"

        # Corrected: saved, the dialog closes and the sync starts.
        url_input = app.screen.query_one("#central-url", Input)
        url_input.value = central.url
        url_input.focus()
        await pilot.press("enter", "enter")  # to the token (kept as typed), then save
        await settle(pilot)
        assert isinstance(app.screen, DutyListScreen)
        assert app.sync_ui.engine is not None
        await wait_until(
            pilot,
            lambda: "Central records: connected" in status_text(app),
            "central to be reached with the new settings",
        )
        await pilot.press("ctrl+q")
        await settle(pilot)

    def check(store: Store) -> None:
        assert load_central_config(store) == CentralConfig(central.url, token)

    with_store(data_dir, check)


async def test_s_in_a_field_is_typed_not_a_sync(make_app, data_dir):
    make_store(data_dir, queueable_cases())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash", "s")
        await settle(pilot)
        assert app.screen.query_one("#duty-filter", Input).value == "s"
        assert not isinstance(app.screen, CentralSettingsScreen)
        # In the case screen the focus starts in a field: s is a letter there too.
        await pilot.press("escape", "enter")
        await settle(pilot)
        assert isinstance(app.focused, Input)
        before = app.focused.value
        await pilot.press("end", "s")
        await settle(pilot)
        assert app.focused.value == before + "s"
        assert not isinstance(app.screen, CentralSettingsScreen)
        # The status line is on the case screen too; the palette offers Sync now there.
        assert "not set up" in status_text(app)
        await pilot.press("ctrl+p", *"sync now", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CentralSettingsScreen)


def test_the_sync_worker_imports_no_textual():
    code = (
        "import sys, duty_tui.sync_worker\n"
        "sys.exit(1 if any(n.split('.')[0] == 'textual' for n in sys.modules) else 0)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


async def test_the_case_screen_shows_the_receipt_and_a_withdrawal(
    make_app, data_dir, central, token
):
    """From the case: queue from the direction's card, sync, read the receipt on the referral's
    card; withdraw it with a reason, sync again, and see central's record of that."""
    from duty_tui.screens.case import CaseScreen
    from duty_tui.screens.prompt import PromptScreen

    make_store(data_dir, queueable_cases())
    configure(data_dir, central.url, token)
    await asyncio.to_thread(central.start)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("enter")  # ZZ26P00001, which has the directed WT4C session
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        screen.set_focus(screen.query_one("#direction-queue-dir-1"))
        await pilot.press("enter")
        await settle(pilot)
        [referral] = screen.case.referrals
        card = f"#referral-text-{referral.id}"

        def card_text() -> str:
            found = screen.query(card)
            return found.first().render().plain if found else ""

        await pilot.press("s")  # the focus is on a button: s is "sync now"
        await wait_until(pilot, lambda: "receipt CR-" in card_text(), "the receipt on the card")
        assert "acknowledged (revision 1)" in card_text()
        assert "0 referrals not yet acknowledged" in status_text(app)

        # Withdraw, with a reason: a new revision, sent like the first.
        screen.set_focus(screen.query_one(f"#referral-withdraw-{referral.id}"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("enter")  # no reason: refused beside the field
        await pilot.pause()
        assert "needed: say why" in screen_text(app)
        await pilot.press(*"Parties agreed arrangements at court", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert "withdrawn: Parties agreed arrangements at court" in card_text()
        await pilot.press("ctrl+p", *"sync now", "enter")
        await wait_until(
            pilot,
            lambda: "withdrawn (central acknowledged) (revision 2)" in card_text(),
            "the withdrawal sent",
        )
        assert not screen.query(f"#referral-withdraw-{referral.id}")  # nothing left to withdraw
        await pilot.press("ctrl+q")
        await settle(pilot)

    [stored] = read_cases(data_dir)["case0000"].referrals
    assert (stored.state, stored.revision) == (ReferralState.ACKNOWLEDGED, 2)
    assert stored.reason == "withdrawn: Parties agreed arrangements at court"


async def test_an_error_toast_goes_when_central_answers(make_app, data_dir, central, token):
    """Issue 13 item 6: "central refused this device's token" stayed on screen after the right
    token was saved and the referral acknowledged. Resolved errors are taken down."""
    make_store(data_dir, queueable_cases())
    configure(data_dir, central.url, "not-the-token-central-issued")
    await asyncio.to_thread(central.start)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        app.desk.queue_referral(app.desk.load_case("case0000"), "dir-1")
        await pilot.press("s")
        await settle(pilot)
        await wait_until(
            pilot,
            lambda: any("cannot be sent" in n for n in notifications(app)),
            "the refused token to be reported",
        )
        # The right token, through the settings (the URL is kept as it was).
        await pilot.press("ctrl+p", *"central records settings", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CentralSettingsScreen)
        app.screen.query_one("#central-token", Input).focus()
        await pilot.press(*token, "enter")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await wait_until(
            pilot,
            lambda: "0 referrals not yet acknowledged" in status_text(app),
            "the referral to be acknowledged",
        )
        await wait_until(
            pilot,
            lambda: not any("cannot be sent" in n for n in notifications(app)),
            "the token error to be taken down",
        )
        await pilot.press("ctrl+q")
        await settle(pilot)


# --- many referrals while the officer types ---------------------------------------------------

MANY = 50


def make_store_with_queued_referrals(data_dir: Path, count: int) -> list[str]:
    """``count`` cases heard today, each with one referral queued (on the case and in the
    outbox), as bench/bench_sync_cli.py builds its thousand. Returns their ids."""
    from records.caseformat import load_cases
    from records.model import Referral
    from records.payload import build_payload, payload_to_dict
    from store.outbox import NewEntry

    template = load_cases((ROOT / "docs" / "examples" / "case.json").read_bytes())[0]
    direction = template.directions[0]
    cases: list[Case] = []
    items: list[NewEntry] = []
    for n in range(count):
        referral = Referral(
            direction_id=direction.id,
            party_id=direction.party_id,
            activity=direction.activity,
            provider_id=direction.provider_id,
            state=ReferralState.QUEUED,
        )
        case = attrs.evolve(
            template,
            id=f"many{n:04d}",
            case_number=f"ZZ26P{n + 1:05d}",
            hearing=attrs.evolve(template.hearing, date=TODAY),
            referrals=(referral,),
        )
        cases.append(case)
        payload = payload_to_dict(build_payload(case, direction, referral))
        items.append(NewEntry(referral.id, 1, case.id, payload))
    make_store(data_dir, cases)
    with_store(data_dir, lambda store: Outbox(store).enqueue_many(items))
    return [case.id for case in cases]


async def test_a_big_sync_reconciles_every_case_and_keeps_the_officers_typing(
    make_app, data_dir, central, token
):
    """Issue 14: a sync's results are worked out off the app's loop. Every case still ends
    reconciled on disk and on screen, and no edit is lost either way: text typed into the
    open case during the sync is kept, and a case the officer saves while its reconcile is
    being worked out in the thread keeps both the edit and the reconcile."""
    from duty_tui.screens.case import CaseScreen
    from duty_tui.widgets.field import FieldInput

    ids = make_store_with_queued_referrals(data_dir, MANY)
    opened, edited = ids[0], ids[1]
    await asyncio.to_thread(central.start)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        desk, sync_ui = app.desk, app.sync_ui
        assert desk is not None and sync_ui is not None
        app.open_case(opened)
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen), "the case to open")
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        # A free-text field: the applicant's work times.
        [field] = [f for f in screen.query(FieldInput) if f.key.endswith(".constraints.work")][:1]
        field.focus()
        await pilot.pause()
        await pilot.press("end", *" one")

        # While the first round is worked out in its thread, the officer saves another case
        # (as leaving its screen does): the thread read the case before that edit.
        prepare = desk.prepare_reconcile
        rounds: list[set[str]] = []

        def officer_saves_meanwhile() -> None:
            case = desk.load_case(edited)
            desk.save_case(attrs.evolve(case, court="Example Family Court annex"))

        def prepare_then_edit(case_ids: Any) -> Any:
            wanted = set(case_ids)
            prepared = prepare(wanted)
            rounds.append(wanted)
            if len(rounds) == 1:
                app.call_from_thread(officer_saves_meanwhile)
            return prepared

        desk.prepare_reconcile = prepare_then_edit  # type: ignore[method-assign]

        # Central set up as the settings dialog saves it: the sync starts by itself.
        desk.save_central_config(CentralConfig(central.url, token))
        sync_ui.start()
        typed = ""
        for letter in " two three":
            await pilot.press(letter)  # one key at a time, each with the app running between
            typed += letter

        def all_on_disk() -> bool:
            summaries = desk.store.summaries()
            return (
                sync_ui.state is not None
                and sync_ui.state.pending == 0
                and not desk.saver.pending
                and all(not s["referrals_queued"] for s in summaries.values())
            )

        await wait_until(pilot, all_on_disk, "every referral acknowledged and reconciled on disk")
        assert rounds and opened not in rounds[0]  # the open case goes through its screen
        await wait_until(
            pilot,
            lambda: all(r.state is ReferralState.ACKNOWLEDGED for r in screen.case.referrals),
            "the open case's referral to be acknowledged on screen",
        )
        [referral] = screen.case.referrals
        card = f"#referral-text-{referral.id}"

        def card_text() -> str:
            found = screen.query(card)
            return found.first().render().plain if found else ""

        await wait_until(
            pilot, lambda: "receipt CR-" in card_text(), "the receipt on the open case's card"
        )
        assert field.value.endswith(" one" + typed)
        expected = field.value
        await pilot.press("escape")  # back to the list: what was typed is committed
        await settle(pilot)
        assert isinstance(app.screen, DutyListScreen)
        assert "referral queued" not in screen_text(app)
        await pilot.press("ctrl+q")
        await settle(pilot)

    stored = read_cases(data_dir)
    assert len(stored) == MANY
    for case_id in ids:
        [referral] = stored[case_id].referrals
        assert referral.state is ReferralState.ACKNOWLEDGED, case_id
        assert referral.receipt.startswith("CR-"), case_id
    assert stored[edited].court == "Example Family Court annex"
    assert stored[opened].parties[0].constraints.work == expected


async def test_counts_replaced_before_they_start_leave_no_coroutine_behind(
    make_app, data_dir, central, token
):
    """Saves in quick succession each ask for a new count of what is waiting; the newer one
    replaces the older (exclusive). A count replaced before it started used to leave its
    coroutine never awaited: a RuntimeWarning at the end of the session."""
    import gc
    import warnings

    make_store(data_dir, queueable_cases())
    configure(data_dir, central.url, token)
    app = make_app()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with app.run_test(size=SIZE) as pilot:
            await unlock(pilot)
            assert app.sync_ui is not None
            for _ in range(5):
                app.sync_ui.recount()
            await settle(pilot)
        gc.collect()
    never_awaited = [w for w in caught if "never awaited" in str(w.message)]
    assert not never_awaited, [str(w.message) for w in never_awaited]
