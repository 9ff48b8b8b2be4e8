"""A bare Textual app for tests/tui/test_hangup.py: it draws a counter a hundred times a second
and the number of terminal writer threads alive, ignores SIGHUP (as under ``nohup``) and ends
itself after the number of seconds given. ``--safe`` runs it on duty-tui's driver
(duty_tui/hangup.py); without it nothing of duty-tui is imported.

    python textual_hangup_app.py SECONDS [--safe]
"""

from __future__ import annotations

import signal
import sys
import threading

from textual.app import App, ComposeResult
from textual.widgets import Static


class Ticker(App[None]):
    def __init__(self, end_after_s: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.end_after_s = end_after_s
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Static("ticks: 0", id="ticks")

    def on_mount(self) -> None:
        self.set_interval(0.01, self.tick)
        self.set_timer(self.end_after_s, self.exit)

    def tick(self) -> None:
        self.count += 1
        writers = sum(1 for t in threading.enumerate() if t.name == "textual-output")
        self.query_one("#ticks", Static).update(f"ticks: {self.count} writers: {writers}")


if __name__ == "__main__":
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    options: dict[str, object] = {}
    if "--safe" in sys.argv:
        from duty_tui.hangup import HangupSafeDriver

        options["driver_class"] = HangupSafeDriver
    Ticker(float(sys.argv[1]), **options).run()
