"""The officer's language: English or Welsh (Cymraeg), through GNU gettext.

Every string the officer sees is written in English in the code, marked with :func:`_` (or
:func:`ngettext` when it counts something), and looked up in the message catalog of the
chosen language at the moment it is shown, so switching language needs no restart: what is
drawn next is in the new language.

A message is always a whole sentence with named placeholders, formatted after the lookup::

    _("No store at {data_dir}.").format(data_dir=path)

never a sentence glued from translated pieces: Welsh word order and mutations differ from
English ("in Cardiff" is "yng Nghaerdydd"), so only a translator seeing the whole sentence can
write it. tests/test_i18n.py checks that every entry of the Welsh catalog is translated and
keeps the same placeholders, and that no user-visible literal bypasses gettext.

The catalogs are duty_tui/locale/<lang>/LC_MESSAGES/duty_tui.po, compiled to .mo files that
are committed beside them (``make messages`` extracts, updates and compiles them with Babel),
so the app needs only the standard library's gettext at run time, from ``pip install -e .``
as from a wheel.

The language is chosen, first that applies: ``--lang`` on the command line, $DUTY_TUI_LANG,
the officer's profile, the system locale ($LC_ALL, $LC_MESSAGES, $LANG starting ``cy``),
else English.

No Textual here: services and the command line use it too.
"""

from __future__ import annotations

import gettext
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

DOMAIN = "duty_tui"
LOCALE_DIR = Path(__file__).parent / "locale"
ENGLISH = "en"
WELSH = "cy"
LANGUAGES: tuple[str, ...] = (ENGLISH, WELSH)
LANG_ENV = "DUTY_TUI_LANG"
# What each language is called, in itself: the choice is offered in both languages at once.
LANGUAGE_NAMES: Mapping[str, str] = {ENGLISH: "English", WELSH: "Cymraeg"}

_translations: dict[str, gettext.NullTranslations] = {}
_current: str = ENGLISH
_listeners: list[Callable[[str], None]] = []
# A language for this thread only (``speaking``): a rule that must compare words as they were
# recorded works them out in English while the screens stay in the officer's language.
_local = threading.local()


def _translation(lang: str) -> gettext.NullTranslations:
    found = _translations.get(lang)
    if found is None:
        # fallback: a missing .mo (a checkout whose catalogs were never compiled) shows
        # English rather than stopping the app; tests/test_i18n.py fails on a missing .mo.
        found = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
        _translations[lang] = found
    return found


def normalise(lang: str | None) -> str | None:
    """``"cy"``, ``"en"`` or None from what a person or a locale wrote: ``cy_GB.UTF-8``,
    ``CY``, ``Cymraeg``, ``en-GB``, ``welsh``."""
    if not lang:
        return None
    text = lang.strip().lower()
    if text in ("cymraeg", "welsh") or (text[:2] == WELSH and text[2:3] in ("", "_", "-", ".")):
        return WELSH
    if text in ("english", "saesneg") or (text[:2] == ENGLISH and text[2:3] in ("", "_", "-", ".")):
        return ENGLISH
    return None


def system_language(environ: Mapping[str, str] | None = None) -> str | None:
    """Welsh or English from the locale variables, in the order POSIX gives them weight."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            # The first variable set decides, as for every other program: LC_ALL=C means C.
            return normalise(value)
    return None


def resolve_language(
    *,
    cli: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The language to use: ``--lang``, $DUTY_TUI_LANG, the profile, the system, English."""
    env = os.environ if environ is None else environ
    for choice in (cli, env.get(LANG_ENV), profile, system_language(env)):
        lang = normalise(choice)
        if lang is not None:
            return lang
    return ENGLISH


def set_language(lang: str) -> str:
    """Make ``lang`` the language of everything shown from now on; returns it, normalised.

    Listeners (the app, to re-draw its screens) are told when it changes.
    """
    global _current
    chosen = normalise(lang) or ENGLISH
    changed = chosen != _current
    _current = chosen
    if changed:
        for listener in list(_listeners):
            listener(chosen)
    return chosen


def current_language() -> str:
    return _current


def add_listener(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call ``listener(lang)`` after each change of language; returns the way to stop."""
    _listeners.append(listener)

    def remove() -> None:
        if listener in _listeners:
            _listeners.remove(listener)

    return remove


def _language() -> str:
    return getattr(_local, "lang", None) or _current


def thread_language() -> str:
    """The language messages come out in on this thread: ``speaking``'s, else the current."""
    return _language()


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Within the block, this thread's messages are in ``lang``; other threads, the app's
    screens among them, and the listeners are untouched."""
    before = getattr(_local, "lang", None)
    _local.lang = normalise(lang) or ENGLISH
    try:
        yield
    finally:
        _local.lang = before


def _(message: str) -> str:
    """``message`` in the current language (English as written when there is no entry)."""
    return _translation(_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` of a counted message. Welsh has six plural forms (zero, one, two,
    few, many, other); the catalog's Plural-Forms header picks among them."""
    return _translation(_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a table, a constant) but
    translated where it is shown, with :func:`_`, in the language of that moment."""
    return message
