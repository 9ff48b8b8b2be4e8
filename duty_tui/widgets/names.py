"""Widgets named as the officer sees them: a field by its label, a button by its words.

F1 and the app's notices talk about "Role" or "the Keep button", never a class name."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, Select


def officer_name(node: Any) -> str:
    """The name on screen of a widget the officer may be in (its label, its words), or ""."""
    select = open_list_of(node)
    if select is not None:
        # The open list of a dropdown is the dropdown, as far as the officer can tell.
        return officer_name_of(select) or "the list"
    return officer_name_of(node)


def open_list_of(node: Any) -> Select[Any] | None:
    """The dropdown whose open list ``node`` is (the only focusable inside a Select), or None."""
    parent = getattr(node, "parent", None)
    return parent if isinstance(parent, Select) and node is not parent else None


def officer_name_of(node: Any) -> str:
    named = getattr(node, "help_name", None)
    if named:
        return str(named)
    if isinstance(node, Button):
        words = str(node.label).split(" (")[0].strip()
        return f"the {words} button" if words else "the button"
    for ancestor in getattr(node, "ancestors", ()):
        label = getattr(ancestor, "label", None)
        if isinstance(label, str) and label:
            return label  # a FieldRow
    return ""
