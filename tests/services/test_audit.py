"""The audit trail (services/audit.py): entries chained by digest, edits named by field, never
by value; the desk writes an entry for each thing the officer does."""

from __future__ import annotations

import attrs

from duty_tui.config import OfficerProfile
from duty_tui.desk import Desk
from duty_tui.services.audit import AuditLog, changed_fields
from store import KdfParams, Store

from .factories import make_case


def _desk(tmp_path) -> Desk:
    store = Store.create(
        tmp_path / "data", "audit passphrase not secret", kdf=KdfParams.for_tests()
    )
    profile = OfficerProfile.parse("Officer Ffug", "FCA", "Example Family Court", "wales")
    return Desk(store, profile)


def test_changed_fields_names_paths_never_values():
    case = make_case()
    party = attrs.evolve(case.parties[0], name="Secret Newname")
    edited = attrs.evolve(case, parties=(party, *case.parties[1:]))
    fields = changed_fields(case, edited)
    assert fields == ["parties[0].name"]
    assert "Secret" not in " ".join(fields)
    assert changed_fields(None, edited) == []
    assert changed_fields(case, case) == []


def test_the_desk_records_creation_and_edits_by_field(tmp_path):
    desk = _desk(tmp_path)
    try:
        case = make_case()
        desk.save_case(case)
        party = attrs.evolve(case.parties[0], name="Secret Newname")
        desk.save_case(attrs.evolve(case, parties=(party, *case.parties[1:])))
        desk.saver.flush()
        entries = desk.audit_log.entries(case.id)
        assert [(e.action, e.detail) for e in entries] == [
            ("case created", ()),
            ("case edited", ("parties[0].name",)),
        ]
        assert all(e.who == "Officer Ffug" and e.case_number == case.case_number for e in entries)
        assert desk.audit_log.breaks() == []
    finally:
        desk.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
    assert b"Secret Newname" not in raw and b"parties[0].name" not in raw  # encrypted


def test_the_chain_survives_reopening(tmp_path):
    desk = _desk(tmp_path)
    store = desk.store
    trail = AuditLog(store, "Officer Ffug", clock=lambda: "2026-12-04T09:00:00+00:00")
    for action in ("unlocked", "locked", "unlocked"):
        trail.record(action)
    desk.close()
    store = Store.open(tmp_path / "data", "audit passphrase not secret")
    try:
        again = AuditLog(store, "Officer Ffug")
        again.record("locked")
        assert [e.action for e in again.entries()][-4:] == [
            "unlocked",
            "locked",
            "unlocked",
            "locked",
        ]
        assert again.breaks() == []
    finally:
        store.close()
