"""Shared test material: a valid referral payload, wire items, stores, a case with directions."""

from __future__ import annotations

import copy
import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import attrs

from records.caseformat import load_cases
from records.model import (
    Activity,
    Case,
    Direction,
    DirectionStatus,
    FundingRoute,
    Referral,
)
from records.payload import (
    build_payload,
    content_of,
    content_sha256,
    payload_to_dict,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "case.json"
PASSPHRASE = "sync tests passphrase"


@cache
def example_case() -> Case:
    return load_cases(EXAMPLE.read_bytes())[0]


def case_with_directions(count: int, *, case_id: str = "case-1") -> Case:
    """The documented example case, with ``count`` directed WT4C directions for the applicant."""
    case = example_case()
    party = case.parties[0].id
    directions = tuple(
        Direction(
            activity=Activity.WT4C,
            party_id=party,
            provider_id="sample-wt4c-cardiff",
            funding=FundingRoute.LEGAL_AID,
            status=DirectionStatus.DIRECTED,
            directed_on=case.hearing.date,
            id=f"dir-{i}",
        )
        for i in range(count)
    )
    return attrs.evolve(case, id=case_id, directions=directions, referrals=())


@cache
def _payload() -> dict[str, Any]:
    case = case_with_directions(1)
    direction = case.directions[0]
    referral = Referral(
        direction_id=direction.id,
        party_id=direction.party_id,
        activity=direction.activity,
        provider_id=direction.provider_id,
    )
    return payload_to_dict(build_payload(case, direction, referral))


def sample_payload(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(_payload())
    payload.update(changes)
    return payload


def sample_item(
    referral_id: str = "ref-1",
    revision: int = 1,
    *,
    action: str = "refer",
    note: str = "",
    payload: dict[str, Any] | None = None,
    sha256: str | None = None,
) -> dict[str, Any]:
    """A wire item as the app sends it: content plus its sha256."""
    content = content_of(
        referral_id,
        revision,
        supersedes=None if revision == 1 else revision - 1,
        action=action,
        note=note,
        payload=payload if payload is not None else sample_payload(),
    )
    return {**content, "sha256": sha256 or content_sha256(content)}


def today() -> dt.date:
    return dt.date.today()
