"""Keys take effect in the order they were typed, on the widget focused when they were typed.

Textual forwards each key to the focused widget's message queue. A printable character is
handled there (an Input inserts it), but Backspace, End, Tab and every other bound key bubble
up, widget by widget, to the App, where the binding runs. Keys that arrive together (a burst in
one read, a busy laptop, a paste of keystrokes) are forwarded at once, so a character typed
after a Backspace is inserted before the Backspace has run, and one typed after a Tab lands in
the field being left. (Textual issue #6605; the proposed fix, PR #6631, covers only an Input's
own bindings, not Tab, nor a binding of the screen.)

:class:`OrderedKeysApp` lets one key travel at a time. A key goes out only when

* the key before it has been handled wherever it went: stopped by a widget, or bubbled to the
  App and run as a binding. A "sentinel" callback follows the key up its chain: it is posted to
  each widget's queue behind the key, so when it runs there the key is done with that widget;
  when it has run on the App the key is done everywhere;
* the screen it goes to is ready: a screen just pushed (or returned to) has processed its mount
  and resume, so its focus is set.

Nothing here depends on the bug: once Textual applies keys in order by itself, this still
holds, at the cost of a few queue hops per key (well under a millisecond).
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from typing import Any, Generic, TypeVar

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen

ReturnType = TypeVar("ReturnType")

# A key whose sentinel is lost (its widget was removed with the key in its queue) is given up
# after this long, so the keyboard never stays stuck behind it. A live chain is never cut short.
STUCK_AFTER_S = 1.0
WATCH_EVERY_S = 0.25

OrderedEvent = events.Key | events.Paste


class OrderedKeysApp(App[ReturnType], Generic[ReturnType]):
    """An App whose keys (and pastes) take effect one at a time, in the order typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key_backlog: deque[OrderedEvent] = deque()
        # The key travelling now, and the node whose sentinel it waits for.
        self._key_current: OrderedEvent | None = None
        self._key_waiting_on: MessagePump | None = None
        self._key_since = 0.0
        # A key taken from the backlog and posted back to the App to run now.
        self._key_released: OrderedEvent | None = None
        # The screen keys last went to, and screens known to be ready for keys.
        self._key_screen: weakref.ref[Screen[Any]] | None = None
        self._key_settling: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()
        # Keys (and pastes) that have taken effect since start: tests and the benchmark wait
        # for this to reach the number they sent.
        self.keys_applied = 0

    # --- the App's side ----------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, OrderedEvent) and not event.is_forwarded:
            if not self._screen_stack:
                return  # shutting down: the screens are gone, nothing can take the key
            if not self._key_admit(event):
                return
            self.key_arrived(event)
            if self.key_taken(event):
                self._key_done()  # the App dealt with it; it goes to no widget
                return
            await super().on_event(event)
            self._key_sent(event)
            return
        await super().on_event(event)

    def key_arrived(self, event: OrderedEvent) -> None:
        """A key or paste is about to take effect (subclasses note activity here)."""

    def key_taken(self, event: OrderedEvent) -> bool:
        """Subclasses may deal with a key themselves, in its turn and with the focus it was
        typed into: True and it goes no further."""
        return False

    def _on_mount(self, event: events.Mount) -> None:
        self.set_interval(WATCH_EVERY_S, self._key_watch, name="key order")

    # --- sequencing --------------------------------------------------------------------------

    def _key_admit(self, event: OrderedEvent) -> bool:
        """True: ``event`` runs now. False: it waits its turn in the backlog."""
        if event is self._key_released:
            self._key_released = None
            return True
        if self._key_current is not None or self._key_backlog or not self._key_screen_ready():
            self._key_backlog.append(event)
            return False
        self._key_start(event)
        return True

    def _key_start(self, event: OrderedEvent) -> None:
        self._key_current = event
        self._key_waiting_on = None
        self._key_since = time.monotonic()

    def _key_sent(self, event: OrderedEvent) -> None:
        """Textual has handled ``event`` in the App: by a priority binding, or by forwarding it
        to the focused widget (or the screen), from where it may bubble back up."""
        if event is not self._key_current:
            return
        if not event.is_forwarded:
            self._key_done()
            return
        target: MessagePump = self.focused or self.screen
        self._key_follow(event, target)

    def _key_follow(self, event: OrderedEvent, node: MessagePump) -> None:
        self._key_waiting_on = node
        if not node.call_later(self._key_passed, event, node):
            self._key_done()  # the node is closing: the key went nowhere further

    def _key_passed(self, event: OrderedEvent, node: MessagePump) -> None:
        """Runs in ``node`` after it has handled ``event`` (its sentinel was queued behind)."""
        if event is not self._key_current:
            return
        parent = node._parent
        stopped_here = event._stop_propagation and event._sender is not parent
        if node is self or parent is None or not event.bubble or stopped_here:
            self._key_done()
        else:
            self._key_follow(event, parent)

    def _key_done(self) -> None:
        self.keys_applied += 1
        self._key_current = None
        self._key_waiting_on = None
        self._key_release()

    def _key_release(self) -> None:
        if self._key_current is not None or not self._key_backlog:
            return
        if not self._key_screen_ready():
            return
        event = self._key_backlog.popleft()
        self._key_start(event)
        self._key_released = event
        self.post_message(event)

    def _key_screen_ready(self) -> bool:
        """Is the active screen ready to take keys? If not, ask it to say when it is."""
        try:
            screen = self.screen
        except Exception:  # no screen yet (start-up): the watch looks again
            return False
        last = self._key_screen() if self._key_screen is not None else None
        if screen is last:
            return True
        if screen not in self._key_settling:
            self._key_settling.add(screen)
            # Behind the screen's mount and resume in its queue: when this runs, its focus is set.
            screen.call_later(self._key_screen_settled, screen)
        return False

    def _key_screen_settled(self, screen: Screen[Any]) -> None:
        self._key_settling.discard(screen)
        try:
            active = self.screen
        except Exception:
            return
        if active is screen:
            self._key_screen = weakref.ref(screen)
        self._key_release()

    def _key_watch(self) -> None:
        """Never let the keyboard stay stuck: a key whose sentinel was lost with a removed
        widget, or a screen that went away before it settled."""
        current, node = self._key_current, self._key_waiting_on
        # node is None while the App itself runs the key (a binding's action): nothing to wait
        # for but the App, which runs this watch only once it is done.
        if current is not None and node is not None:
            lost = not (node.is_running and node.is_attached)
            if lost and time.monotonic() - self._key_since > STUCK_AFTER_S:
                self._key_done()
                return
        if self._key_current is None and self._key_backlog:
            for screen in list(self._key_settling):
                if not screen.is_running and screen is not self._safe_screen():
                    self._key_settling.discard(screen)
            self._key_release()

    def _safe_screen(self) -> Screen[Any] | None:
        try:
            return self.screen
        except Exception:
            return None
