"""Shared by the command-line tests: the documented example case file and an isolated store."""

import json
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "case.json"
PASS = "correct horse battery staple"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DUTY_TUI_PASSPHRASE", PASS)
    monkeypatch.delenv("DUTY_TUI_DATA_DIR", raising=False)
    return tmp_path / "data"


def two_case_doc(tmp_path):
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    second = json.loads(json.dumps(doc["cases"][0]))
    second["id"] = "case-example-2"
    second["case_number"] = "ZZ26P00002"
    second["hearing"]["date"] = "2026-11-24"
    doc["cases"].append(second)
    path = tmp_path / "two.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path
