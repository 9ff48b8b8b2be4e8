"""Real crashes: a child process saving cases is SIGKILLed, then the parent opens the store.

Every save the child reported as returned must be there byte for byte (or a newer one it was
in the middle of), and the store must open cleanly.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store import KdfParams, Store, WrongPassphrase
from store.manifest import COMPACT_MIN_RECORDS

from .conftest import ROOT
from .crash_child import CASE_IDS, PASSPHRASE, document_hash, make_document

CHILD = [sys.executable, "-m", "tests.store.crash_child"]
KILLS = int(os.environ.get("DUTY_TUI_CRASH_KILLS", "200"))


def _state(store: Store) -> dict[str, str | None]:
    """case id -> hash of its document (None: no such case), checking the manifest agrees.
    A crash is never mistaken for a missing, rolled back or damaged file."""
    assert store.problems() == []
    summaries = store.summaries()
    state: dict[str, str | None] = {}
    for case_id in sorted(set(CASE_IDS) | set(summaries)):
        if case_id not in summaries:
            state[case_id] = None
            continue
        digest = document_hash(store.load_case(case_id))
        assert summaries[case_id]["hash"] == digest, f"{case_id}: summary of another version"
        state[case_id] = digest
    return state


def _open_and_check(data_dir: Path) -> tuple[dict[str, str | None], str | None]:
    with Store.open(data_dir, PASSPHRASE) as store:
        state = _state(store)
        counter = store.table("settings").all()
    assert not list(data_dir.rglob("*.tmp")), "temp files cleaned up on open"
    rows = [row for row in counter if row.get("key") == "counter"]
    assert len(rows) <= 1
    return state, rows[0]["value"] if rows else None


# --- SIGKILL at each disk call of one operation -----------------------------------------------


def _setup(data_dir: Path, op: str) -> dict[str, str | None]:
    with Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()) as store:
        rng = random.Random(0)
        for case_id in CASE_IDS[:5]:
            document = {"id": case_id, "revision": "old", "pad": "p" * rng.randint(10, 900)}
            store.save_case(case_id, document, {"hash": document_hash(document)})
        store.table("settings").insert({"key": "counter", "value": "old"})
        store.journal("outbox").append([{"n": 1}, {"n": 2}])
        if op == "compact":
            # Fill the manifest so that the child's save is the one that compacts it.
            i = 0
            while store._log.records < COMPACT_MIN_RECORDS:
                document = {"id": "case-4", "revision": f"old{i}"}
                store.save_case("case-4", document, {"hash": document_hash(document)})
                i += 1
        return _state(store)


def _run_die(data_dir: Path, op: str, n: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CHILD, "die", str(data_dir), op, str(n)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "op",
    [
        "save_existing",
        "save_new",
        "delete",
        "save_many",
        "table",
        "compact",
        "journal_append",
        "journal_rewrite",
    ],
)
def test_sigkill_at_every_disk_call(tmp_path: Path, op: str):
    probe = tmp_path / "probe"
    _setup(probe, op)
    done = _run_die(probe, op, -1)
    assert done.returncode == 0, done.stderr
    calls = int(done.stdout.split()[1])
    assert calls >= 3
    if op == "compact":
        assert calls > 10, "the save should have rewritten the manifest"
    # The documents the child writes (its random generator is seeded with the op's name).
    rng = random.Random(op)
    new_versions = {
        case_id: document_hash(make_document(rng, case_id, "new"))
        for case_id in [*CASE_IDS[:5], "case-new"]
    }
    if op == "save_many":
        with Store.open(probe, PASSPHRASE) as store:
            assert {k: v for k, v in _state(store).items() if v} == new_versions
    mixed = 0  # kills that left some of a save_cases's cases new and others old
    for n in range(calls):
        data_dir = tmp_path / f"kill{n}"
        before = _setup(data_dir, op)
        done = _run_die(data_dir, op, n)
        assert done.returncode == -signal.SIGKILL, (n, done.stdout, done.stderr)
        state, counter = _open_and_check(data_dir)
        changed = {k for k in state.keys() | before.keys() if state.get(k) != before.get(k)}
        if op in ("save_existing", "compact"):
            assert changed <= {"case-0"}
        elif op == "save_new":
            assert changed <= {"case-new"}
        elif op == "save_many":
            # Each case is its old or its new version, whichever others made it.
            assert changed <= {*CASE_IDS[:5], "case-new"}
            for case_id in changed:
                assert state[case_id] == new_versions[case_id], (n, case_id)
            mixed += 0 < len(changed) < len(new_versions)
        elif op == "delete":
            assert changed <= {"case-0"}
            assert state["case-0"] in (before["case-0"], None)
        if op == "table":
            with Store.open(data_dir, PASSPHRASE) as store:
                rows = store.table("settings").all()
            assert rows in (
                [{"key": "counter", "value": "old"}],
                [{"key": "counter", "value": "old"}, {"key": "added"}],
            )
        elif op.startswith("journal"):
            with Store.open(data_dir, PASSPHRASE) as store:
                assert store.problems() == []
                records = store.journal("outbox", critical=True).read()
            assert records in (
                [{"n": 1}, {"n": 2}],
                [{"n": 1}, {"n": 2}, {"n": "added"}],
                [{"n": "compacted"}],
            ), (n, records)
        else:
            assert counter == "old"
        with Store.open(data_dir, PASSPHRASE) as store:
            assert store.reindexed == 0, "the first open brought the manifest up to date"
    if op == "save_many":
        assert mixed, "some kills landed between the renames"


# --- SIGKILL at random moments of a saving loop ----------------------------------------------


def _many(value: str) -> dict[str, str]:
    """A save_cases line's value, ``case-1=digest,case-4=digest``, as case id -> digest."""
    return dict(pair.split("=", 1) for pair in value.split(","))


def _apply(lines: list[str], acked: dict[str, str | None], counter: list[str | None]):
    """Update the acknowledged state from the child's output; return the op in flight."""
    pending: tuple[str, str, str | None] | None = None
    for line in lines:
        parts = line.split()
        if len(parts) != 4:
            continue  # a line cut by the kill
        phase, op, key, value = parts
        new_value: str | None = None if op == "del" else value
        if phase == "B":
            pending = (op, key, new_value)
        elif phase == "A":
            assert pending == (op, key, new_value), f"ack without begin: {line}"
            if op == "tbl":
                counter[0] = value
            elif op == "many":
                acked.update(_many(value))
            else:
                acked[key] = new_value
            pending = None
    return pending


@pytest.mark.slow
def test_random_sigkills_never_lose_an_acknowledged_save(tmp_path: Path):
    data_dir = tmp_path / "data"
    Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()).close()
    rng = random.Random(20250310)
    acked: dict[str, str | None] = dict.fromkeys(CASE_IDS)
    counter: list[str | None] = [None]
    acknowledged_total = 0
    mid_operation_kills = 0
    started = time.monotonic()
    stderr_path = tmp_path / "child-stderr.txt"
    stderr_file = stderr_path.open("w")
    for kill in range(KILLS):
        # stdout is read through one buffered file object only: mixing readline() with
        # communicate() would drop lines readline() had already buffered.
        child = subprocess.Popen(
            [*CHILD, "loop", str(data_dir), str(kill)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            text=True,
        )
        assert child.stdout is not None
        out = ""
        if rng.random() < 0.25:
            # Anywhere from start-up on: imports, unlock, index repair, first saves.
            time.sleep(rng.uniform(0, 0.15))
        else:
            out = child.stdout.readline()
            assert out.strip() == "ready", out + stderr_path.read_text()
            time.sleep(rng.uniform(0, 0.03))
        child.send_signal(signal.SIGKILL)
        out += child.stdout.read()
        child.stdout.close()
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL, "child died on its own:\n" + (
            stderr_path.read_text()
        )
        lines = out.splitlines()
        acknowledged_total += sum(1 for line in lines if line.startswith("A "))
        pending = _apply([line for line in lines if line != "ready"], acked, counter)
        if pending is not None:
            mid_operation_kills += 1

        state, value = _open_and_check(data_dir)
        for case_id in set(state) | set(acked):
            allowed = {acked.get(case_id)}
            if pending is not None and pending[0] == "many":
                # Each case of an interrupted save_cases: its old or its new version.
                assert pending[2] is not None
                if case_id in _many(pending[2]):
                    allowed.add(_many(pending[2])[case_id])
            elif pending is not None and pending[0] != "tbl" and pending[1] == case_id:
                allowed.add(pending[2])
            assert state.get(case_id) in allowed, (kill, case_id, pending)
            acked[case_id] = state.get(case_id)
        allowed_counter = {counter[0]}
        if pending is not None and pending[0] == "tbl":
            allowed_counter.add(pending[2])
        assert value in allowed_counter, (kill, value, counter, pending)
        counter[0] = value

    stderr_file.close()
    elapsed = time.monotonic() - started
    print(
        f"\n{KILLS} kills, {acknowledged_total} acknowledged operations, "
        f"{mid_operation_kills} kills mid-operation, {elapsed:.1f} s"
    )
    assert acknowledged_total > KILLS, "the child got real work done between kills"
    assert mid_operation_kills > KILLS // 4, "kills landed inside saves, not only between"


# --- SIGKILL at each disk call of a key rotation -----------------------------------------------


def _everything(store: Store) -> tuple[dict[str, str | None], list[dict], list]:
    return _state(store), store.table("settings").all(), store.journal("outbox").read()


def test_sigkill_during_a_key_rotation_opens_with_exactly_one_passphrase(tmp_path: Path):
    """ "Change and re-encrypt" killed at each of its disk calls: the store opens with the old
    passphrase or the new one, never both, never neither, and holds exactly what it held."""
    from .crash_child import NEW_PASSPHRASE

    probe = tmp_path / "probe"
    _setup(probe, "rotate")
    done = _run_die(probe, "rotate", -1)
    assert done.returncode == 0, done.stderr
    calls = int(done.stdout.split()[1])
    assert calls > 15
    opened_with = {PASSPHRASE: 0, NEW_PASSPHRASE: 0}
    for n in range(calls):
        data_dir = tmp_path / f"rot{n}"
        before = _setup(data_dir, "rotate")
        with Store.open(data_dir, PASSPHRASE) as store:
            before_all = _everything(store)
        done = _run_die(data_dir, "rotate", n)
        assert done.returncode == -signal.SIGKILL, (n, done.stdout, done.stderr)
        opened = []
        for passphrase in (PASSPHRASE, NEW_PASSPHRASE):
            try:
                with Store.open(data_dir, passphrase) as store:
                    assert store.problems() == [], (n, store.problems())
                    assert _everything(store) == before_all, n
                    opened.append(passphrase)
            except WrongPassphrase:
                pass
        assert len(opened) == 1, (n, opened)
        opened_with[opened[0]] += 1
        generations = [p for p in data_dir.iterdir() if p.name.startswith("gen-")]
        assert len(generations) <= 1, (n, generations)
        assert not [p for p in generations if (p / "ROTATING").exists()]
        assert before
    assert opened_with[PASSPHRASE] and opened_with[NEW_PASSPHRASE], opened_with
