"""A labelled form field with the reason for a bad value shown beside it.

The value widget carries the field's key (see :mod:`duty_tui.widgets.case_fields`) so a screen
can route its messages without a lookup table. Labels and errors are plain text: an error
message quotes what was typed, and what was typed may look like markup.

A label, a placeholder and a dropdown's choices given as English msgids (``msgid=``,
``placeholder_msgid=``, ``choice_msgids=``) are said again in the new language when the
officer switches (``say_again``), without rebuilding the field: its text and focus stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from duty_tui.i18n import _
from duty_tui.widgets.plain import plain


class FieldInput(Input):
    """An Input that knows which field it edits."""

    def __init__(
        self, key: str, value: str = "", *, placeholder_msgid: str = "", **kwargs: Any
    ) -> None:
        if placeholder_msgid:
            kwargs["placeholder"] = _(placeholder_msgid)
        super().__init__(value=value, **kwargs)
        self.key = key
        self.placeholder_msgid = placeholder_msgid

    def say_again(self) -> None:
        if self.placeholder_msgid:
            self.placeholder = _(self.placeholder_msgid)


class FieldSelect(Select[str]):
    """A Select of fixed choices (enum values) that knows which field it edits."""

    def __init__(
        self,
        key: str,
        options: Iterable[tuple[str, str]],
        value: str,
        *,
        translate: bool = False,
        **kwargs: Any,
    ):
        """``translate``: the options' labels are English msgids, shown translated."""
        options = list(options)
        self.choice_msgids = options if translate else None
        super().__init__(
            self._translated_options(options), value=value, allow_blank=False, **kwargs
        )
        self.key = key

    def _translated_options(self, options: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if self.choice_msgids is None:
            return options
        return [(_(label), value) for label, value in options]

    def say_again(self) -> None:
        if self.choice_msgids is None:
            return
        value = self.value
        # Setting the options picks the first one: no Changed may reach the screen, which
        # would take it for the officer's choice and save it.
        with self.prevent(Select.Changed):
            self.set_options(self._translated_options(self.choice_msgids))
            self.value = value


class FieldRow(Horizontal):
    """label | value widget | reason the value was refused (empty when it was accepted)."""

    DEFAULT_CSS = """
    FieldRow { height: auto; }
    """

    def __init__(
        self, label: str, control: Widget, *, error: str = "", msgid: str = "", **kwargs: Any
    ) -> None:
        """``msgid``: the label's English msgid, to say it again after a change of language."""
        super().__init__(**kwargs)
        self.label = label
        self.msgid = msgid
        self.control = control
        # F1 names the focused field by its label.
        control.help_name = label  # type: ignore[attr-defined]
        self.error = error
        self.set_class(bool(error), "-invalid")

    def compose(self) -> ComposeResult:
        yield Static(plain(self.label), classes="field-label")
        yield self.control
        yield Static(plain(self.error), classes="field-error")

    def say_again(self) -> None:
        if not self.msgid:
            return
        self.label = _(self.msgid)
        self.control.help_name = self.label  # type: ignore[attr-defined]
        self.query_one(".field-label", Static).update(plain(self.label))

    def show_error(self, message: str | None) -> None:
        self.error = message or ""
        self.query_one(".field-error", Static).update(plain(self.error))
        self.set_class(bool(message), "-invalid")
