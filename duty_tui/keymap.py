"""The officer's keymap ([keymap] in config.toml), checked before Textual is given it.

Textual takes any text as a key: ``"duty.filter" = "nonsense+++key"`` would silently replace
``/`` with a key that can never be pressed, and the footer would show the nonsense. So each
entry is checked here: the binding id must be one of the app's, and every key must be a name
Textual can produce from a key press. A bad entry is dropped whole (its default keys stay) and
becomes a warning the app shows when it opens.

Textual is imported (its key tables are the reference), so config.py, which scripts use, stays
free of it and the app calls this.
"""

from __future__ import annotations

import dataclasses
import difflib
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from duty_tui.i18n import _

if TYPE_CHECKING:
    from duty_tui.config import Config

# Every binding id the app declares (Binding(..., id=...) in app.py, screens/ and widgets/).
# tests/tui/test_parts.py checks this against the code, so a new binding must be added here.
BINDING_IDS: frozenset[str] = frozenset(
    {
        "add_person.cancel",
        "app.command_palette",
        "app.help",
        "app.lock",
        "app.quit",
        "app.sync",
        "assessment.cancel",
        "case.add_person",
        "case.back",
        "case.next_section",
        "case.prev_section",
        "case.save",
        "central_settings.cancel",
        "change_passphrase.cancel",
        "confirm.no",
        "confirm.yes",
        "direction.cancel",
        "direction.copy",
        "direction.save",
        "duty.clear_filter",
        "duty.courts",
        "duty.filter",
        "duty.new_case",
        "duty.next_day",
        "duty.open",
        "duty.prev_day",
        "duty.today",
        "help.close",
        "history.close",
        "language.english",
        "language.keep",
        "language.welsh",
        "monitoring.cancel",
        "monitoring.save",
        "new_case.cancel",
        "options.cancel",
        "options.explain",
        "options.to_list",
        "prompt.cancel",
        "suitability.explain",
        "sync_log.close",
        "unlock.clear",
        "unsaved.retry",
        "unsaved.stay",
        "verdict.assess",
        "verdict.choose",
        "verdict.close",
        "verdict.override",
        "verdict.withdraw_override",
    }
)

# In the order Textual writes them in a key's name (alphabetical), e.g. "ctrl+shift+up".
MODIFIERS = ("alt", "ctrl", "hyper", "meta", "shift", "super")


class KeyNameError(ValueError):
    """A key name Textual would never match; the message says what is wrong with it."""


@cache
def _named_keys() -> frozenset[str]:
    """Names of keys that are not characters: arrows, function keys, escape, keypad keys."""
    from textual.keys import Keys

    names = {
        key.value.rpartition("+")[2]
        for key in Keys
        if not key.value.startswith("<") and "-" not in key.value
    }
    try:  # the kitty keyboard protocol's extra keys (f25, media keys ...); private in Textual
        from textual._keyboard_protocol import FUNCTIONAL_KEYS

        names.update(FUNCTIONAL_KEYS.values())
    except ImportError:
        pass
    return frozenset(n for n in names if len(n) > 1)


def _character_key(character: str) -> str:
    """Textual's name for the key that types ``character`` ("/" is "slash")."""
    from textual.keys import _character_to_key

    return _character_to_key(character)


def _is_character_name(name: str) -> bool:
    """Is ``name`` what Textual calls some character's key ("left_square_bracket")?"""
    from textual.keys import KEY_TO_UNICODE_NAME, REPLACED_KEYS

    original = REPLACED_KEYS.get(name, name)
    try:
        character = unicodedata.lookup(
            KEY_TO_UNICODE_NAME.get(original, original.replace("_", " "))
        )
    except KeyError:
        return False
    return _character_key(character) == name


def check_key(key: str) -> str:
    """``key`` as Textual names it (modifiers in its order), or KeyNameError saying why not."""
    key = key.strip()
    if len(key) == 1:
        if not key.isprintable() or key.isspace():
            raise KeyNameError(
                _("{key} is not a key name (write space, tab ...)").format(key=repr(key))
            )
        return _character_key(key)  # "+" alone is the plus key, "/" is slash
    *modifiers, base = key.split("+")
    modifiers = [m.lower() for m in modifiers]
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            if not modifier:
                raise KeyNameError(
                    _(
                        "{key}: an empty modifier (two + in a row) is not a modifier "
                        "({modifiers}; the key itself comes last)"
                    ).format(key=repr(key), modifiers=", ".join(MODIFIERS))
                )
            raise KeyNameError(
                _(
                    "{key}: {modifier} is not a modifier ({modifiers}; the key itself comes last)"
                ).format(key=repr(key), modifier=repr(modifier), modifiers=", ".join(MODIFIERS))
            )
    if len(set(modifiers)) != len(modifiers):
        raise KeyNameError(_("{key} names a modifier twice").format(key=repr(key)))
    if not base:
        raise KeyNameError(
            _("{key} has no key after its last + (plus is written 'plus')").format(key=repr(key))
        )
    if len(base) == 1:
        if modifiers and base.isupper():
            # Textual names ctrl+shift+l so; "ctrl+L" would never match a key press.
            raise KeyNameError(
                _(
                    "{key}: after a modifier the letter is lower case "
                    "({lower}, or add shift+ for a capital)"
                ).format(key=repr(key), lower="+".join([*modifiers, base.lower()]))
            )
        if not base.isprintable() or base.isspace():
            raise KeyNameError(_("{key} is not a key name").format(key=repr(key)))
        base = _character_key(base)
    elif base not in _named_keys() and not _is_character_name(base):
        raise KeyNameError(
            _("{key}: {base} is not a key name Textual knows").format(
                key=repr(key), base=repr(base)
            )
        )
    return "+".join([*sorted(modifiers, key=MODIFIERS.index), base])


def check_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The entries of ``keymap`` that can be used (keys in Textual's spelling), and a warning
    for each that cannot, saying why and that its default keys stay."""
    usable: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, keys in keymap.items():
        if binding_id not in BINDING_IDS:
            close = difflib.get_close_matches(binding_id, sorted(BINDING_IDS), n=1)
            if close:
                warning = _(
                    "keymap {binding}: no such binding (did you mean {close}?); ignored"
                ).format(binding=repr(binding_id), close=repr(close[0]))
            else:
                warning = _(
                    "keymap {binding}: no such binding (docs/app.md lists them); ignored"
                ).format(binding=repr(binding_id))
            warnings.append(warning)
            continue
        try:
            checked = [check_key(k) for k in keys.split(",") if k.strip()]
        except KeyNameError as exc:
            warnings.append(
                _("keymap {binding}: {problem}; its default keys are kept").format(
                    binding=repr(binding_id), problem=exc
                )
            )
            continue
        if not checked:
            warnings.append(
                _("keymap {binding}: no keys given; its default keys are kept").format(
                    binding=repr(binding_id)
                )
            )
            continue
        usable[binding_id] = ",".join(dict.fromkeys(checked))
    return usable, warnings


def checked_keymap(config: Config) -> tuple[Config, dict[str, str]]:
    """The config with a warning added for each keymap entry that cannot be used, and the
    usable keymap. Checked before Textual sees it: Textual takes any text as a key, so a typo
    would silently take a key away; a bad entry keeps its defaults."""
    keymap, problems = check_keymap(config.keymap)
    if problems or keymap != config.keymap:
        config = dataclasses.replace(config, keymap=keymap, warnings=(*config.warnings, *problems))
    return config, keymap
