"""Central's own append-only record of what arrived from which device (SQLite and PostgreSQL):
every item of every batch, with who queued it and when, written with the batch and never
updated or deleted; `duty-central arrivals` prints it."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from central import service
from central.cli import main
from central.db import Arrival, Submission
from tests.sync.helpers import sample_item

AUDIT = {"queued_by": "Officer Ffug", "queued_at": "2026-11-23T10:15:00+00:00"}


def _rows(engine) -> list[tuple]:
    with Session(engine) as session:
        return [
            (a.device_id, a.referral_id, a.revision, a.outcome, a.code, a.queued_by, a.queued_at)
            for a in session.scalars(select(Arrival).order_by(Arrival.id))
        ]


def test_every_item_that_arrives_is_recorded_with_its_outcome_and_who_queued_it(engine):
    device = service.authenticate(engine, service.issue_token(engine, "laptop-1"))
    assert device is not None
    first = {**sample_item("ref-1"), "audit": AUDIT}
    malformed = {**sample_item("ref-2"), "sha256": "0" * 64}
    results = service.submit_batch(engine, device, [first, malformed, {"junk": 1}])
    assert [r.outcome for r in results] == ["acknowledged", "rejected", "rejected"]
    resent = service.submit_batch(engine, device, [first])  # the answer was lost: a resend
    assert resent[0].duplicate
    assert _rows(engine) == [
        (device, "ref-1", 1, "acknowledged", 200, "Officer Ffug", AUDIT["queued_at"]),
        (device, "ref-2", 1, "rejected", 422, "", ""),
        (device, "", 0, "rejected", 422, "", ""),
        (device, "ref-1", 1, "duplicate", 200, "Officer Ffug", AUDIT["queued_at"]),
    ]
    # Keys, outcomes and the officer's name: nothing of the case.
    columns = {c["name"] for c in inspect(engine).get_columns("arrivals")}
    assert columns == {
        "id", "device_id", "referral_id", "revision", "outcome", "code",
        "queued_by", "queued_at", "received_at",
    }  # fmt: skip


def test_a_bad_audit_refuses_the_item_not_the_batch(engine):
    device = service.authenticate(engine, service.issue_token(engine, "laptop-1"))
    bad = {**sample_item("ref-1"), "audit": {"queued_by": "x\x1b[31m", "queued_at": "today"}}
    results = service.submit_batch(engine, device, [bad, sample_item("ref-2")])
    assert [r.outcome for r in results] == ["rejected", "acknowledged"]
    assert [row[3] for row in _rows(engine)] == ["rejected", "acknowledged"]


def test_the_record_commits_with_the_batch_or_not_at_all(engine, monkeypatch):
    device = service.authenticate(engine, service.issue_token(engine, "laptop-1"))

    def fail(*_args, **_kwargs):
        raise RuntimeError("the record cannot be written")

    monkeypatch.setattr(service, "record_arrivals", fail)
    with pytest.raises(RuntimeError):
        service.submit_batch(engine, device, [sample_item("ref-1")])
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 0


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_database_refuses_to_change_an_arrival(engine, change):
    device = service.authenticate(engine, service.issue_token(engine, "laptop-1"))
    service.submit_batch(engine, device, [{**sample_item("ref-1"), "audit": AUDIT}])
    statement = (
        update(Arrival).values(outcome="rejected") if change == "update" else delete(Arrival)
    )
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(statement)
    assert len(_rows(engine)) == 1 and _rows(engine)[0][3] == "acknowledged"


def test_duty_central_arrivals_prints_the_record(db_url, engine, capsys):
    device = service.authenticate(engine, service.issue_token(engine, "laptop-1"))
    other = service.authenticate(engine, service.issue_token(engine, "laptop-2"))
    service.submit_batch(engine, device, [{**sample_item("ref-1"), "audit": AUDIT}])
    service.submit_batch(engine, other, [sample_item("ref-2")])
    capsys.readouterr()
    assert main(["arrivals", "--db", db_url]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [line[1:] for line in lines] == [
        ["laptop-1", "ref-1", "1", "acknowledged", "200", "Officer Ffug", AUDIT["queued_at"]],
        ["laptop-2", "ref-2", "1", "acknowledged", "200", "", ""],
    ]
    assert main(["arrivals", "--device", "laptop-2", "--db", db_url]) == 0
    assert [line.split("\t")[2] for line in capsys.readouterr().out.splitlines()] == ["ref-2"]


def test_migration_0003_goes_down_and_up_again(engine):
    from alembic import command

    from central.db import alembic_config, upgrade

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    assert "arrivals" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "arrivals" in inspect(engine).get_table_names()
    device = service.authenticate(engine, service.issue_token(engine, "laptop-1"))
    service.submit_batch(engine, device, [sample_item("ref-1")])
    assert len(_rows(engine)) == 1
