"""The key line at the bottom of a screen, rebuilt only when what it shows changes.

Textual's Footer rebuilds all its keys whenever the bindings may have changed, which is on every
focus move. On a screen of many fields that is a remount, a restyle and a layout per Tab, for a
line that almost always reads the same. This one compares what it would show first.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
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
