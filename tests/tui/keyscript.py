"""Bursts of keys for the case screen, and what each field must hold after them.

A seeded script of what a fast typist on a busy laptop does: runs of Tab or Shift+Tab to a
field, then at once typing over it; End or Home then a run of Backspaces, then typing. A model of
Textual's Input (select-all on focus, End, Home, Backspace, insert) says what every field must
hold afterwards; the case on disk must hold exactly that. Shared by the Pilot test, the
pseudo-terminal test and the benchmark (``reliability.keystroke_mismatches``).

Only fields whose text is stored as typed are edited (names, court, times, who answered), plus
postcodes typed whole; the others are tabbed over.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from duty_tui.widgets import case_fields as cf
from records.model import Case, parse_postcode

FREE_TEXT = ("case.court", ".name", ".constraints.", ".answered_by")
POSTCODES = ["cf24 1ab", "CF10 1AA", "sa1 1aa", "ll57 2pw", "np20 1ab", "sy23 3be"]
LETTERS = "abcdefghijklmnopqrstuvwyzŵŷâêîôûABCDEFGHIJKLMNOPRSTUWY"


def editable(key: str) -> str | None:
    """ "text", "postcode" or None (tabbed over)."""
    if key.endswith(".postcode"):
        return "postcode"
    if any(part in key for part in FREE_TEXT):
        return "text"
    return None


@dataclass
class Slot:
    """One stop of the focus chain: a field key (inputs and selects) or another widget."""

    key: str
    kind: str  # "input", "select", "other"


@dataclass
class FieldModel:
    """Textual's Input as far as these keys go."""

    text: str
    cursor: int = 0
    all_selected: bool = False

    def focus(self) -> None:
        # Input.select_on_focus: the whole text is selected, the cursor at its end.
        self.cursor = len(self.text)
        self.all_selected = bool(self.text)

    def key(self, key: str) -> None:
        if key == "end":
            self.cursor, self.all_selected = len(self.text), False
        elif key == "home":
            self.cursor, self.all_selected = 0, False
        elif key == "backspace":
            if self.all_selected:
                self.text, self.cursor, self.all_selected = "", 0, False
            elif self.cursor > 0:
                self.text = self.text[: self.cursor - 1] + self.text[self.cursor :]
                self.cursor -= 1
        else:
            assert len(key) == 1, key
            if self.all_selected:
                self.text, self.cursor, self.all_selected = key, 1, False
            else:
                self.text = self.text[: self.cursor] + key + self.text[self.cursor :]
                self.cursor += 1


@dataclass
class Script:
    bursts: list[list[str]] = field(default_factory=list)
    expected: dict[str, str] = field(default_factory=dict)

    @property
    def keys(self) -> int:
        return sum(len(burst) for burst in self.bursts)


def stored_value(case: Case, key: str) -> str:
    return cf.display_value(case, key)


def make_script(
    chain: list[Slot], case: Case, *, seed: int, keys: int = 360, reach: int = 12
) -> Script:
    """Bursts totalling at least ``keys`` keys, starting with the focus on ``chain[0]``."""
    rng = random.Random(seed)
    inputs = [i for i, slot in enumerate(chain) if slot.kind == "input"]
    targets = [i for i in inputs if editable(chain[i].key)]
    assert targets, "no editable field in the chain"
    models = {chain[i].key: FieldModel(stored_value(case, chain[i].key)) for i in inputs}
    where = 0
    script = Script()
    touched: set[str] = set()
    while script.keys < keys:
        near = [i for i in targets if 0 < abs(i - where) <= reach] or targets
        target = rng.choice(near)
        burst: list[str] = []
        if target != where:
            step = "tab" if target > where else "shift+tab"
            burst += [step] * abs(target - where)
            _leave(models, chain[where])
            where = target
            models[chain[where].key].focus()
        slot = chain[where]
        model = models[slot.key]
        kind = editable(slot.key)
        if kind == "postcode":
            typed = list(rng.choice(POSTCODES))
            if not model.all_selected:
                # Clear it first: a postcode is typed whole.
                typed = ["end"] + ["backspace"] * len(model.text) + typed
        else:
            typed = _edit(rng, model)
        for key in typed:
            model.key(key)
        burst += typed
        touched.add(slot.key)
        script.bursts.append(burst)
    _leave(models, chain[where])
    for key in touched:
        text = models[key].text
        script.expected[key] = parse_postcode(text) if editable(key) == "postcode" else text
    return script


def _leave(models: dict[str, FieldModel], slot: Slot) -> None:
    # Leaving a field commits it; the field then shows the record's form of the text (clean
    # text keeps single inner spaces only), and the next edit starts from that.
    model = models.get(slot.key)
    if model is not None and editable(slot.key) == "text":
        model.text = " ".join(model.text.split())
    elif model is not None and editable(slot.key) == "postcode" and model.text:
        model.text = parse_postcode(model.text)
    if model is not None:
        model.all_selected = False


def _word(rng: random.Random, n: int) -> list[str]:
    chars: list[str] = []
    for i in range(n):
        space = i > 0 and chars[-1] != " " and i < n - 1 and rng.random() < 0.15
        chars.append(" " if space else rng.choice(LETTERS))
    return chars


def _edit(rng: random.Random, model: FieldModel) -> list[str]:
    """An edit that leaves the field non-empty (names and who-answered are required)."""
    mode = rng.choice(["replace", "end", "end", "home"]) if model.all_selected else "end"
    if mode == "replace":
        return _word(rng, rng.randint(3, 14))
    text = model.text
    if mode == "home":
        return ["home", *_word(rng, rng.randint(1, 6)), "end"]
    longest = max(0, len(text) - 1)
    cut = rng.randint(0, min(longest, 14))
    if len(text) > 60:
        cut = min(longest, 14)
    return ["end", *["backspace"] * cut, *_word(rng, rng.randint(1, 10))]


def mismatches(script: Script, case: Case) -> dict[str, tuple[str, str]]:
    """field key -> (expected, stored) for every field that is not as typed."""
    wrong: dict[str, tuple[str, str]] = {}
    for key, expected in script.expected.items():
        try:
            stored = stored_value(case, key)
        except cf.UnknownField:
            stored = "<field gone>"
        if stored != expected:
            wrong[key] = (expected, stored)
    return wrong


def chain_of(screen: Any) -> list[Slot]:
    """The case screen's focus chain, from its first field, as Slots."""
    from duty_tui.widgets.field import FieldInput, FieldSelect

    slots: list[Slot] = []
    for widget in screen.focus_chain:
        if isinstance(widget, FieldInput):
            slots.append(Slot(widget.key, "input"))
        elif isinstance(widget, FieldSelect):
            slots.append(Slot(widget.key, "select"))
        else:
            slots.append(Slot(widget.id or type(widget).__name__, "other"))
    first = next(i for i, slot in enumerate(slots) if slot.kind == "input")
    return slots[first:] + slots[:first]
