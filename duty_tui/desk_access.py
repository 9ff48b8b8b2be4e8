"""How a screen reaches the officer's desk (duty_tui/desk.py) without knowing the app."""

from __future__ import annotations

from typing import Any

from textual.dom import DOMNode

from duty_tui.desk import Desk


def desk_of(node: DOMNode) -> Desk:
    """The desk of the app ``node`` belongs to; RuntimeError while the store is locked away
    (before unlock, after quit)."""
    desk: Any = getattr(node.app, "desk", None)
    if not isinstance(desk, Desk):
        raise RuntimeError("the store is not unlocked")
    return desk


class DeskAccess:
    """Mixed into a screen that works on the unlocked store."""

    @property
    def desk(self) -> Desk:
        assert isinstance(self, DOMNode)
        return desk_of(self)
