"""Data on screen as plain text, never as markup or terminal control.

Names come from the keyboard, from imported files and from the store's index; any of them may
hold ``[red]`` or an escape sequence. Everything shown goes through :func:`plain`, which returns a
``rich.text.Text`` (never parsed as markup) with control characters replaced by a visible mark.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 and C1 controls (ESC among them), DEL, and the bidirectional overrides that can make text
# read differently from what is stored.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain_str(value: object, *, multiline: bool = False) -> str:
    """``value`` as text with every control character shown as "?" (newlines kept only when
    ``multiline``)."""
    text = "" if value is None else str(value)
    if multiline:
        return "\n".join(_UNSAFE.sub("?", line) for line in text.split("\n"))
    return _UNSAFE.sub("?", text)


def plain(value: object, style: str = "", *, multiline: bool = False) -> Text:
    return Text(plain_str(value, multiline=multiline), style=style)
