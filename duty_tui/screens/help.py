"""F1: the keys that work right now, for the focused field, this screen and the whole app.

Built from ``Screen.active_bindings`` at the moment F1 is pressed, so it shows the user's
keymap, not the defaults.
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

from duty_tui.widgets.names import button_words, officer_name
from duty_tui.widgets.plain import plain

if TYPE_CHECKING:
    from textual.dom import DOMNode

# Keys officers do not need listed: Textual's own plumbing, and scrolling (the arrows and page
# keys do what anyone expects).
_HIDDEN_ACTIONS = {"help_quit", "maximize", "minimize"}
_HIDDEN_PREFIXES = ("scroll_", "page_")


def _describe(node: DOMNode, screen: Screen) -> str:
    """Where a group of keys works, named as the officer sees it: a field by its label, a
    button by its words; never a class name ("This field (Button)" meant nothing)."""
    if node is screen.app:
        return "Everywhere"
    if node is screen:
        return "This screen"
    if node is screen.focused and isinstance(node, Button):
        return f"This button: {button_words(node)}"
    name = officer_name(node) or "this part of the screen"
    if node is screen.focused:
        return f"This field: {name}"
    return name[0].upper() + name[1:]


def screen_title(screen: Screen) -> str:
    """The screen's name for the officer: its help title, else its title, never a class."""
    return getattr(screen, "help_title", None) or screen.title or "This screen"


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "dialog.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]], title: str) -> None:
        super().__init__()
        self.sections = sections
        self.screen_title = title

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
            rows.setdefault(binding.description, []).append(display)
        # The screen's own keys and the app's first; the focused field's editing keys (many,
        # and the same in every field) after them.
        focused_id = id(screen.focused)
        sections = [
            (title, [(" / ".join(keys), description) for description, keys in rows.items()])
            for node_id, (title, rows) in sorted(groups.items(), key=lambda i: i[0] == focused_id)
        ]
        return cls(sections, screen_title(screen))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(plain(f"Keys: {self.screen_title}"), id="help-title")
            for title, rows in self.sections:
                table = Table.grid(padding=(0, 2))
                table.add_column(style="bold", min_width=14)
                table.add_column()
                for key, description in rows:
                    table.add_row(Text(key), Text(description))
                yield Static(plain(title), classes="help-section")
                yield Static(table)
            yield Static("Escape closes this help.", classes="explain")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
