"""Central records settings: where central is and this laptop's device token.

Returns the saved ``CentralConfig`` (or None if cancelled). Each field is checked as
``CentralConfig`` checks it, and the reason is shown beside the field with what was typed
kept. The token is a password field and is never shown: when one is stored, leaving the field
empty keeps it. Saving is the caller's ``save`` (it writes the encrypted settings and restarts
the sync); if that fails the dialog stays open with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from duty_tui.i18n import N_, _
from duty_tui.screens.translated import translate_bindings
from duty_tui.services.central_config import CentralConfig, SyncConfigError
from duty_tui.services.store_text import store_message
from duty_tui.widgets.field import FieldRow
from duty_tui.widgets.plain import plain
from store.errors import StoreError

# Checking the URL needs some token and the token some URL: these stand-ins are always valid.
_ANY_TOKEN = "x"  # noqa: S105 - a placeholder for validation, not a credential
_ANY_URL = "http://127.0.0.1"


class CentralSettingsScreen(ModalScreen[CentralConfig | None]):
    CSS_PATH = "dialog.tcss"

    AUTO_FOCUS = "#central-url"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="central_settings.cancel")
    ]
    help_title = N_("Central records settings")

    def __init__(
        self, current: CentralConfig | None, save: Callable[[CentralConfig], None]
    ) -> None:
        super().__init__()
        self.current = current
        self.save = save

    def on_mount(self) -> None:
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="central-box", classes="dialog"):
            yield Static(_("Central records"), classes="dialog-title")
            yield Static(
                _(
                    "Referrals are sent to central records from here. The address and the "
                    "device token come from whoever runs central for your service."
                ),
                classes="explain",
            )
            yield FieldRow(
                _("Central URL"),
                Input(
                    self.current.url if self.current else "",
                    compact=True,
                    id="central-url",
                    placeholder=_("e.g. https://central.example"),
                ),
                id="row-central-url",
            )
            yield FieldRow(
                _("Device token"),
                Input(
                    compact=True,
                    password=True,
                    id="central-token",
                    placeholder=_("leave empty to keep the stored token")
                    if self.current
                    else _("the token issued for this laptop"),
                ),
                id="row-central-token",
            )
            yield Static("", id="central-message", classes="-error")
            with Horizontal(classes="buttons"):
                yield Button(_("Save"), id="central-save", variant="primary", compact=True)
                yield Button(_("Cancel"), id="central-cancel", compact=True)
            yield Static(_("Enter moves on and saves · Escape cancels"), classes="explain")

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "central-token":
            self.submit()
        else:
            self.focus_next()

    @on(Button.Pressed, "#central-save")
    def _save(self) -> None:
        self.submit()

    @on(Button.Pressed, "#central-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def submit(self) -> None:
        url_row = self.query_one("#row-central-url", FieldRow)
        token_row = self.query_one("#row-central-token", FieldRow)
        message = self.query_one("#central-message", Static)
        url = self.query_one("#central-url", Input).value
        token = self.query_one("#central-token", Input).value
        if not token.strip() and self.current is not None:
            token = self.current.token
        url_error = _problem(url=url, token=_ANY_TOKEN)
        token_error = _problem(url=_ANY_URL, token=token)
        url_row.show_error(url_error)
        token_row.show_error(token_error)
        message.update("")
        if url_error or token_error:
            self.set_focus((url_row if url_error else token_row).control)
            return
        config = CentralConfig(url=url, token=token)
        try:
            self.save(config)
        except (StoreError, OSError) as exc:  # the settings stay as they were; so does the dialog
            message.update(plain(_("Not saved: {reason}").format(reason=store_message(exc))))
            return
        self.dismiss(config)


def _problem(*, url: str, token: str) -> str:
    try:
        CentralConfig(url=url, token=token)
    except SyncConfigError as exc:
        return str(exc)
    return ""
