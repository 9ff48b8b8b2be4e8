"""Widgets named as the officer sees them: a field by its label, a button by its words.

F1 and the app's notices talk about "Role" or "the Keep button", never a class name."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, Select

from duty_tui.i18n import N_, _


def officer_name(node: Any) -> str:
    """The name on screen of a widget the officer may be in (its label, its words), or ""."""
    select = open_list_of(node)
    if select is not None:
        # The open list of a dropdown is the dropdown, as far as the officer can tell.
        return officer_name_of(select) or _("the list")
    return officer_name_of(node)


def open_list_of(node: Any) -> Select[Any] | None:
    """The dropdown whose open list ``node`` is (the only focusable inside a Select), or None."""
    parent = getattr(node, "parent", None)
    return parent if isinstance(parent, Select) and node is not parent else None


def button_words(button: Button) -> str:
    """A button's words without the key hint: "Keep (ctrl+s)" is "Keep"."""
    return str(button.label).split(" (")[0].strip()


def officer_name_of(node: Any) -> str:
    named = getattr(node, "help_name", None)
    if named:
        # Class-level names are msgids (N_); a FieldRow's label is already translated, and
        # looking up a translation again finds nothing and returns it as it is.
        return _(str(named))
    if isinstance(node, Button):
        words = button_words(node)
        return _("the {words} button").format(words=words) if words else _("the button")
    for ancestor in getattr(node, "ancestors", ()):
        label = getattr(ancestor, "label", None)
        if isinstance(label, str) and label:
            return label  # a FieldRow
    return _kind(node)


def _kind(node: Any) -> str:
    """What kind of thing an unnamed widget is, in the officer's words."""
    if getattr(node, "password", False):
        return _("the passphrase")
    for cls in type(node).__mro__:
        if cls.__name__ in _KINDS:
            return _(_KINDS[cls.__name__])
    return ""


_KINDS = {
    "Input": N_("the text field"),
    "Select": N_("the list"),
    "Checkbox": N_("the tick box"),
    "DataTable": N_("the table"),
    "OptionList": N_("the list"),
    "TextArea": N_("the text box"),
    "VerticalScroll": N_("the text"),
}
