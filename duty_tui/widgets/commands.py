"""The command palette (ctrl+p): go to a case by number or name, new case, lock, quit.

To add commands, append to ``APP_COMMANDS`` (app actions) or make the screen a
:class:`PaletteSource`, as the case screen is: its commands come first while it is on top.
Case numbers and names are data: hits are built as ``Text`` (Textual's own
``Matcher.highlight`` reads its argument as markup) and help strings carry no data.

Commands are named in the officer's language at the moment the palette is opened, and matching
folds Welsh letters (services/fold.py) on both sides: "ychwanegu plentyn" finds "Ychwanegu
plentyn", "gwenllian" finds a case of "Gwenllïan".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider

from duty_tui.i18n import N_, _
from duty_tui.messages import OpenCase
from duty_tui.services.fold import fold
from duty_tui.widgets.case_fields import format_date

if TYPE_CHECKING:
    from duty_tui.desk import Desk

# Enough to choose from; more would only slow the palette down while typing.
MAX_CASE_HITS = 30


def folded_matcher(provider: Provider, query: str) -> Matcher:
    """A matcher for ``query`` folded; give it folded candidates (:func:`score`)."""
    return provider.matcher(fold(query))


def score(matcher: Matcher, candidate: str) -> float:
    """How well ``candidate`` matches the folded query, without case or accents."""
    return matcher.match(fold(candidate))


def highlighted(matcher: Matcher, candidate: str) -> Text:
    """``candidate`` with the matched letters emphasised, as plain text."""
    text = Text(candidate)
    folded = fold(candidate)
    if len(folded) != len(candidate):
        # Folding changed the length ("ß" is "ss"): offsets would not line up; no emphasis.
        return text
    _score, offsets = matcher.fuzzy_search.match(matcher.query, folded)
    for offset in offsets:
        if not candidate[offset].isspace():
            text.stylize("bold reverse", offset, offset + 1)
    return text


PaletteCommand = tuple[str, str, Callable[[], Any]]


class PaletteSource:
    """A screen with commands of its own in the palette while it is open."""

    def palette_commands(self) -> list[PaletteCommand]:
        """(name, help, callback) tuples; help strings carry no case data."""
        raise NotImplementedError


# Named in both languages and never translated: whichever language is on screen (even one the
# officer does not read), the way back is found by either word.
LANGUAGE_COMMAND = "Cymraeg / English"
LANGUAGE_HELP = "Newid iaith · Switch language"

# The app's own commands: name, help (English msgids, translated when shown), the app action run.
APP_COMMANDS: list[tuple[str, str, str]] = [
    (N_("New case"), N_("Create a case for a hearing"), "new_case"),
    (N_("Duty list: today"), N_("Back to today's hearings"), "go_today"),
    (N_("Sync now"), N_("Send queued referrals to central records now"), "sync"),
    (N_("Sync log"), N_("What happened to the referrals sent to central"), "sync_log"),
    (
        N_("Central records settings"),
        N_("Central's address and this laptop's device token"),
        "central_settings",
    ),
    (N_("Lock"), N_("Hide everything until the passphrase is typed"), "lock"),
    (
        N_("Change passphrase"),
        N_("Protect this laptop's cases with a new passphrase (and key)"),
        "change_passphrase",
    ),
    (N_("Help: keys"), N_("The keys that work here"), "help"),
    (LANGUAGE_COMMAND, LANGUAGE_HELP, "switch_language"),
    (N_("Quit"), N_("Save everything and close duty-tui"), "quit"),
]


class DutyCommands(Provider):
    def _desk(self) -> Desk | None:
        """The unlocked desk; None before unlock (the palette then lists nothing: it would
        name cases). The app keeps the palette shut while locked."""
        from duty_tui.desk_access import desk_of

        try:
            return desk_of(self.app)
        except RuntimeError:
            return None

    def fixed_commands(self) -> list[PaletteCommand]:
        app = self.app
        commands: list[PaletteCommand] = [
            (
                name if action == "switch_language" else _(name),
                help_text if action == "switch_language" else _(help_text),
                partial(app.run_action, f"app.{action}"),
            )
            for name, help_text, action in APP_COMMANDS
        ]
        for screen in reversed(app.screen_stack):
            if isinstance(screen, PaletteSource):
                commands = [*screen.palette_commands(), *commands]
                break
        return commands

    async def discover(self) -> Hits:
        if self._desk() is None:
            return
        for name, help_text, callback in self.fixed_commands():
            yield DiscoveryHit(Text(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        desk = self._desk()
        if desk is None:
            return
        matcher = folded_matcher(self, query)
        for name, help_text, callback in self.fixed_commands():
            found = score(matcher, name)
            if found > 0:
                yield Hit(found, highlighted(matcher, name), callback, text=name, help=help_text)
        # Substring search over the precomputed haystacks first (10,000 cases), then the fuzzy
        # score only for the few that matched.
        rows, _total = desk.index.search(query, near=desk.today(), limit=MAX_CASE_HITS)
        for row in rows:
            label = f"{row.case_number} {row.parties} {format_date(row.hearing_date)}".strip()
            found = score(matcher, label) or 0.5
            yield Hit(
                found * 0.9,
                highlighted(matcher, label),
                partial(self.app.post_message, OpenCase(row.case_id)),
                text=label,
                help=_("Open this case"),
            )
