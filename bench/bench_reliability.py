"""Reliability as the officer meets it: keys typed in bursts on a busy laptop, and files put back
or taken away behind the app's back.

Keys:
- reliability.keystroke_mismatches: the real ``duty-tui`` in a pseudo-terminal (read through a
  terminal emulator, as tmux would show it), with two CPU hogs running; bursts of Tab /
  Shift+Tab runs followed at once by characters, End / Home and Backspace runs, each burst in
  one write or key by key 10 ms apart (tests/tui/keyscript.py), over at least 2,000 keys; then
  the case is read back from the store. The figure is how many fields differ from what the keys
  made of them. Goal 0. reliability.keys_typed says how many keys were sent.
- reliability.rollbacks_tried / reliability.rollbacks_detected: scenarios of a file put back to
  an older copy, deleted, damaged or slipped in (a case, the outbox, the settings, the
  manifest, ...), each on a store made through the real CLI; detected when ``duty-tui doctor``
  exits 1 naming what was done to which case or part. Goal: equal.

Run alone: python -m bench.bench_reliability
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KEY_RUNS = [(21, 0.0, 700), (22, 0.01, 700), (23, 0.0, 700)]  # seed, gap between keys, keys


def keystrokes() -> dict[str, float]:
    from tests.tui.conftest import make_store
    from tests.tui.ptyapp import CpuHog
    from tests.tui.test_key_order_pty import run_pty_script

    mismatched = 0
    typed = 0
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as tmp, CpuHog(2):
        for seed, gap, keys in KEY_RUNS:
            data_dir = Path(tmp) / f"data-{seed}"
            make_store(data_dir)
            script, wrong = run_pty_script(
                data_dir, Path(tmp) / f"cfg-{seed}", seed=seed, keys=keys, per_key_gap_s=gap
            )
            typed += script.keys
            mismatched += len(wrong)
    return {"reliability.keystroke_mismatches": mismatched, "reliability.keys_typed": typed}


# --- rollbacks ---------------------------------------------------------------------------------

PASS = "bench reliability passphrase"
EXAMPLE = ROOT / "docs" / "examples" / "case.json"


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"DUTY_TUI_PASSPHRASE": PASS}
    return subprocess.run(
        [sys.executable, "-m", "duty_tui.cli", *args, "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _store(data_dir: Path) -> None:
    """Two cases imported, one saved again, an outbox and settings written: what a day leaves."""
    from duty_tui.config import OfficerProfile, save_profile
    from records.caseformat import load_cases
    from records.model import Jurisdiction
    from store import Store
    from store.cases import CaseRepository
    from store.outbox import NewEntry, Outbox

    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    second = json.loads(json.dumps(doc["cases"][0]))
    second["id"], second["case_number"] = "case-example-2", "ZZ26P00002"
    doc["cases"].append(second)
    source = data_dir.parent / f"{data_dir.name}.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    done = _cli("import", str(source), data_dir=data_dir)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    with Store.open(data_dir, PASS) as store:
        repo = CaseRepository(store)
        case = load_cases(source.read_bytes())[0]
        save_profile(
            store,
            OfficerProfile(officer=case.officer, court=case.court, jurisdiction=Jurisdiction.WALES),
        )
        outbox = Outbox(store)
        outbox.enqueue_many([NewEntry("ref-1", 1, case.id, {"x": 1})])
        repo.save(case)


def _copy_then_change(
    data_dir: Path, relative: Callable[[Path], Path], change: Callable[[Path], None]
) -> None:
    """Keep a copy of a file, make the app write it again, put the copy back."""
    path = relative(data_dir)
    kept = path.read_bytes()
    change(data_dir)
    path.write_bytes(kept)


def _case_file(data_dir: Path, number: str = "ZZ26P00001") -> Path:
    from store import Store

    with Store.open(data_dir, PASS) as store:
        [case_id] = [i for i, s in store.summaries().items() if s["case_number"] == number]
        return store.case_path(case_id)


def _resave_case(data_dir: Path) -> None:
    from store import Store

    with Store.open(data_dir, PASS) as store:
        for case_id, summary in store.summaries().items():
            store.save_case(case_id, store.load_case(case_id), summary)


def _write_tables(data_dir: Path) -> None:
    from store import Store
    from store.outbox import NewEntry, Outbox

    with Store.open(data_dir, PASS) as store:
        Outbox(store).enqueue_many([NewEntry("ref-2", 1, "case-example-1", {"x": 2})])
        store.table("settings").insert({"key": "bench", "value": 1})


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _delete_case_then_restore(data_dir: Path) -> None:
    from store import Store

    path = _case_file(data_dir, "ZZ26P00002")
    kept = path.read_bytes()
    _resave_case(data_dir)
    with Store.open(data_dir, PASS) as store:
        store.delete_case("case-example-2")
    path.write_bytes(kept)


def _foreign_case_file(data_dir: Path) -> None:
    other = data_dir.parent / f"{data_dir.name}-other"
    _store(other)
    foreign = _case_file(other, "ZZ26P00001")
    shutil.copy(foreign, data_dir / "cases" / foreign.name.replace(foreign.name[:4], "0000"))


Scenario = tuple[str, Callable[[Path], None], str]

SCENARIOS: list[Scenario] = [
    (
        "older case file put back",
        lambda d: _copy_then_change(d, _case_file, _resave_case),
        "case ZZ26P00001: its file is older than the last save",
    ),
    ("case file deleted", lambda d: _case_file(d).unlink(), "case ZZ26P00001: its file is missing"),
    (
        "outbox and sync log deleted",
        lambda d: [(d / "tables" / n).unlink() for n in ("outbox.jnl", "sync_log.jnl")],
        "the referral outbox: its file is missing",
    ),
    (
        "older outbox put back",
        lambda d: _copy_then_change(d, lambda d: d / "tables" / "outbox.jnl", _write_tables),
        "the referral outbox: its file is older than the last save",
    ),
    (
        "older settings put back",
        lambda d: _copy_then_change(d, lambda d: d / "tables" / "settings.db", _write_tables),
        "the settings: its file is older than the last save",
    ),
    ("settings deleted", lambda d: (d / "tables" / "settings.db").unlink(), "the settings"),
    (
        "case file damaged",
        lambda d: _flip(_case_file(d)),
        "case ZZ26P00001: its file is damaged",
    ),
    ("outbox damaged", lambda d: _flip(d / "tables" / "outbox.jnl"), "the referral outbox"),
    (
        "deleted case's file put back",
        _delete_case_then_restore,
        "the file of this deleted case came back",
    ),
    ("manifest deleted", lambda d: (d / "manifest.log").unlink(), "the store's manifest"),
    ("a stranger's case file slipped in", _foreign_case_file, "a file this store did not write"),
]


def rollbacks() -> dict[str, float]:
    detected = 0
    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-rollback-") as tmp:
        for n, (name, damage, expected) in enumerate(SCENARIOS):
            data_dir = Path(tmp) / f"s{n}"
            _store(data_dir)
            damage(data_dir)
            done = _cli("doctor", data_dir=data_dir)
            if done.returncode == 1 and expected in done.stdout:
                detected += 1
            else:
                missed.append(f"{name}: exit {done.returncode}: {done.stdout[-300:]}")
    for line in missed:
        print(f"  not detected: {line}", file=sys.stderr)
    return {
        "reliability.rollbacks_tried": len(SCENARIOS),
        "reliability.rollbacks_detected": detected,
    }


def run() -> dict[str, float]:
    results: dict[str, float] = {}
    results.update(rollbacks())
    results.update(keystrokes())
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
