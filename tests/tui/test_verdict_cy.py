"""The suitability reasons dialog in Welsh (issue 12): the rules' reasons in the officer's
language, reached as an officer reaches them (unlock, open the case, the palette's suitability
matrix, Enter on a verdict)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from duty_tui import i18n

from .conftest import SIZE, settle, unlock, wait_until


@pytest.fixture(autouse=True)
def english_after(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("DUTY_TUI_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    i18n.set_language(i18n.ENGLISH)


def _shown(app) -> str:
    """The dialog's words as one line: read from its own widgets, since a reason wraps inside
    the dialog's border beside the case screen's text behind it."""
    from textual.widgets import Static

    words = " ".join(str(w.render()) for w in app.screen.query(Static))
    return " ".join(words.split())


async def _explain(pilot) -> None:
    await unlock(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("ctrl+p", *"addasrwydd: dewis", "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_reasons_are_welsh(make_app, stored) -> None:
    app = make_app(lang="cy")
    async with app.run_test(size=SIZE) as pilot:
        await _explain(pilot)
        await wait_until(pilot, lambda: "mae'r achos hwn yng Nghymru" in _shown(app))
        shown = _shown(app)
        # The first verdict is Working Together for Children for the applicant, in Wales.
        assert "Working Together for Children (WT4C) yn cael ei gynnal yng Nghymru" in shown, shown
        assert "runs in Wales" not in shown


def test_verdict_reasons_cy(snap_compare, make_app, stored) -> None:
    assert snap_compare(make_app(lang="cy"), run_before=_explain, terminal_size=SIZE)
