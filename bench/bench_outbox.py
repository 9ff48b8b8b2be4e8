"""Queueing one referral into an outbox that already holds N entries (the encrypted store,
fsyncs and all; the cheap test KDF because unlocking is not measured here).

Keys:
- outbox.queue_p95_ms.100     p95 of 50 single enqueues on top of 100 entries
- outbox.queue_p95_ms.10000   the same on top of 10,000: the ratio to .100 shows whether a
                              queue rewrites the outbox (grows with N) or appends (flat)

Run alone: python -m bench.bench_outbox
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.bench_sync import PASSPHRASE, _payload
from store import KdfParams, Store
from store.outbox import NewEntry, Outbox

SAMPLES = 50


def _queue_p95_ms(data_dir: Path, preload: int) -> float:
    payload = _payload()
    store = Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests())
    try:
        outbox = Outbox(store)
        outbox.enqueue_many(
            [NewEntry(f"pre-{i:05d}", 1, f"case-{i % 500}", payload) for i in range(preload)]
        )
        times: list[float] = []
        for i in range(SAMPLES):
            started = time.perf_counter()
            outbox.enqueue(f"new-{i:03d}", 1, case_id="case-new", payload=payload)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.quantiles(times, n=20)[-1]
    finally:
        store.close()


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp:
        return {
            f"outbox.queue_p95_ms.{n}": _queue_p95_ms(Path(tmp) / str(n), n) for n in (100, 10_000)
        }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
