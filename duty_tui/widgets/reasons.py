"""Reasons (services.catalogue.Reason) as plain text: what the rule found, the rule, the source.

Reasons quote what was recorded (a name, a postcode, an answer's "by"), so they are data and
never markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from duty_tui.i18n import _
from duty_tui.services.catalogue import Effect, Reason, source_title
from duty_tui.widgets.plain import plain_str

MARK = {
    Effect.MET: ("✓", "green"),
    Effect.BLOCKS: ("✗", "bold red"),
    Effect.UNKNOWN: ("?", "yellow"),
    Effect.WAITING: ("…", "yellow"),
    Effect.WARNING: ("!", "magenta"),
    Effect.INFO: ("·", ""),
}

# The order an officer reads them in: what stops it, what is missing, what to watch, what holds.
ORDER = (Effect.BLOCKS, Effect.UNKNOWN, Effect.WAITING, Effect.WARNING, Effect.MET, Effect.INFO)


def sorted_reasons(reasons: Iterable[Reason]) -> list[Reason]:
    return sorted(reasons, key=lambda r: ORDER.index(r.effect))


def reasons_text(reasons: Iterable[Reason], *, sources: bool = True) -> Text:
    """One line per reason, worst first: mark, text, and (dim) rule id and source."""
    text = Text()
    for index, item in enumerate(sorted_reasons(reasons)):
        if index:
            text.append("\n")
        mark, style = MARK[item.effect]
        text.append(f"{mark} ", style=style)
        text.append(plain_str(item.text))
        if sources:
            text.append(
                "\n    "
                + _("rule {rule} · {source}").format(
                    rule=item.rule_id, source=plain_str(source_title(item.source))
                ),
                style="dim",
            )
    return text
