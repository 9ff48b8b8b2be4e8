"""The command palette (ctrl+p): go to a case by number or name, new case, lock, quit.

To add commands, append to ``APP_COMMANDS`` (app actions) or make the screen a
:class:`PaletteSource`, as the case screen is: its commands come first while it is on top.
Case numbers and names are data: hits are built as ``Text`` (Textual's own
``Matcher.highlight`` reads its argument as markup) and help strings carry no data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider

from duty_tui.messages import OpenCase
from duty_tui.widgets.case_fields import format_date

if TYPE_CHECKING:
    from duty_tui.desk import Desk

# Enough to choose from; more would only slow the palette down while typing.
MAX_CASE_HITS = 30


def highlighted(matcher: Matcher, candidate: str) -> Text:
    """``candidate`` with the matched letters emphasised, as plain text."""
    text = Text(candidate)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
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


# The app's own commands: name, help, the app action run.
APP_COMMANDS: list[tuple[str, str, str]] = [
    ("New case", "Create a case for a hearing", "new_case"),
    ("Duty list: today", "Back to today's hearings", "go_today"),
    ("Sync now", "Send queued referrals to central records now", "sync"),
    ("Sync log", "What happened to the referrals sent to central", "sync_log"),
    (
        "Central records settings",
        "Central's address and this laptop's device token",
        "central_settings",
    ),
    ("Lock", "Hide everything until the passphrase is typed", "lock"),
    (
        "Change passphrase",
        "Protect this laptop's cases with a new passphrase (and key)",
        "change_passphrase",
    ),
    ("Help: keys", "The keys that work here", "help"),
    # Named in both languages: whichever is shown, the officer finds it.
    ("Cymraeg / English", "Newid iaith · Switch language", "switch_language"),
    ("Quit", "Save everything and close duty-tui", "quit"),
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
            (name, help_text, partial(app.run_action, f"app.{action}"))
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
        matcher = self.matcher(query)
        for name, help_text, callback in self.fixed_commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlighted(matcher, name), callback, text=name, help=help_text)
        # Substring search over the precomputed haystacks first (10,000 cases), then the fuzzy
        # score only for the few that matched.
        rows, _total = desk.index.search(query, near=desk.today(), limit=MAX_CASE_HITS)
        for row in rows:
            label = f"{row.case_number} {row.parties} {format_date(row.hearing_date)}".strip()
            score = matcher.match(label) or 0.5
            yield Hit(
                score * 0.9,
                highlighted(matcher, label),
                partial(self.app.post_message, OpenCase(row.case_id)),
                text=label,
                help="Open this case",
            )
