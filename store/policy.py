"""The passphrase policy: one rule for every way a store gets a passphrase (the app's set-up,
``duty-tui import`` creating a store, changing the passphrase in the app or the CLI).

A rough strength estimate: long phrases of ordinary words score well, short or repetitive ones
badly. The store's Argon2id makes each guess slow; the passphrase still has to be worth guessing
slowly. The app shows the estimate while a new passphrase is typed; the store refuses one below
"fair" (:func:`check_new_passphrase`).
"""

from __future__ import annotations

import math

import attrs

from store.errors import StoreError

MIN_LENGTH = 12
# Guesses an attacker tries first; a passphrase made mostly of these is weak.
_COMMON = (
    "password", "passw0rd", "cafcass", "cymru", "letmein", "qwerty", "123456", "abcdef",
    "welcome", "court", "family", "iloveyou", "monkey", "dragon",
)  # fmt: skip
LABELS = ("too short", "weak", "fair", "good", "strong")
ACCEPTABLE = 2  # "fair" and up may be used


@attrs.frozen
class Strength:
    score: int  # 0..4, an index into LABELS
    advice: str

    @property
    def label(self) -> str:
        return LABELS[self.score]

    @property
    def acceptable(self) -> bool:
        return self.score >= ACCEPTABLE


def _pool(text: str) -> int:
    pool = 0
    if any(c.islower() for c in text):
        pool += 26
    if any(c.isupper() for c in text):
        pool += 26
    if any(c.isdigit() for c in text):
        pool += 10
    if any(not c.isalnum() and c.isascii() for c in text):
        pool += 33
    if any(not c.isascii() for c in text):
        pool += 100
    return max(pool, 1)


def _effective_length(text: str) -> float:
    """Length, with repeats and runs like "aaaa" or "1234" counting for little."""
    length = 0.0
    for previous, char in zip(" " + text, text, strict=False):
        step = ord(char) - ord(previous)
        length += 0.25 if step in (-1, 0, 1) else 1.0
    return length


class WeakPassphrase(StoreError, ValueError):
    """A new passphrase the policy refuses; the message says why and how to do better (it never
    repeats the passphrase)."""


def check_new_passphrase(text: object) -> str:
    """``text`` if it may protect a store; WeakPassphrase with the advice otherwise."""
    if not isinstance(text, str) or not text:
        raise WeakPassphrase("the passphrase must be a non-empty string")
    strength = passphrase_strength(text)
    if not strength.acceptable:
        raise WeakPassphrase(f"the passphrase is {strength.label}: {strength.advice}")
    return text


def passphrase_strength(text: str) -> Strength:
    if len(text) < MIN_LENGTH:
        return Strength(0, f"use at least {MIN_LENGTH} characters: a few unrelated words is best")
    bits = _effective_length(text) * math.log2(_pool(text))
    rest = text.lower()
    for word in _COMMON:
        rest = rest.replace(word, "")
    # A passphrase that is mostly a well-known word is guessed early whatever its length.
    common = len(rest) < 8
    if bits < 50:
        score, advice = 1, "add another word or two"
    elif bits < 70:
        score, advice = 2, "acceptable; another word makes it better"
    elif bits < 90:
        score, advice = 3, "good"
    else:
        score, advice = 4, "strong"
    if common and score > 1:
        score, advice = 1, "avoid well-known words like 'password' or 'cafcass'"
    return Strength(score, advice)
