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
    """Replace the descriptions of ``node``'s bindings by their translation. The msgid is kept
    (``tooltip`` is not it: the English description is found again from the class)."""
    english: dict[tuple[str, str], str] = {}
    for cls in type(node).__mro__:
        for binding in getattr(cls, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.description:
                english.setdefault((binding.key, binding.action), binding.description)
    for key, bindings in node._bindings.key_to_bindings.items():
        for index, binding in enumerate(bindings):
            msgid = next(
                (
                    text
                    for (keys, action), text in english.items()
                    if action == binding.action and key in keys.split(",")
                ),
                None,
            )
            if msgid:
                bindings[index] = dataclasses.replace(binding, description=_(msgid))


class Relabel:
    """A screen that can say its own words again in the current language without being built
    again: what is typed, the focus and the scroll position stay."""

    def relabel(self) -> None:
        raise NotImplementedError


def relabel_all(app: App[object]) -> None:
    """After a change of language: every screen of the stack translates its bindings and, if
    it knows how, its words; the footer is drawn again."""
    for screen in app.screen_stack:
        translate_bindings(screen)
        if isinstance(screen, Relabel):
            screen.relabel()
    app.refresh_bindings()
