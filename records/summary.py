"""The few facts of a case the duty list shows without opening (decrypting) the case itself."""

from __future__ import annotations

from typing import Any

from records.model import Case, DirectionStatus, PartyRole, ReferralState
from records.monitoring import summary_marks


def case_summary(case: Case) -> dict[str, Any]:
    """Plain JSON data for the store's index; the store keeps it encrypted like the case."""
    principal = [p for p in case.parties if p.role is not PartyRole.OTHER_FAMILY_MEMBER]
    return {
        "case_number": case.case_number,
        "court": case.court,
        "jurisdiction": case.jurisdiction.value,
        "hearing_date": case.hearing.date.isoformat(),
        "parties": [p.name for p in principal] or [p.name for p in case.parties],
        "children": len(case.children),
        "screening_complete": case.screening.complete,
        "directions": sum(1 for d in case.directions if d.status is not DirectionStatus.WITHDRAWN),
        # Queued or on their way: not yet acknowledged by central records (the duty-list badge).
        "referrals_queued": sum(
            1 for r in case.referrals if r.state in (ReferralState.QUEUED, ReferralState.SENT)
        ),
        # s11G monitoring owed to the court: the duty list marks it due or overdue by date.
        "monitoring": summary_marks(
            d.monitoring
            for d in case.directions
            if d.monitoring is not None and d.status is not DirectionStatus.WITHDRAWN
        ),
    }
