"""The duty list's table: one row per hearing, whole-row cursor, left/right change the day.

Drawn line by line (Textual's Line API, as its Log widget): only the rows on screen are ever
rendered, each as one styled line, and a new set of rows is a list swapped in. Textual's
DataTable took 60-250 ms to show a new filter result over 10,000 cases (each cell of each
visible row went through Rich's padding and line-splitting again after every rebuild), which
is several frames per keystroke; this takes about one millisecond per visible row or less.

It looks as the DataTable did (same colours: its component classes under our own names) and
keeps what an officer used there: the cursor, Enter or a click on the cursor's row to open,
up/down, page up/down, home/end, the mouse wheel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from duty_tui.i18n import N_

# Each cell has one blank column either side, as DataTable's default cell padding.
PAD = 1


class DutyTable(ScrollView, can_focus=True):
    help_name = N_("the list of hearings")

    # A row cursor has no use for left/right: they move between days instead, which is what
    # an officer paging through the week expects.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", N_("Open the case"), id="duty.open"),
        Binding("left", "screen.prev_day", N_("Previous day"), show=False),
        Binding("right", "screen.next_day", N_("Next day"), show=False),
        Binding("up", "cursor_up", N_("Cursor up"), show=False),
        Binding("down", "cursor_down", N_("Cursor down"), show=False),
        Binding("pageup", "page_up", N_("Page up"), show=False),
        Binding("pagedown", "page_down", N_("Page down"), show=False),
        Binding("home,ctrl+home", "first", N_("Top"), show=False),
        Binding("end,ctrl+end", "last", N_("Bottom"), show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "duty-table--header",
        "duty-table--cursor",
        "duty-table--even-row",
        "duty-table--odd-row",
    }

    # DataTable's look (textual/widgets/_data_table.py), so the list looks as it always has.
    DEFAULT_CSS = """
    DutyTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .duty-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .duty-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .duty-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .duty-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .duty-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .duty-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .duty-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class RowSelected(Message):
        """Enter, or a click on the cursor's row: the officer wants that case."""

        def __init__(self, table: DutyTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> DutyTable:
            return self.table

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._columns: tuple[str, ...] = ()
        self._keys: list[str] = []
        self._cells: list[Sequence[Text]] = []
        self._widths: list[int] = []
        self._rows_width = 0
        # Rendered lines, whole width, by (row, under the cursor); the header is row -1. Only
        # valid for the styles they were drawn with: see render_lines.
        self._line_cache: dict[tuple[int, bool], Strip] = {}
        self.cursor_row = 0
        self._styles_key: object = None
        self._styles: tuple[Style, Style, Style, Style, Style] = (Style(),) * 5
        # This frame's width, horizontal and vertical scroll, and an empty line.
        self._frame: tuple[int, int, int, Strip] = (0, 0, 0, Strip.blank(0))

    # --- what the table holds ----------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def columns(self) -> tuple[str, ...]:
        return self._columns

    @property
    def keys(self) -> list[str]:
        """The rows' keys (case ids), top to bottom."""
        return list(self._keys)

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        return self._keys[self.cursor_row] if self._keys else None

    def row_index(self, key: str) -> int | None:
        try:
            return self._keys.index(key)
        except ValueError:
            return None

    def column(self, label: str) -> list[Text]:
        """Every row's cell in the column headed ``label``, top to bottom."""
        at = self._columns.index(label)
        return [cells[at] for cells in self._cells]

    def set_rows(
        self,
        columns: Sequence[str],
        rows: Sequence[tuple[str, Sequence[Text]]],
        *,
        keep: str | None = None,
    ) -> None:
        """Show ``rows`` (key, one single-line cell per column) under ``columns``; the cursor
        stays on ``keep`` if it is among them, else goes to the top row."""
        self._columns = tuple(columns)
        self._keys = [key for key, _ in rows]
        self._cells = [cells for _, cells in rows]
        # Each column as wide as its widest cell or heading: nothing is cut here (the screen
        # shortens what may be shortened before it gets here).
        widths = [cell_len(label) for label in self._columns]
        for cells in self._cells:
            for at, cell in enumerate(cells):
                if cell.cell_len > widths[at]:
                    widths[at] = cell.cell_len
        self._widths = widths
        self._rows_width = sum(width + 2 * PAD for width in widths)
        self._line_cache.clear()
        self.virtual_size = Size(self._rows_width, len(self._keys) + 1)  # + the header
        target = self.row_index(keep) if keep is not None else None
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor_row = target or 0
        self._scroll_cursor_into_view()
        self.refresh()

    # --- drawing -----------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line needs is looked up once a frame, not once a line: Textual computes
        # a widget's size and style afresh on each ask, and that was most of a frame's cost.
        # The component styles change with the focus and the theme; the cached lines are
        # dropped when they do.
        key = (self.has_focus, self.app.theme, self.app.current_theme.dark)
        if key != self._styles_key:
            self._styles_key = key
            self._line_cache.clear()
            cursor = self.get_component_rich_style("duty-table--cursor")
            self._styles = (
                self.get_component_rich_style("duty-table--header"),
                self.get_component_rich_style("duty-table--even-row"),
                self.get_component_rich_style("duty-table--odd-row"),
                cursor,
                # The cursor's colour wins over a cell's own (as DataTable's default), so a
                # red "overdue" badge stays readable on the cursor's background.
                Style.from_color(color=cursor.color),
            )
        width = self.size.width
        self._frame = (width, *self.scroll_offset, Strip.blank(width, self.rich_style))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, scroll_x, scroll_y, blank = self._frame
        row = -1 if y == 0 else y - 1 + scroll_y  # the header stays put
        if row >= len(self._keys):
            return blank
        cursor = row == self.cursor_row and row >= 0
        strip = self._line_cache.get((row, cursor))
        if strip is None or strip.cell_length < width:
            strip = self._line_cache[(row, cursor)] = self._render_row(row, cursor, width)
        return strip.crop(scroll_x, scroll_x + width)

    def _render_row(self, row: int, cursor: bool, width: int) -> Strip:
        header, even, odd, cursor_style, cursor_colour = self._styles
        if row < 0:
            cells: Sequence[Text | str] = self._columns
            style = header
        else:
            cells = self._cells[row]
            style = odd if row % 2 else even
            if cursor:
                style += cursor_style
        segments: list[Segment] = []
        console = self.app.console
        for cell, cell_width in zip(cells, self._widths, strict=True):
            segments.append(Segment(" " * PAD, style))
            if isinstance(cell, str):
                segments.append(Segment(cell, style))
                used = cell_len(cell)
            elif not cell.spans:  # most cells: one style for the whole text
                own = cell.style
                if own:
                    style_of = style + (Style.parse(own) if isinstance(own, str) else own)
                else:
                    style_of = style
                segments.append(Segment(cell.plain, style_of))
                used = cell.cell_len
            else:
                for segment in cell.render(console):
                    segments.append(
                        Segment(segment.text, style + segment.style if segment.style else style)
                    )
                used = cell.cell_len
            segments.append(Segment(" " * (cell_width - used + PAD), style))
        # The row's colour runs to the table's right edge.
        segments.append(Segment(" " * max(0, width - self._rows_width), style))
        if cursor:
            segments = list(Segment.apply_style(segments, post_style=cursor_colour))
        return Strip(segments, max(width, self._rows_width))

    # --- the cursor --------------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)  # less the header

    def _set_cursor(self, row: int) -> None:
        row = max(0, min(row, len(self._keys) - 1))
        old = self.cursor_row
        self.cursor_row = row
        if old != row:  # lines in the table's own coordinates: the header is line 0
            self.refresh_line(old + 1)
            self.refresh_line(row + 1)
        self._scroll_cursor_into_view()

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._page:
            self.scroll_to(y=self.cursor_row - self._page + 1, animate=False, immediate=True)

    def move_cursor_to(self, key: str) -> None:
        at = self.row_index(key)
        if at is not None:
            self._set_cursor(at)

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor_row - self._page)

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor_row + self._page)

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self._keys) - 1)

    def action_select_cursor(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    async def _on_click(self, event: events.Click) -> None:
        # As DataTable: a click moves the cursor to the row; a click on the cursor's row opens.
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return  # the header, or the scrollbar
        row = offset.y - 1 + round(self.scroll_y)
        if row >= len(self._keys):
            return
        event.stop()
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self._set_cursor(row)
