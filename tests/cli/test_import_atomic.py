"""An import lands whole or not at all, whatever stops it: SIGINT, SIGTERM or SIGKILL at a
random moment leaves none of the file's cases (or, once it has finished, all of them), and
running the same import again then works."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store import KdfParams, Store

from .conftest import EXAMPLE, PASS

ROOT = Path(__file__).resolve().parents[2]
CASES = 400


def _big_file(tmp_path: Path) -> Path:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    template = doc["cases"][0]
    cases = []
    for n in range(CASES):
        case = json.loads(json.dumps(template))
        case["id"] = f"bulk-{n:05d}"
        case["case_number"] = f"ZZ25P{n:05d}"
        cases.append(case)
    doc["cases"] = cases
    path = tmp_path / "day.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _count(data_dir: Path) -> tuple[int, list]:
    with Store.open(data_dir, PASS) as store:
        return len(store.summaries()), store.problems()


def _import(data_dir: Path, source: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {"DUTY_TUI_PASSPHRASE": PASS}
    return subprocess.Popen(
        [sys.executable, "-m", "duty_tui.cli", "import", str(source), "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_an_interrupted_import_leaves_all_or_nothing(tmp_path: Path):
    source = _big_file(tmp_path)
    data_dir = tmp_path / "data"
    with Store.create(data_dir, PASS, kdf=KdfParams.for_tests()) as store:
        store.save_case("already-here", {"v": 1}, {"case_number": "ZZ26P00001"})
    # How long a whole import takes here, to aim the signals inside it.
    probe_dir = tmp_path / "probe"
    with Store.create(probe_dir, PASS, kdf=KdfParams.for_tests()):
        pass
    started = time.monotonic()
    done = _import(probe_dir, source)
    assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""
    whole = time.monotonic() - started
    rng = random.Random(9)
    outcomes = {"none": 0, "all": 0}
    for signum in [signal.SIGINT, signal.SIGTERM, signal.SIGKILL] * 4:
        child = _import(data_dir, source)
        time.sleep(rng.uniform(0.2, whole * 1.1))  # when the signal comes, not a wait for it
        child.send_signal(signum)
        child.wait(timeout=120)
        count, problems = _count(data_dir)
        assert problems == []
        assert count in (1, 1 + CASES), (signum, count)
        if count == 1:
            outcomes["none"] += 1
            continue
        outcomes["all"] += 1
        # It finished before the signal: take it back out for the next round.
        with Store.open(data_dir, PASS) as store:
            for case_id in [i for i in store.summaries() if i.startswith("bulk-")]:
                store.delete_case(case_id)
    assert outcomes["none"] >= 6, outcomes
    # And the same import, run again to the end, works.
    again = _import(data_dir, source)
    assert again.wait(timeout=300) == 0
    assert _count(data_dir) == (1 + CASES, [])
