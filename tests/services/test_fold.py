"""Search folding: Welsh letters found by what is typed on an English keyboard."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duty_tui.services.fold import fold, folded_contains

TITLE = "Gwenllïan Ŵyn Ffug v Dafydd Pŷr Ffug"


@pytest.mark.parametrize("typed", ["gwenllian", "pyr", "GWENLLÏAN", "ŵyn", "wyn", "pŷr ffug"])
def test_welsh_names_are_found_by_what_is_typed(typed: str) -> None:
    assert folded_contains(TITLE, typed)


def test_folding_does_not_make_everything_match() -> None:
    assert not folded_contains(TITLE, "gwenllyan")
    assert not folded_contains(TITLE, "pyrs")


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("â", "a"),
        ("ê", "e"),
        ("î", "i"),
        ("ô", "o"),
        ("û", "u"),
        ("ŵ", "w"),
        ("ŷ", "y"),
        ("ï", "i"),
        ("ë", "e"),
        ("Ŵ", "w"),
        ("Ŷ", "y"),
    ],
)
def test_every_welsh_accent_folds_to_its_letter(accented: str, plain: str) -> None:
    assert fold(accented) == plain


def test_a_decomposed_and_a_composed_accent_fold_alike() -> None:
    composed = "Pŷr"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "pyr"


def test_letters_that_are_not_letter_plus_mark_are_kept() -> None:
    # ø and ł have no decomposition: dropping them would make "Søren" match "sren".
    assert fold("Søren Łukasz") == "søren łukasz"


text = st.text(max_size=40)


@given(text)
def test_fold_is_idempotent(s: str) -> None:
    assert fold(fold(s)) == fold(s)


@given(text)
def test_folded_text_has_no_combining_marks_or_capitals(s: str) -> None:
    folded = fold(s)
    decomposed = unicodedata.normalize("NFD", folded)
    assert not any(unicodedata.combining(c) for c in decomposed)
    assert folded.casefold() == folded


@given(text, text, text)
def test_any_part_of_a_text_is_found_in_it(before: str, part: str, after: str) -> None:
    assert folded_contains(before + part + after, part)


@given(text)
def test_accents_and_case_never_change_a_match(s: str) -> None:
    # A circumflex on every vowel, w and y, as a Welsh speaker might type, still finds the text.
    accented = "".join(
        unicodedata.normalize("NFC", c + "\u0302") if c in "aeiouwyAEIOUWY" else c for c in s
    )
    assert folded_contains(s + " x", accented)
