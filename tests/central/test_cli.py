"""`duty-central` administration commands, in-process (serve is exercised in tests/sync)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from central import service
from central.cli import _is_loopback, main
from central.db import Device, make_engine
from tests.sync.helpers import ROOT, sample_item


def test_issue_token_prints_it_once_and_keeps_only_its_hash(db_url, capsys):
    assert main(["issue-token", "--device", "laptop-7", "--db", db_url]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert len(token) >= 40 and token not in err
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            stored = session.scalar(select(Device.token_sha256).where(Device.name == "laptop-7"))
        assert stored == service.token_hash(token)
        assert service.authenticate(engine, token) is not None
        assert main(["revoke-token", "--device", "laptop-7", "--db", db_url]) == 0
        assert service.authenticate(engine, token) is None
    finally:
        engine.dispose()


def test_load_providers_all_or_nothing(db_url, tmp_path, capsys):
    sample = ROOT / "duty_tui" / "data" / "sample_providers.json"
    assert main(["load-providers", str(sample), "--db", db_url]) == 0
    broken = json.loads(sample.read_text(encoding="utf-8"))
    broken["providers"][1]["venue_postcode"] = "NOT A POSTCODE"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    assert main(["load-providers", str(bad), "--db", db_url]) == 2
    assert "$.providers[1]" in capsys.readouterr().err
    engine = make_engine(db_url)
    try:
        body, _etag = service.providers_document(engine)
        count = len(json.loads(body)["providers"])
        assert count == len(json.loads(sample.read_text(encoding="utf-8"))["providers"])
    finally:
        engine.dispose()
    assert main(["load-providers", str(tmp_path / "missing.json"), "--db", db_url]) == 2


def test_set_status(db_url, capsys):
    engine = make_engine(db_url)
    try:
        device = service.authenticate(engine, service.issue_token(engine, "laptop"))
        service.submit_batch(engine, device, [sample_item("ref-1")])
    finally:
        engine.dispose()
    argv = ["set-status", "--db", db_url, "--referral", "ref-1", "--status"]
    assert main([*argv, "accepted"]) == 0
    assert "ref-1 r1: accepted" in capsys.readouterr().out
    assert main([*argv, "rejected"]) == 2  # a rejection needs a reason
    assert "reason" in capsys.readouterr().err
    assert main([*argv, "rejected", "--reason", "Provider full", "--by", "provider"]) == 0
    assert main([*argv, "accepted"]) == 2


def test_loopback_is_the_default_and_recognised():
    from central.cli import DEFAULT_HOST

    assert _is_loopback(DEFAULT_HOST) and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.4")
