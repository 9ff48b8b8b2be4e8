"""A labelled form field with the reason for a bad value shown beside it.

The value widget carries the field's key (see :mod:`duty_tui.widgets.case_fields`) so a screen
can route its messages without a lookup table. Labels and errors are plain text: an error
message quotes what was typed, and what was typed may look like markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from duty_tui.widgets.plain import plain


class FieldInput(Input):
    """An Input that knows which field it edits."""

    def __init__(self, key: str, value: str = "", **kwargs: Any) -> None:
        super().__init__(value=value, **kwargs)
        self.key = key


class FieldSelect(Select[str]):
    """A Select of fixed choices (enum values) that knows which field it edits."""

    def __init__(self, key: str, options: Iterable[tuple[str, str]], value: str, **kwargs: Any):
        super().__init__(list(options), value=value, allow_blank=False, **kwargs)
        self.key = key


class FieldRow(Horizontal):
    """label | value widget | reason the value was refused (empty when it was accepted)."""

    DEFAULT_CSS = """
    FieldRow { height: auto; }
    """

    def __init__(self, label: str, control: Widget, *, error: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.control = control
        # F1 names the focused field by its label.
        control.help_name = label  # type: ignore[attr-defined]
        self.error = error
        self.set_class(bool(error), "-invalid")

    def compose(self) -> ComposeResult:
        yield Static(plain(self.label), classes="field-label")
        yield self.control
        yield Static(plain(self.error), classes="field-error")

    def show_error(self, message: str | None) -> None:
        self.error = message or ""
        self.query_one(".field-error", Static).update(plain(self.error))
        self.set_class(bool(message), "-invalid")
