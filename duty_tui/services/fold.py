"""Folding text for search, so Welsh letters match what an officer types on an English keyboard.

Welsh writes the circumflex (to bach: â ê î ô û ŵ ŷ) and the diaeresis (ï, ë) on vowels, and most
keyboards at court have no easy way to type them: "gwenllian" must find "Gwenllïan", "pyr" must
find "Pŷr". Folding is Unicode case folding, then canonical decomposition (NFD), then dropping
the combining marks that decomposition splits off the letters. Both the text searched and what
is typed are folded the same way, so a search typed with the accents still matches.

Pure functions; the search (services/duty_index.py) and the command palette call them.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``text`` without case or accents: ``fold("Gwenllïan Ŵyn") == "gwenllian wyn"``.

    Marks are dropped only after NFD, so a letter that is not a base letter plus a mark (ø, ł,
    æ) stays as it is rather than vanishing. The result is left decomposed, not composed again:
    composing can join neighbours (Hangul jamo), and then a part of a text would no longer be
    found in it. Compare folded text only with folded text.
    """
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded_contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` is in ``haystack``, both folded (the empty needle is in everything)."""
    return fold(needle) in fold(haystack)
