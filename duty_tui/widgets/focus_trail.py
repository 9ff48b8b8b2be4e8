"""Where the focus is, shown on the section and card around it, cheaply.

A ``:focus-within`` rule would say this in CSS, but Textual restyles the whole subtree of the
outermost node with such a rule on every focus move: on the case screen that was most of the
screen's widgets, about 180 ms a Tab on a laptop, long enough for typed keys to pile up behind
it. Inline styles on the two or three containers concerned repaint only those.
"""

from __future__ import annotations

from textual.color import Color
from textual.widget import Widget

from duty_tui.widgets.section import Section

# The border edge highlighted on each kind of container, and its line style.
EDGE_STYLE = {"border": "round", "border_left": "outer"}


class FocusTrail:
    def __init__(self) -> None:
        self._marked: list[tuple[Widget, str]] = []

    def follow(self, focused: Widget | None) -> None:
        """Mark the containers around ``focused`` (None: clear every mark)."""
        wanted: list[tuple[Widget, str]] = []
        if focused is not None:
            for node in focused.ancestors:
                if not isinstance(node, Widget):
                    continue
                edge = self._edge(node)
                if edge is not None:
                    wanted.append((node, edge))
        for node, edge in self._marked:
            if (node, edge) not in wanted:
                node.styles.clear_rule(edge)
        if focused is not None and wanted:
            colour = Color.parse(focused.app.theme_variables.get("primary", "dodgerblue"))
            for node, edge in wanted:
                if (node, edge) not in self._marked:
                    setattr(node.styles, edge, (EDGE_STYLE[edge], colour))
        self._marked = wanted

    @staticmethod
    def _edge(node: Widget) -> str | None:
        if isinstance(node, Section):
            return "border"
        if node.has_class("card"):
            return "border_left"
        return None
