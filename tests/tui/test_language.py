"""Cymraeg / English: switching language live, from the palette's action, as an officer would.

The switch must not lose what is being typed nor move the focus, and the choice is kept in
the officer's profile (the encrypted settings).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from duty_tui import i18n
from duty_tui.app import DutyApp
from duty_tui.config import load_profile
from duty_tui.screens.prompt import PromptScreen
from store import Store
from tests.tui.conftest import PASSPHRASE, screen_text, settle, unlock, wait_until


@pytest.fixture(autouse=True)
def english_after(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("DUTY_TUI_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    i18n.set_language(i18n.ENGLISH)


async def test_switching_language_keeps_typed_text_and_focus(
    stored: Path, make_app: Callable[..., DutyApp]
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        app.push_screen(PromptScreen("Why is it withdrawn?", "Reason"))
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"the family agreed")
        field = app.screen.query_one("#prompt-answer", Input)
        assert app.focused is field
        assert "Cancel" in screen_text(app)

        await app.run_action("app.switch_language")
        await settle(pilot)

        shown = screen_text(app)
        assert "Canslo" in shown and "Enter yn cadarnhau" in shown
        assert "Cancel" not in shown
        assert field.value == "the family agreed"
        assert app.focused is field
        assert app.screen.query_one("#ok", Button).label.plain == "Iawn"

        await pilot.press(*" today")
        await app.run_action("app.switch_language")
        await settle(pilot)
        assert "Cancel" in screen_text(app)
        assert field.value == "the family agreed today"
        # Typing goes on where it was: the focus never left the field.
        assert app.focused is field
        await app.run_action("app.switch_language")  # Welsh again, to be kept
        await settle(pilot)
    store = Store.open(stored, PASSPHRASE)
    try:
        profile = load_profile(store)
    finally:
        store.close()
    assert profile is not None and profile.language == "cy"


async def test_the_profile_language_is_used_after_unlock(
    stored: Path, make_app: Callable[..., DutyApp]
) -> None:
    import dataclasses

    from duty_tui.config import save_profile

    store = Store.open(stored, PASSPHRASE)
    try:
        profile = load_profile(store)
        assert profile is not None
        save_profile(store, dataclasses.replace(profile, language="cy"))
    finally:
        store.close()
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert i18n.current_language() == "en"
        await unlock(pilot)
        assert i18n.current_language() == "cy"
        app.push_screen(PromptScreen("?", "Reason"))
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await settle(pilot)
        assert "Canslo" in screen_text(app)


async def test_lang_option_wins_over_the_profile(
    stored: Path, make_app: Callable[..., DutyApp]
) -> None:
    app = make_app(lang="en")
    store = Store.open(stored, PASSPHRASE)
    try:
        import dataclasses

        from duty_tui.config import save_profile

        profile = load_profile(store)
        assert profile is not None
        save_profile(store, dataclasses.replace(profile, language="cy"))
    finally:
        store.close()
    async with app.run_test(size=(100, 30)) as pilot:
        await unlock(pilot)
        assert i18n.current_language() == "en"
