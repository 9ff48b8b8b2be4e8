"""Binding descriptions in the officer's language.

A screen's BINDINGS are made once, when its class is defined, so their descriptions are marked
with ``N_`` (English msgids) and looked up here when the screen is mounted: the footer and the
help then show them in the language of that moment.
"""

from __future__ import annotations

import dataclasses

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
