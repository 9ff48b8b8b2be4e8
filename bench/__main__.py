"""`make bench`: run every bench_*.py, write bench/results.json, print the figures and targets.

Targets are ratios against a baseline measured in the same run wherever the issue allows it:
these machines are noisy, so an absolute number alone says little.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

SUITES = [
    "bench_store",
    "bench_tui",
    "bench_tui_sync",
    "bench_sync",
    "bench_sync_cli",
    "bench_outbox",
    "bench_reliability",
    "bench_security",
    "bench_central_pg",
]
RESULTS = Path(__file__).with_name("results.json")

# name, description, check(results) -> (value shown, passed) ; None where a figure is missing.
Target = tuple[str, Callable[[dict[str, float]], tuple[str, bool] | None]]


def _le(key: str, limit: float, unit: str = "") -> Target:
    def check(r: dict[str, float]) -> tuple[str, bool] | None:
        if key not in r:
            return None
        return f"{r[key]:.3g}{unit} (≤ {limit:g}{unit})", r[key] <= limit

    return f"{key} ≤ {limit:g}{unit}", check


def _ge(key: str, limit: float, unit: str = "") -> Target:
    def check(r: dict[str, float]) -> tuple[str, bool] | None:
        if key not in r:
            return None
        return f"{r[key]:.3g}{unit} (≥ {limit:g}{unit})", r[key] >= limit

    return f"{key} ≥ {limit:g}{unit}", check


def _ratio(top: str, bottom: str, limit: float, *, inverse: bool = False) -> Target:
    def check(r: dict[str, float]) -> tuple[str, bool] | None:
        if top not in r or bottom not in r or not r[bottom] or not r[top]:
            return None
        ratio = r[bottom] / r[top] if inverse else r[top] / r[bottom]
        return f"{ratio:.2f}× (≤ {limit:g}×)", ratio <= limit

    a, b = (bottom, top) if inverse else (top, bottom)
    return f"{a} / {b} ≤ {limit:g}×", check


TARGETS: list[Target] = [
    _le("store.save_p95_ms.10000", 10, " ms"),
    _ratio("store.save_p95_ms.10000", "store.save_p95_ms.100", 1.5),
    _le("store.unlock_s.10000", 1, " s"),
    _ratio("tui.first_screen_s", "tui.bare_textual_first_screen_s", 1.3),
    _le("tui.filter_keystroke_ms.10000", 16, " ms"),  # one frame (issue 13)
    _le("tui.rss_mb.10000", 150, " MB"),
    _le("tui.focus_move_ms", 16, " ms"),
    _le("tui.sync_max_stall_ms", 50, " ms"),
    _le("reliability.keystroke_mismatches", 0),
    _ratio("reliability.rollbacks_tried", "reliability.rollbacks_detected", 1),
    _le("security.hostile_inputs_mishandled", 0),
    _ge("sync.referrals_per_s", 200, "/s"),
    _ratio("sync.referrals_per_s_faults", "sync.referrals_per_s", 3, inverse=True),
    _le("sync.central_duplicates", 0),
    _ge("sync.e2e_referrals_per_s", 300, "/s"),
    _le("sync.noop_s.10000", 1, " s"),
    _le("outbox.queue_p95_ms.10000", 10, " ms"),
    _ratio("outbox.queue_p95_ms.10000", "outbox.queue_p95_ms.100", 1.5),
    _ge("central.pg_referrals_per_s", 1000, "/s"),
    _le("central.pg_batch_p99_ms", 1000, " ms"),
    _le("central.pg_duplicates", 0),
    _le("central.pg_failed_items", 0),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("suites", nargs="*", default=SUITES, help="which bench_* to run")
    args = parser.parse_args(argv)
    results: dict[str, float] = {}
    for name in args.suites:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            print(f"{name}: not available ({exc})", file=sys.stderr)
            continue
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.update({k: float(v) for k, v in module.run().items()})
        print(f"  {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    width = max((len(k) for k in results), default=10)
    print(f"\n{'figure':<{width}}  value")
    for key in sorted(results):
        print(f"{key:<{width}}  {results[key]:.4g}")
    print("\ntargets")
    missed = 0
    for label, check in TARGETS:
        outcome = check(results)
        if outcome is None:
            continue
        shown, passed = outcome
        missed += not passed
        print(f"  {'ok  ' if passed else 'MISS'}  {label}: {shown}")
    print(f"\nwrote {RESULTS}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
