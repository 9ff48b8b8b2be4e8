"""F1: the keys that work right now, for the focused field, this screen and the whole app.

Built from ``Screen.active_bindings`` at the moment F1 is pressed, so it shows the user's
keymap, not the defaults. Descriptions are English msgids wherever they are declared (this
app's ``N_``, Textual's own widgets below) and are translated here, as the key line does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from duty_tui.i18n import N_, _
from duty_tui.screens.translated import Relabel
from duty_tui.widgets.names import button_words, officer_name
from duty_tui.widgets.plain import plain

if TYPE_CHECKING:
    from textual.dom import DOMNode

# Keys officers do not need listed: Textual's own plumbing, and scrolling (the arrows and page
# keys do what anyone expects).
_HIDDEN_ACTIONS = {"help_quit", "maximize", "minimize"}
_HIDDEN_PREFIXES = ("scroll_", "page_")

# Textual's own widgets' key descriptions that F1 lists (it hides scrolling), marked here so that
# the catalogs hold them: help and the key line translate every description they show.
TEXTUAL_DESCRIPTIONS = (
    N_("Move cursor left"),
    N_("Move cursor left and select"),
    N_("Move cursor left a word"),
    N_("Move cursor left a word and select"),
    N_("Move cursor right or accept the completion suggestion"),
    N_("Move cursor right and select"),
    N_("Move cursor right a word"),
    N_("Move cursor right a word and select"),
    N_("Delete character left"),
    N_("Select all"),
    N_("Go to start"),
    N_("Go to end"),
    N_("Select line start"),
    N_("Select line end"),
    N_("Delete character right"),
    N_("Submit"),
    N_("Delete left to start of word"),
    N_("Delete all to the left"),
    N_("Delete right to start of word"),
    N_("Delete all to the right"),
    N_("Cut selected text"),
    N_("Copy selected text"),
    N_("Paste text from the clipboard"),
    N_("Show menu"),
    N_("Select"),
    N_("Cursor up"),
    N_("Cursor down"),
    N_("Cursor right"),
    N_("Cursor left"),
    N_("Top"),
    N_("Bottom"),
    N_("Home"),
    N_("End"),
    N_("Press button"),
    N_("Down"),
    N_("Up"),
    N_("Last"),
    N_("First"),
    N_("Focus Next"),
    N_("Focus Previous"),
)


def _describe(node: DOMNode, screen: Screen) -> str:
    """Where a group of keys works, named as the officer sees it: a field by its label, a
    button by its words; never a class name ("This field (Button)" meant nothing)."""
    if node is screen.app:
        return _("Everywhere")
    if node is screen:
        return _("This screen")
    if node is screen.focused and isinstance(node, Button):
        return _("This button: {words}").format(words=button_words(node))
    name = officer_name(node) or _("this part of the screen")
    if node is screen.focused:
        return _("This field: {name}").format(name=name)
    return name[0].upper() + name[1:]


def screen_title(screen: Screen) -> str:
    """The screen's name for the officer: its help title (a msgid), else its title, never a
    class."""
    help_title = getattr(screen, "help_title", None)
    if help_title:
        return _(help_title)
    return screen.title or _("This screen")


class HelpScreen(Relabel, ModalScreen[None]):
    CSS_PATH = "dialog.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", N_("Close help"), id="help.close"),
    ]

    def __init__(
        self,
        sections: list[tuple[str, list[tuple[str, str]]]],
        title: str,
        about: Screen | None = None,
    ) -> None:
        super().__init__()
        self.sections = sections
        self.screen_title = title
        # The screen the keys are of: read again when the language changes.
        self._about = about

    def relabel(self) -> None:
        if self._about is not None:
            again = HelpScreen.for_screen(self._about)
            self.sections, self.screen_title = again.sections, again.screen_title
        self.refresh(recompose=True)

    @classmethod
    def for_screen(cls, screen: Screen) -> HelpScreen:
        """The bindings active on ``screen`` now, grouped by where they come from."""
        app = screen.app
        groups: dict[int, tuple[str, dict[str, list[str]]]] = {}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if (
                binding.system
                or not binding.description
                or binding.action in _HIDDEN_ACTIONS
                or binding.action.startswith(_HIDDEN_PREFIXES)
            ):
                continue
            _title, rows = groups.setdefault(id(active.node), (_describe(active.node, screen), {}))
            display = app.get_key_display(binding.with_key(key, key_display=None))
            # One row per action: "home / ctrl+a  Go to start".
            rows.setdefault(_(binding.description), []).append(display)
        # The screen's own keys and the app's first; the focused field's editing keys (many,
        # and the same in every field) after them.
        focused_id = id(screen.focused)
        sections = [
            (title, [(" / ".join(keys), description) for description, keys in rows.items()])
            for node_id, (title, rows) in sorted(groups.items(), key=lambda i: i[0] == focused_id)
        ]
        return cls(sections, screen_title(screen), screen)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(
                plain(_("Keys: {screen}").format(screen=self.screen_title)), id="help-title"
            )
            for title, rows in self.sections:
                table = Table.grid(padding=(0, 2))
                table.add_column(style="bold", min_width=14)
                table.add_column()
                for key, description in rows:
                    table.add_row(Text(key), Text(description))
                yield Static(plain(title), classes="help-section")
                yield Static(table)
            yield Static(_("Escape closes this help."), classes="explain")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
