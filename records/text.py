"""Cleaning free text that came from a keyboard, a file or the network.

Names and notes keep every letter (Welsh ŵ ŷ, accents, any script) but lose what could act on a
terminal or hide text: control characters, escape sequences, bidirectional overrides.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences, and the 8-bit
# C1 forms of CSI/OSC. Stripped as whole sequences so their parameters do not survive as text.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]            # CSI
    | (?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c|$)  # OSC, to BEL / ST / end
    | \x1b[PX^_].*?(?:\x1b\\|\x9c|$)            # DCS, SOS, PM, APC
    | \x1b[@-Z\\-_]                             # other Fe escapes
    """,
    re.VERBOSE | re.DOTALL,
)

# Bidi controls can make a name read differently from what is stored ("Trojan source").
_BIDI = dict.fromkeys(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)], None
)


class TextError(ValueError):
    """Text that cannot be accepted; the message says why and is safe to show. ``template``
    and ``params`` are the English sentence and its values, for the app to translate (as
    :class:`records.model.RecordError`'s)."""

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template.format(**params))
        self.template = template
        self.params = params


def clean_text(value: object, *, field: str, max_length: int, multiline: bool = False) -> str:
    """Return ``value`` as clean, NFC-normalised text, or raise :class:`TextError`.

    Whitespace runs collapse to one space (newlines kept when ``multiline``). Too-long text is
    refused, not cut: silently losing the end of a note is worse than being told.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TextError("{field} must be text", field=field)
    if value.isascii() and value.isprintable():
        # Most text: printable ASCII holds no escape sequence (ESC is a control), no bidi,
        # format or control character and is already NFC, so only the whitespace is left to
        # collapse (and no newline to keep). The general path below gives the same text,
        # char by char, about ten times slower: central validates every name of every
        # referral it receives with this.
        text = " ".join(value.split())
        if len(text) > max_length:
            raise TextError(
                "{field} is {length} characters long; the most allowed is {most}",
                field=field,
                length=len(text),
                most=max_length,
            )
        return text
    text = _ESCAPE_SEQUENCE.sub("", value)
    text = unicodedata.normalize("NFC", text.translate(_BIDI))
    kept: list[str] = []
    for char in text:
        if char in "\t\r\n":
            kept.append("\n" if multiline and char == "\n" else " ")
        elif unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            # Format characters (zero-width spaces and joiners, soft hyphens) go too: "Jo\u200bnes"
            # would show as "Jones" and never be found by searching for it.
            kept.append(char)
    text = "".join(kept)
    if multiline:
        lines = [" ".join(line.split()) for line in text.split("\n")]
        text = "\n".join(lines).strip("\n")
    else:
        text = " ".join(text.split())
    if len(text) > max_length:
        raise TextError(
            "{field} is {length} characters long; the most allowed is {most}",
            field=field,
            length=len(text),
            most=max_length,
        )
    return text


def shown(value: object, *, limit: int = 200) -> str:
    """Text from outside (a file, the network) made safe to quote in a message: every control,
    format or bidi character written as an escape (``\\x1b``), and cut at ``limit`` characters.
    A message that quotes input can then neither move the cursor nor recolour a terminal."""
    text = "" if value is None else str(value)
    out: list[str] = []
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") or ord(char) in _BIDI:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
        if len(out) >= limit:
            out.append("…")
            break
    return "".join(out)


def read_bounded(path: Path, limit: int) -> bytes:
    """A file's bytes, reading at most ``limit`` + 1 of them: a huge file, a device or a pipe
    is refused by size without being read into memory. TooLarge when over ``limit``."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"larger than {limit // 2**20} MiB")
    return data


class TooLarge(ValueError):
    """A file over the size limit (the message says the limit)."""


def network_text(value: Any, limit: int) -> str:
    """Text from the network, made safe to store and show (no escapes, bounded)."""
    if not isinstance(value, str):
        return ""
    return clean_text(value[: limit * 2], field="text", max_length=10**6)[:limit]


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
