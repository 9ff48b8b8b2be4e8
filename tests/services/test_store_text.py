"""The passphrase policy's words (store/policy.py, English: store/ knows no gettext) are shown in
the officer's language, and every advice the policy can give is known to the app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from duty_tui import i18n
from duty_tui.services.store_text import _ADVICE, strength_words
from store import policy

SAMPLES = [
    "short",
    "abcdefghijkl",
    "password-password-1",
    "cafcass cymru court",
    "pryderi ffug a'r ddraig goch",
    "Tŷ bach twt ar y bryn, 2026! glaw",
    "correct horse battery staple on a wet monday",
]


def _advices_in_the_policy() -> set[str]:
    """Every literal advice passphrase_strength can give (its score-0 advice is formatted)."""
    tree = ast.parse(Path(policy.__file__).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            first, second = node.elts
            if isinstance(first, ast.Constant) and isinstance(first.value, int):
                if isinstance(second, ast.Constant) and isinstance(second.value, str):
                    found.add(second.value)
    return found


def test_every_advice_of_the_policy_is_known():
    assert _advices_in_the_policy() <= set(_ADVICE), _advices_in_the_policy() - set(_ADVICE)


@pytest.mark.parametrize("text", SAMPLES)
def test_the_strength_is_said_in_welsh(text):
    strength = policy.passphrase_strength(text)
    english = strength_words(strength)
    assert english == (strength.label, strength.advice)
    try:
        i18n.set_language("cy")
        welsh = strength_words(strength)
    finally:
        i18n.set_language("en")
    assert welsh[0] != english[0] and welsh[1] != english[1]
