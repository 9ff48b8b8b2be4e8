"""The PostgreSQL load bench's harness, tiny: 3 devices × 4 referrals, two workers."""

from __future__ import annotations

from bench import bench_central_pg
from tests.central.backends import require_postgres


def test_the_load_bench_reports_its_figures_and_stores_each_referral_once():
    require_postgres()
    figures = bench_central_pg.run(devices=3, referrals=4, workers=2, batch=3)
    assert figures["central.pg_duplicates"] == 0
    assert figures["central.pg_failed_items"] == 0
    assert figures["central.pg_referrals_per_s"] > 0
    assert figures["central.pg_baseline_referrals_per_s"] > 0
    assert figures["central.pg_batch_p99_ms"] > 0
