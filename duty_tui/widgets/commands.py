"""The command palette (ctrl+p): go to a case by number or name, new case, lock, quit.

To add commands (sync, later), append to :meth:`DutyCommands.fixed_commands` or give the screen
a ``palette_commands()`` method returning ``(name, help, callback)`` tuples, as the case screen
does. Case numbers and names are data: hits are built as ``Text`` (Textual's own
``Matcher.highlight`` reads its argument as markup) and help strings carry no data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider

from duty_tui.widgets.case_fields import format_date

if TYPE_CHECKING:
    from duty_tui.app import DutyApp

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


class DutyCommands(Provider):
    @property
    def duty_app(self) -> DutyApp:
        return self.app  # type: ignore[return-value]

    def fixed_commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.duty_app
        commands: list[tuple[str, str, Callable[[], Any]]] = [
            ("New case", "Create a case for a hearing", app.action_new_case),
            ("Duty list: today", "Back to today's hearings", app.action_go_today),
            ("Sync now", "Send queued referrals to central records now", app.action_sync),
            ("Sync log", "What happened to the referrals sent to central", app.action_sync_log),
            (
                "Central records settings",
                "Central's address and this laptop's device token",
                app.action_central_settings,
            ),
            ("Lock", "Hide everything until the passphrase is typed", app.action_lock),
            (
                "Change passphrase",
                "Protect this laptop's cases with a new passphrase (and key)",
                app.action_change_passphrase,
            ),
            ("Help: keys", "The keys that work here", app.action_help),
            ("Quit", "Save everything and close duty-tui", app.action_quit),
        ]
        for screen in reversed(app.screen_stack):
            extra = getattr(screen, "palette_commands", None)
            if extra is not None:
                commands = [*extra(), *commands]
                break
        return commands

    async def discover(self) -> Hits:
        if self.duty_app.session is None or self.duty_app.locked:
            return
        for name, help_text, callback in self.fixed_commands():
            yield DiscoveryHit(Text(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        if self.duty_app.session is None or self.duty_app.locked:
            return
        matcher = self.matcher(query)
        for name, help_text, callback in self.fixed_commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlighted(matcher, name), callback, text=name, help=help_text)
        session = self.duty_app.session
        if session is None:
            return
        # Substring search over the precomputed haystacks first (10,000 cases), then the fuzzy
        # score only for the few that matched.
        rows, _total = session.index.search(query, near=self.duty_app.today(), limit=MAX_CASE_HITS)
        for row in rows:
            label = f"{row.case_number} {row.parties} {format_date(row.hearing_date)}".strip()
            score = matcher.match(label) or 0.5
            yield Hit(
                score * 0.9,
                highlighted(matcher, label),
                partial(self.duty_app.open_case, row.case_id),
                text=label,
                help="Open this case",
            )
