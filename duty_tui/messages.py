"""What the app tells its screens, as Textual messages: a screen reacts in a handler
(``on_case_saved``...) instead of the app probing it for methods.

What the app sends to each screen does not bubble: a screen that ignores it must not hand it
back up to the app, which would send it again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from duty_tui.config import OfficerProfile
    from records.model import Case
    from store import Store


class CaseSaved(Message, bubble=False):
    """A case is on disk."""

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id


class CaseSaveFailed(Message, bubble=False):
    """A case (or the text kept for its fields) could not be written; it is tried again."""

    def __init__(self, case_id: str, reason: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.reason = reason


class ReferralsChanged(Message, bubble=False):
    """Central changed referrals: ``case`` is the open case brought up to date (None: only
    the duty list's badges may be stale)."""

    def __init__(self, case: Case | None) -> None:
        super().__init__()
        self.case = case


class OpenCase(Message):
    """The officer chose a case to open (the duty list, the palette)."""

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id


class Unlocked(Message):
    """The unlock screen opened the store and knows the officer: the session can start."""

    def __init__(self, store: Store, profile: OfficerProfile) -> None:
        super().__init__()
        self.store = store
        self.profile = profile


class StoreTrouble(Message):
    """A store file turned out damaged or missing during the session: say which."""
