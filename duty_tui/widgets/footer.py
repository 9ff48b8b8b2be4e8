"""The key line at the bottom of a screen, rebuilt only when what it shows changes.

Textual's Footer rebuilds all its keys whenever the bindings may have changed, which is on every
focus move. On a screen of many fields that is a remount, a restyle and a layout per Tab, for a
line that almost always reads the same. This one compares what it would show first.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer


class KeyLine(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None

    def _signature(self, screen: Screen[Any]) -> tuple[Any, ...]:
        app = self.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.action == "command_palette"
        )

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            signature = self._signature(screen)
            if signature == self._shown:
                return
            self._shown = signature
        super().bindings_changed(screen)


def give_dialogs_a_key_line(app: App[Any]) -> None:
    """Every dialog of this app shows its own keys at the bottom.

    A dialog (ModalScreen) has no key line of its own, so the screen behind it kept showing
    its keys ("⏎ Open the case  n New case") while none of them worked; and Textual stops a
    dialog's key chain at the dialog, so F1 did nothing there and ^q / ^l worked unseen. The
    app's shown keys are lent to each dialog (as "app." actions, the user's keymap already
    applied) and a KeyLine mounted into it shows the dialog's keys over the one behind. Done
    once, here, rather than in every
    dialog's compose. Textual's own dialogs (the command palette) keep their look.
    """

    def changed(screen: Screen[Any]) -> None:
        if not isinstance(screen, ModalScreen) or not type(screen).__module__.startswith(
            "duty_tui."
        ):
            return

        _lend_app_keys(screen)

        def mount() -> None:
            if screen.is_attached and not screen.query(KeyLine):
                screen.mount(KeyLine())

        # The screen is pushed before it is composed: mount once it runs.
        screen.call_later(mount)

    app.screen_change_signal.subscribe(app, changed)


def _lend_app_keys(screen: Screen[Any]) -> None:
    if getattr(screen, "_app_keys_lent", False):
        return
    screen._app_keys_lent = True  # type: ignore[attr-defined]
    own = screen._bindings.key_to_bindings
    for key, binding in screen.app._bindings:
        if not binding.show or key in own:  # the dialog's own meaning of a key wins (Help: f1)
            continue
        own.setdefault(key, []).append(replace(binding, action=f"app.{binding.action}"))
    screen.refresh_bindings()
