"""English or Cymraeg: asked once, in both languages at once, when the officer's profile has no
language yet (the first run, or a profile saved before the app spoke Welsh).

Both languages are on the dialog together, whatever language the app guessed from the system:
an officer who reads only one of them can still choose. The words are therefore not looked up
in a catalog. The choice is kept in the officer's profile (the encrypted settings); Escape keeps
the language the app is in and keeps that, so the question is not asked at every unlock. The
palette's "Cymraeg / English" changes it at any time.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from duty_tui.i18n import ENGLISH, LANGUAGE_NAMES, WELSH

# Bilingual on purpose, never translated (see above).
HEADING = "English / Cymraeg"
QUESTION = "Which language would you like to use? · Pa iaith hoffech chi ei defnyddio?"
LATER = (
    "You can change it later: ctrl+p, Cymraeg / English. · "
    "Gallwch ei newid wedyn: ctrl+p, Cymraeg / English."
)
KEYS = "e English · c Cymraeg · Escape"


class LanguageChoiceScreen(ModalScreen[str]):
    """Dismissed with "en" or "cy"; Escape gives the language the app is in now."""

    CSS_PATH = "dialog.tcss"
    AUTO_FOCUS = "#lang-cy"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "choose('en')", LANGUAGE_NAMES[ENGLISH], id="language.english"),
        Binding("c", "choose('cy')", LANGUAGE_NAMES[WELSH], id="language.welsh"),
        Binding("escape", "keep", HEADING, show=False, id="language.keep"),
    ]
    help_title = HEADING

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="language-box", classes="dialog"):
            yield Static(HEADING, classes="dialog-title")
            yield Static(QUESTION)
            with Horizontal(classes="buttons"):
                # Cymraeg first and focused: the dialog is there for the officer who would
                # rather have Welsh; English is one Tab (or e) away.
                yield Button(LANGUAGE_NAMES[WELSH], id="lang-cy", compact=True)
                yield Button(LANGUAGE_NAMES[ENGLISH], id="lang-en", compact=True)
            yield Static(LATER, classes="explain")
            yield Static(KEYS, classes="explain")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(WELSH if event.button.id == "lang-cy" else ENGLISH)

    def action_choose(self, lang: str) -> None:
        self.dismiss(lang)

    def action_keep(self) -> None:
        self.dismiss(self.current)
