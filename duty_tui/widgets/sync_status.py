"""The sync status line above the footer: referrals not yet acknowledged, whether central
records can be reached, and a progress bar while a sync is sending.

The app owns the state (``DutyApp.sync_state``, a :class:`~duty_tui.sync_worker.SyncState`) and
pushes each change to every mounted status line; a line mounted later reads it on mount. The
text is counts and fixed phrases plus central's own error message, shown as plain text.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from duty_tui.i18n import _, ngettext
from duty_tui.sync_worker import (
    BLOCKED,
    CHECKING,
    NOT_SET_UP,
    OFFLINE,
    REACHABLE,
    REFUSED,
    SyncState,
)
from duty_tui.widgets.plain import plain


def describe(state: SyncState, width: int | None = None) -> Text:
    """The status line's text for ``state``; within ``width`` cells if given, in shorter
    words where the full ones would be cut (80 columns cut off the settings hint)."""
    text = _describe(state, short=False)
    if width is not None and text.cell_len > width:
        text = _describe(state, short=True)
    return text


def _describe(state: SyncState, *, short: bool) -> Text:
    text = Text()
    if state.pending is not None:
        if short:
            words = ngettext(
                "{count} referral unacknowledged", "{count} referrals unacknowledged", state.pending
            )
        else:
            words = ngettext(
                "{count} referral not yet acknowledged",
                "{count} referrals not yet acknowledged",
                state.pending,
            )
        text.append(words.format(count=state.pending), style="bold" if state.pending else "")
        text.append(" · ", style="dim")
    if state.central == BLOCKED:
        text.append_text(plain(state.error, "bold red"))
        return text
    if state.central == REFUSED and state.progress is None:
        # Central's message names itself ("central refused this device's token: ..."): fixed
        # phrases plus a URL the officer typed, never case data; plain() all the same.
        text.append_text(plain(state.error or _("central refused this laptop"), "bold red"))
        return text
    # "Central records: connected": a label and its value, each translated whole.
    text.append(_("Central:") if short else _("Central records:"))
    text.append(" ")
    if state.progress is not None:
        done, total = state.progress
        text.append(_("sending {done} of {total}").format(done=done, total=total), style="bold")
    elif state.central == REACHABLE:
        text.append(_("connected"), style="green")
    elif state.central == OFFLINE:
        text.append(_("offline"), style="yellow")
        text.append(
            " "
            + (
                _("(referrals wait here)")
                if short
                else _("(referrals wait here and go when it is back)")
            ),
            style="dim",
        )
    elif state.central == CHECKING:
        text.append(_("checking…"), style="dim")
    elif state.central == NOT_SET_UP:
        text.append(_("not set up"), style="yellow")
        text.append(
            " " + (_("(ctrl+p › settings)") if short else _("(ctrl+p › Central records settings)")),
            style="dim",
        )
    return text


class SyncStatus(Horizontal):
    """One line: the text, and a progress bar that is shown only while a sync is sending."""

    DEFAULT_CSS = """
    SyncStatus { height: 1; padding: 0 1; background: $panel; }
    SyncStatus #sync-text { width: 1fr; height: 1; color: $text-muted; }
    SyncStatus #sync-progress { width: auto; height: 1; }
    SyncStatus #sync-progress Bar { width: 24; }
    SyncStatus #sync-progress.-hidden { display: none; }
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("id", "sync-status")
        super().__init__(**kwargs)

    def compose(self) -> ComposeResult:
        yield Static("", id="sync-text")
        # No ETA: a sync takes seconds, and an estimate that jumps about is noise.
        yield ProgressBar(total=None, show_eta=False, id="sync-progress", classes="-hidden")

    def on_resize(self) -> None:
        state = getattr(self, "_state", None)
        if state is not None:
            self.show(state)

    def on_mount(self) -> None:
        state = getattr(self.app, "sync_state", None)
        if isinstance(state, SyncState):
            self.show(state)

    def say_again(self) -> None:
        """The new language (screens/translated.py)."""
        state = getattr(self, "_state", None)
        if state is not None:
            self.show(state)

    def show(self, state: SyncState) -> None:
        self._state = state
        # The line's width less its padding (and the bar's, while it shows).
        room = self.size.width - 2 - (28 if state.progress is not None else 0)
        self.query_one("#sync-text", Static).update(describe(state, room if room > 0 else None))
        bar = self.query_one("#sync-progress", ProgressBar)
        if state.progress is None:
            bar.add_class("-hidden")
            return
        done, total = state.progress
        bar.update(total=max(total, 1), progress=done)
        bar.remove_class("-hidden")
