"""What a referral is, in the officer's words. No Textual, no I/O.

A withdrawal is a revision of the referral whose outbox action is "withdraw": central
acknowledges the *withdrawal*, so the Referral's state alone ("acknowledged") reads as if the
referral stood. ``referral_view`` marks it in the reason ("withdrawn" / "withdrawn: why");
these helpers read that mark so every screen says the same thing.
"""

from __future__ import annotations

from records.model import Referral, ReferralState


def is_withdrawn(referral: Referral) -> bool:
    return referral.reason == "withdrawn" or referral.reason.startswith("withdrawn: ")


def state_words(referral: Referral) -> str:
    """The referral's state as the officer needs it: a withdrawal says so, and whether
    central has heard of it yet."""
    if is_withdrawn(referral):
        if referral.state is ReferralState.ACKNOWLEDGED:
            return "withdrawn (central acknowledged)"
        return "withdrawn (central not yet told)"
    return referral.state.value
