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


# --- switching on the working screens, from the palette -------------------------------------


async def _switch_from_palette(pilot) -> None:
    """ctrl+p, type the command's name, Enter: as an officer switches."""
    from textual.command import CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*"cymraeg")
    await wait_until(pilot, lambda: "Cymraeg / English" in screen_text(app))
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))
    await settle(pilot)


async def test_case_screen_switches_while_typing_keeping_text_and_focus(
    stored: Path, make_app: Callable[..., DutyApp]
) -> None:
    from duty_tui.screens.case import CaseScreen
    from duty_tui.widgets.field import FieldInput, FieldRow

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await settle(pilot)
        row = app.screen.query_one("#f-party-party0000-constraints-work", FieldRow)
        field = row.control
        assert isinstance(field, FieldInput)
        field.focus()
        await pilot.press("end", *" and Fridays")
        typed = field.value
        assert typed.endswith(" and Fridays")
        assert "Hearing" in screen_text(app)

        await _switch_from_palette(pilot)

        assert i18n.current_language() == "cy"
        await wait_until(pilot, lambda: "Gwrandawiad" in screen_text(app))
        shown = screen_text(app)
        # Section titles, field labels, buttons and the key line, all in Welsh, in place.
        for welsh in ("Partïon", "Rhif achos", "Amseroedd gwaith", "Ceisydd"):
            assert welsh in shown, welsh
        # Off screen too: the buttons further down say their words again.
        add_child = app.screen.query_one("#add-child", Button)
        assert add_child.label.plain == "Ychwanegu plentyn"
        assert "Rhestr ddyletswydd" in shown  # the key line: escape
        assert "Hearing" not in shown and "Work times" not in shown
        # What was being typed is still there, and the officer is still typing in it.
        assert app.focused is field
        assert field.value == typed
        await pilot.press(*" only")
        assert field.value == typed + " only"


async def test_duty_list_switches_keeping_the_filter_and_its_focus(
    stored: Path, make_app: Callable[..., DutyApp]
) -> None:
    from duty_tui.screens.duty_list import DutyFilter

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("slash", *"ffug")
        await settle(pilot)
        field = app.screen.query_one(DutyFilter)
        assert app.focused is field and field.value == "ffug"

        await _switch_from_palette(pilot)

        await wait_until(pilot, lambda: "Rhif achos" in screen_text(app))
        shown = screen_text(app)
        assert "Partïon" in shown and "yn cyfateb" in shown
        assert "Case number" not in shown
        assert app.focused is field and field.value == "ffug"


async def test_palette_commands_are_in_welsh_and_match_without_accents(
    stored: Path, make_app: Callable[..., DutyApp]
) -> None:
    from textual.command import CommandPalette

    from duty_tui.screens.case import CaseScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await settle(pilot)
        await _switch_from_palette(pilot)
        # "Partïon" typed without its diaeresis, as on an English keyboard.
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"adran: partion")
        await wait_until(pilot, lambda: "Mynd i’r adran: Partïon" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await settle(pilot)
        parties = app.screen.query_one("#section-parties")
        assert app.focused is not None and parties in app.focused.ancestors


# --- the first run asks, in both languages ---------------------------------------------------


async def test_unchosen_language_is_asked_in_both_languages_and_kept(
    stored: Path, make_app: Callable[..., DutyApp]
) -> None:
    from duty_tui.screens.duty_list import DutyListScreen
    from duty_tui.screens.language import LanguageChoiceScreen

    app = make_app(ask_language=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, LanguageChoiceScreen))
        await settle(pilot)
        shown = screen_text(app)
        assert "Which language would you like to use?" in shown
        assert "Pa iaith hoffech chi ei defnyddio?" in shown
        assert "English" in shown and "Cymraeg" in shown
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, DutyListScreen))
        await settle(pilot)
        assert i18n.current_language() == "cy"
        assert "Rhif achos" in screen_text(app)
    store = Store.open(stored, PASSPHRASE)
    try:
        profile = load_profile(store)
    finally:
        store.close()
    assert profile is not None and profile.language == "cy"

    # Chosen: not asked again.
    i18n.set_language(i18n.ENGLISH)
    again = make_app(ask_language=True)
    async with again.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await settle(pilot)
        assert isinstance(again.screen, DutyListScreen)
        assert i18n.current_language() == "cy"


async def test_a_language_given_is_not_asked_about(
    stored: Path, make_app: Callable[..., DutyApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    from duty_tui.screens.duty_list import DutyListScreen

    monkeypatch.setenv("DUTY_TUI_LANG", "en")
    app = make_app(ask_language=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await settle(pilot)
        assert isinstance(app.screen, DutyListScreen)
    store = Store.open(stored, PASSPHRASE)
    try:
        profile = load_profile(store)
    finally:
        store.close()
    assert profile is not None and profile.language is None


def test_a_translated_key_description_stays_with_its_screen():
    """Textual's copy of a class's bindings for each instance is shallow: translating one
    screen's keys in place used to write Welsh into the class's own lists, so every screen of
    that class made later showed "Hidlo" for "/" whatever the language."""
    from typing import ClassVar

    from textual.binding import Binding, BindingType
    from textual.screen import Screen

    from duty_tui.i18n import N_
    from duty_tui.screens.translated import translate_bindings

    class Keys(Screen):
        BINDINGS: ClassVar[list[BindingType]] = [
            Binding("slash", "filter", N_("Filter"), id="t.filter")
        ]

    def description(screen: Screen) -> str:
        return screen._bindings.key_to_bindings["slash"][0].description

    welsh_screen = Keys()
    try:
        i18n.set_language("cy")
        translate_bindings(welsh_screen)
    finally:
        i18n.set_language("en")
    assert description(welsh_screen) == "Hidlo"
    assert description(Keys()) == "Filter"
