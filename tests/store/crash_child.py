"""Child process for the crash tests; run as ``python -m tests.store.crash_child``.

``loop <data_dir> <seed>``: save/delete cases and bump a table counter forever, printing
``B <op> <key> <value>`` before each operation and ``A <op> <key> <value>`` once it has
returned (flushed), until the parent SIGKILLs it.

``die <data_dir> <op> <n>``: do one operation and SIGKILL itself just before the n-th call
that changes the disk (n = -1: never; print how many such calls there were).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sys
import threading
from typing import Any

from tinydb import Query

from store import Store, durable

PASSPHRASE = "crash test passphrase"
NEW_PASSPHRASE = "crash test rotated passphrase"
CASE_IDS = [f"case-{i}" for i in range(12)]
NAMES = ["Gwenllïan Ŵyn Pŷr", "Dafydd ap Siôn", "Siân Ffransis", "Rhys Llŷr"]
# Every call that changes the disk goes through these.
DISK_CALLS = ("open", "write", "fsync", "replace", "ftruncate", "unlink", "rmdir")


def document_hash(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest()[:16]


def make_document(rng: random.Random, case_id: str, revision: str) -> dict[str, Any]:
    # Sizes vary so that some saves keep a file's size and some change it.
    size = rng.choice([200, 200, 1500, rng.randint(50, 6000)])
    return {
        "id": case_id,
        "revision": revision,
        "parties": [{"name": rng.choice(NAMES), "role": "applicant"}],
        "notes": "x" * size,
    }


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def loop(data_dir: str, seed: int) -> None:
    rng = random.Random(seed)
    store = Store.open(data_dir, PASSPHRASE)
    emit("ready")
    settings = store.table("settings")
    step = 0
    while True:
        step += 1
        case_id = rng.choice(CASE_IDS)
        roll = rng.random()
        if roll < 0.08:
            emit(f"B del {case_id} -")
            store.delete_case(case_id)
            emit(f"A del {case_id} -")
        elif roll < 0.25:
            # save_cases of a few distinct cases: after a kill each is its old or new version.
            chosen = rng.sample(CASE_IDS, rng.randint(2, 6))
            items = []
            for many_id in chosen:
                document = make_document(rng, many_id, f"{seed}.{step}")
                digest = document_hash(document)
                items.append((many_id, document, {"hash": digest, "name": document["parties"][0]}))
            value = ",".join(f"{i}={document_hash(d)}" for i, d, _s in items)
            emit(f"B many - {value}")
            store.save_cases(items)
            emit(f"A many - {value}")
        elif roll < 0.30:
            value = f"{seed}.{step}"
            emit(f"B tbl counter {value}")
            settings.upsert({"key": "counter", "value": value}, Query().key == "counter")
            emit(f"A tbl counter {value}")
        else:
            document = make_document(rng, case_id, f"{seed}.{step}")
            digest = document_hash(document)
            emit(f"B put {case_id} {digest}")
            store.save_case(case_id, document, {"hash": digest, "name": document["parties"][0]})
            emit(f"A put {case_id} {digest}")


class _DieAt:
    def __init__(self, n: int) -> None:
        self.n = n
        self.count = 0
        # save_cases fsyncs from several threads: the n-th call must be counted exactly once.
        self.lock = threading.Lock()

    def install(self) -> None:
        for name in DISK_CALLS:
            original = getattr(durable.syscalls, name)
            setattr(durable.syscalls, name, self._wrap(original))

    def _wrap(self, original: Any) -> Any:
        def call(*args: Any) -> Any:
            with self.lock:
                if self.count == self.n:
                    os.kill(os.getpid(), signal.SIGKILL)
                self.count += 1
            return original(*args)

        return call


def die(data_dir: str, op: str, n: int) -> None:
    store = Store.open(data_dir, PASSPHRASE)
    fault = _DieAt(n)
    fault.install()
    rng = random.Random(op)
    if op in ("save_existing", "compact"):
        document = make_document(rng, "case-0", "new")
        store.save_case("case-0", document, {"hash": document_hash(document)})
    elif op == "save_new":
        document = make_document(rng, "case-new", "new")
        store.save_case("case-new", document, {"hash": document_hash(document)})
    elif op == "save_many":
        # Every case of _setup's five, plus a new one, in one save_cases.
        items = []
        for case_id in [*CASE_IDS[:5], "case-new"]:
            document = make_document(rng, case_id, "new")
            items.append((case_id, document, {"hash": document_hash(document)}))
        store.save_cases(items)
    elif op == "delete":
        store.delete_case("case-0")
    elif op == "table":
        store.table("settings").insert({"key": "added"})
    elif op == "journal_append":
        store.journal("outbox").append([{"n": "added"}])
    elif op == "journal_rewrite":
        store.journal("outbox").rewrite([{"n": "compacted"}])
    elif op == "rotate":
        from store import KdfParams

        store.change_passphrase(PASSPHRASE, NEW_PASSPHRASE, kdf=KdfParams.for_tests(), rotate=True)
    else:
        raise SystemExit(f"unknown op {op}")
    emit(f"done {fault.count}")


def main() -> None:
    mode = sys.argv[1]
    if mode == "loop":
        loop(sys.argv[2], int(sys.argv[3]))
    elif mode == "die":
        die(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
