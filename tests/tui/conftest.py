"""Fixtures for the app's tests: an isolated config dir and data dir, a fixed "today", cheap
Argon2 (the store offers ``KdfParams.for_tests()`` explicitly), no cursor blink, and a few
clearly fictional cases with fixed ids and dates so screenshots are stable."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Input

from duty_tui.app import DutyApp
from duty_tui.config import Config, OfficerProfile, save_profile
from records.model import (
    Answer,
    Case,
    Child,
    Hearing,
    Jurisdiction,
    Language,
    Officer,
    OfficerRole,
    Party,
    PartyRole,
    Screening,
    ScreeningAnswer,
)
from store import KdfParams, Store
from store.cases import CaseRepository

TODAY = dt.date(2026, 3, 16)  # a Monday
PASSPHRASE = "test passphrase for the tui"
OFFICER = Officer(name="Test Officer Ffug", role=OfficerRole.FCA)
COURT = "Example Family Court"
PROFILE = OfficerProfile(officer=OFFICER, court=COURT, jurisdiction=Jurisdiction.WALES)
SIZE = (120, 40)


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes screenshots depend on timing (harlequin does the same)."""
    monkeypatch.setattr(Input.cursor_blink, "_default", False)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUTY_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("DUTY_TUI_DATA_DIR", raising=False)
    monkeypatch.delenv("DUTY_TUI_PASSPHRASE", raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _party(name: str, role: PartyRole, postcode: str, n: int, **kw: Any) -> Party:
    return Party(name=name, role=role, postcode=postcode, id=f"party{n:04d}", **kw)


def _answered(answer: Answer) -> ScreeningAnswer:
    return ScreeningAnswer(
        answer=answer, answered_on=TODAY - dt.timedelta(days=7), answered_by="PC Example"
    )


def sample_cases() -> list[Case]:
    """Three hearings today, one tomorrow, one at another court: all fictional."""
    complete = Screening(
        police_check=_answered(Answer.NO),
        local_authority_check=_answered(Answer.NO),
        domestic_abuse=_answered(Answer.NO),
        other_harm=_answered(Answer.NO),
    )
    families = [
        ("ZZ26P00001", "Rhiannon Ffug", "Pwyll Ffug", "Pryderi Ffug", 0, COURT, complete),
        ("ZZ26P00002", "Alex Example", "Jordan Example", "Casey Example", 0, COURT, Screening()),
        ("ZZ26P00003", "Sam Sample", "Charlie Sample", "Robin Sample", 0, COURT, complete),
        ("ZZ26P00004", "Olwen Ffug", "Culhwch Ffug", "Goreu Ffug", 1, COURT, Screening()),
        (
            "ZZ26P00005",
            "Morgan Example",
            "Taylor Example",
            "Jamie Example",
            0,
            "Other Court",
            complete,
        ),
    ]
    cases = []
    for n, (number, applicant, respondent, child, offset, court, screening) in enumerate(families):
        cases.append(
            Case(
                case_number=number,
                court=court,
                jurisdiction=Jurisdiction.WALES,
                hearing=Hearing(date=TODAY + dt.timedelta(days=offset)),
                officer=OFFICER,
                parties=[
                    _party(
                        applicant, PartyRole.APPLICANT, "CF10 1AA", 2 * n, language=Language.WELSH
                    ),
                    _party(respondent, PartyRole.RESPONDENT, "CF14 3BB", 2 * n + 1),
                ],
                children=[Child(name=child, date_of_birth=dt.date(2019, 5, 1), id=f"child{n:04d}")],
                screening=screening,
                id=f"case{n:04d}",
            )
        )
    return cases


def make_store(data_dir: Path, cases: list[Case] | None = None, *, profile: bool = True) -> None:
    """A store on disk (then closed) holding ``cases`` and the officer's profile."""
    store = Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests())
    try:
        repo = CaseRepository(store)
        for case in cases if cases is not None else sample_cases():
            repo.save(case)
        if profile:
            save_profile(store, PROFILE)
    finally:
        store.close()


def read_cases(data_dir: Path) -> dict[str, Case]:
    """What is on disk, read back through a fresh Store (the app must have closed it)."""
    store = Store.open(data_dir, PASSPHRASE)
    try:
        repo = CaseRepository(store)
        return {case_id: repo.get(case_id) for case_id in repo.summaries()}
    finally:
        store.close()


@pytest.fixture
def stored(data_dir: Path) -> Path:
    make_store(data_dir)
    return data_dir


@pytest.fixture
def make_app(data_dir: Path) -> Callable[..., DutyApp]:
    def make(path: Path | None = None, **kwargs: Any) -> DutyApp:
        kwargs.setdefault("today", TODAY)
        kwargs.setdefault("kdf", KdfParams.for_tests())
        kwargs.setdefault("handle_signals", False)
        kwargs.setdefault("config", Config())
        return DutyApp(path or data_dir, **kwargs)

    return make


async def settle(pilot: Any) -> None:
    """Let workers (Argon2 in a thread) finish and the screen catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def unlock(pilot: Any, passphrase: str = PASSPHRASE) -> None:
    await pilot.press(*passphrase, "enter")
    await settle(pilot)


def screen_text(app: DutyApp) -> str:
    """Everything the terminal shows now, as text (the same render as a screenshot)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


async def wait_until(pilot: Any, condition: Callable[[], bool], *, timeout: float = 30.0) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s")
        await pilot.pause(0.01)


def open_case_in_terminal(terminal: Any, number: str = "p00001") -> None:
    """Unlock the real app in its terminal (tests/tui/ptyapp.py) and open the one case whose
    number holds ``number``, waiting for each screen before typing on."""
    terminal.wait_for("Type the passphrase")
    terminal.write(PASSPHRASE + "\r")
    terminal.wait_for("filter:")
    terminal.write("/" + number)
    terminal.wait_for("1 case matches")
    terminal.write("\r")
    terminal.wait_for("Hearing date")


def send_burst(app: Any, keys: list[str]) -> int:
    """Keys arriving together, as from one read of the terminal: all queued before any runs.
    Returns how many keys were sent."""
    from textual import events
    from textual.keys import _character_to_key

    for name in keys:
        if len(name) == 1:
            event = events.Key(_character_to_key(name), name)
        else:
            event = events.Key(name, None)
        app._driver.send_message(event)
    return len(keys)


async def wait_for_keys(pilot: Any, applied: int, *, timeout: float = 60.0) -> None:
    """Wait until the app has applied ``applied`` keys since it started (keys_applied counts
    every key that took effect, duty_tui/keyorder.py)."""
    await wait_until(pilot, lambda: pilot.app.keys_applied >= applied, timeout=timeout)


def notified(app: Any) -> str:
    """Every notification showing now, as one line of text (what the toasts say)."""
    return " | ".join(" ".join(n.message.split()) for n in app._notifications)
