"""The key line at the bottom of a screen, rebuilt only when what it shows changes.

Textual's Footer rebuilds all its keys whenever the bindings may have changed, which is on every
focus move. On a screen of many fields that is a remount, a restyle and a layout per Tab, for a
line that almost always reads the same. This one compares what it would show first.

Binding descriptions are English msgids (``N_``) wherever they are declared, this app's or a
widget's; the key line translates them as it draws, so every key reads in the language of the
moment, and a change of language is a change of what it shows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

# Not exported by textual.widgets; the Footer's own key widget, as Footer.compose yields it.
from textual.widgets._footer import FooterKey

from duty_tui.i18n import _, current_language

# The app's own keys: shown on every screen, whatever else has to give way.
APP_KEYS = frozenset({"app.quit", "app.lock", "app.help"})
# Room kept on the right for "▏^p Commands" (Textual docks it there).
PALETTE_WIDTH = 14


class KeyLine(Footer):
    """The key line. On a narrow terminal (80 columns) the screen's later keys give way so
    that ^q, ^l and F1 are always shown: Textual's Footer cut them off the right-hand end."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None

    def _signature(self, screen: Screen[Any]) -> tuple[Any, ...]:
        app = self.app
        shown = tuple(
            (binding.key, app.get_key_display(binding), binding.description, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.action == "command_palette"
        )
        return (app.size.width, current_language(), *shown)

    def on_resize(self) -> None:
        if self.is_attached and self._shown is not None:
            self.bindings_changed(self.screen)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        app = self.app
        active = self.screen.active_bindings
        shown: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                shown.setdefault(binding.action, (binding, enabled, tooltip))
        keys = list(shown.values())

        def width(item: tuple[Binding, bool, str]) -> int:
            binding = item[0]
            return cell_len(app.get_key_display(binding)) + cell_len(_(binding.description)) + 3

        room = app.size.width - PALETTE_WIDTH
        # The screen's keys give way from the last declared (the least used), never the app's.
        while keys and sum(width(k) for k in keys) > room:
            optional = [k for k in keys if not _is_app_key(k[0])]
            if not optional:
                break
            keys.remove(optional[-1])
        self.styles.grid_size_columns = len(keys)
        for binding, enabled, tooltip in keys:
            yield FooterKey(
                binding.key,
                app.get_key_display(binding),
                _(binding.description),
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
            except KeyError:
                return
            yield FooterKey(
                binding.key,
                app.get_key_display(binding),
                _(binding.description),
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or _(binding.description),
            )


def _is_app_key(binding: Binding) -> bool:
    """^q, ^l, F1: the app's (their ids stay "app.*" when lent to a dialog)."""
    return binding.id in APP_KEYS

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
