"""Words on screen that follow the officer's language when it changes, in place.

Switching language must not rebuild a screen: what is typed, the focus and the scroll position
would go. So a widget whose words are the app's (not data) keeps how to say them, and says them
again when asked: ``say_again()``, which ``screens/translated.relabel_all`` calls on every
widget of every open screen that has it. Messages are English msgids (``N_``), translated at
the moment they are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.widgets import Button, Static

from duty_tui.i18n import _


def button(msgid: str, **kwargs: Any) -> Button:
    """A Button whose words are ``msgid`` in the current language, now and after a switch."""
    widget = Button(_(msgid), **kwargs)

    def again() -> None:
        widget.label = _(msgid)

    widget.say_again = again  # type: ignore[attr-defined]
    return widget


def note(make: Callable[[], str | Text], **kwargs: Any) -> Static:
    """A Static showing ``make()``, made again after a switch (``make`` translates)."""
    widget = Static(make(), **kwargs)

    def again() -> None:
        widget.update(make())

    widget.say_again = again  # type: ignore[attr-defined]
    return widget


def say_again_all(root: Any) -> None:
    """Every widget under ``root`` that knows its words says them again."""
    for widget in root.query("*"):
        again = getattr(widget, "say_again", None)
        if callable(again):
            again()
