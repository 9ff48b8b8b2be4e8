"""Data on screen as plain text, never as markup or terminal control.

Names come from the keyboard, from imported files and from the store's index; any of them may
hold ``[red]`` or an escape sequence. Everything shown goes through :func:`plain`, which returns a
``rich.text.Text`` (never parsed as markup) with control characters replaced by a visible mark.
"""

from __future__ import annotations

from rich.text import Text

from records.text import plain_str


def plain(value: object, style: str = "", *, multiline: bool = False) -> Text:
    return Text(plain_str(value, multiline=multiline), style=style)
