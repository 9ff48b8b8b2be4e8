"""Binding descriptions in the officer's language.

A screen's BINDINGS are made once, when its class is defined, so their descriptions are marked
with ``N_`` (English msgids) and looked up here when the screen is mounted: the footer and the
help then show them in the language of that moment.
"""

from __future__ import annotations

import dataclasses

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

from duty_tui.i18n import _


def translate_bindings(node: DOMNode) -> None:
    """Replace the descriptions of ``node``'s bindings by their translation.

    The English msgid is found again in the class's BINDINGS each time, so a second switch
    translates from English, not from the previous translation. Textual keeps the live bindings
    in ``_bindings`` (no public setter for a description); Binding is frozen, so each is
    replaced."""
    by_id: dict[str, str] = {}
    by_key: dict[tuple[str, str], str] = {}
    for cls in type(node).__mro__:
        for binding in getattr(cls, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.description:
                if binding.id:
                    by_id.setdefault(binding.id, binding.description)
                for key in binding.key.split(","):
                    by_key.setdefault((key.strip(), binding.action), binding.description)
    live = node._bindings.key_to_bindings
    for key, bindings in list(live.items()):
        translated = []
        for binding in bindings:
            # By id first: a keymap (config.toml) may have moved the binding to other keys.
            msgid = by_id.get(binding.id or "") or by_key.get((key, binding.action))
            if msgid:
                binding = dataclasses.replace(binding, description=_(msgid))
            translated.append(binding)
        # A new list, never the old one changed in place: Textual's copy of a class's bindings
        # for each instance is shallow, so the lists are the class's own, and a translation
        # written into them outlived the language (English screens made later read "Hidlo").
        live[key] = translated


class Relabel:
    """A screen that can say its own words again in the current language without being built
    again: what is typed, the focus and the scroll position stay."""

    def relabel(self) -> None:
        raise NotImplementedError


def relabel_all(app: App[object]) -> None:
    """After a change of language: every screen of the stack translates its bindings and, if
    it knows how, its words; the footer is drawn again. Widgets that keep their own words
    (``say_again``: fields' labels, section titles, buttons, the sync line; see
    duty_tui/widgets/words.py) say them first, so a screen's relabel sees them done."""
    for screen in app.screen_stack:
        translate_bindings(screen)
        for widget in screen.query("*"):
            again = getattr(widget, "say_again", None)
            if callable(again):
                again()
        if isinstance(screen, Relabel):
            screen.relabel()
    app.refresh_bindings()
