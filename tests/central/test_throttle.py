"""Failed authentication is throttled per client address: a few failures, then 429 with
Retry-After until the address cools down; good tokens are never slowed; each failure is logged
by address and count, never with the token."""

from __future__ import annotations

import logging
import secrets

import httpx
import pytest

from central import service
from central.app import create_app
from central.db import make_engine
from central.throttle import BURST, FailureThrottle, client_key
from tests.central.backends import BACKENDS, database
from tests.sync.central_process import CentralProcess
from tests.sync.helpers import sample_item


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the bucket --------------------------------------------------------------------------------


def test_a_few_failures_then_wait_until_it_cools_down():
    clock = Clock()
    throttle = FailureThrottle(burst=5, per_minute=5, clock=clock)
    verdicts = [throttle.failed("10.0.0.1") for _ in range(8)]
    assert [v.retry_after for v in verdicts[:5]] == [0] * 5
    assert all(1 <= v.retry_after <= 12 for v in verdicts[5:])
    assert [v.failures for v in verdicts] == list(range(1, 9))
    assert throttle.failed("10.0.0.2").retry_after == 0  # another address is not affected
    clock.now += verdicts[-1].retry_after
    assert throttle.failed("10.0.0.1").retry_after == 0  # one allowance back, one failure
    assert throttle.failed("10.0.0.1").retry_after > 0
    clock.now += 3600  # a quiet hour: the whole burst again, and the count starts over
    again = [throttle.failed("10.0.0.1") for _ in range(5)]
    assert [v.retry_after for v in again] == [0] * 5
    assert again[0].failures == 1


def test_retry_after_is_when_the_next_failure_is_allowed():
    clock = Clock()
    throttle = FailureThrottle(burst=1, per_minute=6, clock=clock)  # one every 10 s
    assert throttle.failed("a").retry_after == 0
    assert throttle.failed("a").retry_after == 10
    clock.now += 4
    assert throttle.failed("a").retry_after == 6
    clock.now += 6
    assert throttle.failed("a").retry_after == 0


def test_memory_stays_bounded_under_many_addresses():
    clock = Clock()
    throttle = FailureThrottle(burst=2, per_minute=1, max_addresses=100, clock=clock)
    for n in range(5000):
        throttle.failed(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
    assert len(throttle) == 100
    # The most recent failures are the ones remembered.
    throttle.failed("10.0.19.135")
    assert throttle.failed("10.0.19.135").retry_after > 0


def test_ipv6_is_counted_per_64_and_mapped_ipv4_as_ipv4():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_key(None) == "unknown"


# --- in the app --------------------------------------------------------------------------------


async def test_throttled_address_gets_429_and_good_tokens_still_work(engine, caplog):
    clock = Clock()
    app = create_app(engine, throttle=FailureThrottle(clock=clock))
    good = {"Authorization": f"Bearer {service.issue_token(engine, 'laptop-1')}"}
    marker = secrets.token_hex(8)
    caplog.set_level(logging.WARNING, logger="central")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://central.test"
    ) as client:
        statuses = []
        for n in range(BURST + 3):
            bad = {"Authorization": f"Bearer guess-{n}-{marker}"}
            response = await client.get("/referrals", headers=bad)
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert 1 <= int(response.headers["retry-after"]) <= 60
            # Between the failures, the good laptop at the same address carries on at once.
            batch = await client.post(
                "/referrals/batch", json={"items": [sample_item(f"ref-{n}")]}, headers=good
            )
            assert batch.status_code == 200
            assert batch.json()["results"][0]["outcome"] == "acknowledged"
        assert statuses == [401] * BURST + [429] * 3
        clock.now += 60  # cooled down
        assert (await client.get("/referrals", headers={"Authorization": "x"})).status_code == 401
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert marker not in logged and "guess-" not in logged
    assert "authentication failed from 127.0.0.1 (1 failures)" in logged
    assert f"({BURST + 1} failures); throttled for" in logged


# --- a real central process ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_hammering_a_real_central_with_bad_tokens(backend, tmp_path):
    with database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            token = service.issue_token(engine, "laptop-1")
        finally:
            engine.dispose()
        log_path = tmp_path / "central.stderr"
        marker = secrets.token_urlsafe(12)
        with (
            CentralProcess(url, log_path=log_path) as central,
            httpx.Client(base_url=central.url, timeout=10) as client,
        ):
            answers = [
                client.get("/referrals", headers={"Authorization": f"Bearer {marker}{n:03d}"})
                for n in range(100)
            ]
            statuses = [a.status_code for a in answers]
            assert statuses[:BURST] == [401] * BURST
            assert statuses[BURST:] == [429] * (100 - BURST)
            assert all(1 <= int(a.headers["retry-after"]) <= 60 for a in answers[BURST:])
            assert all("retry-after" not in a.headers for a in answers[:BURST])
            # The device with its real token, from the same throttled address: not slowed.
            good = {"Authorization": f"Bearer {token}"}
            for n in range(5):
                sent = client.post(
                    "/referrals/batch", json={"items": [sample_item(f"ref-{n}")]}, headers=good
                )
                assert sent.status_code == 200, sent.text
                assert sent.json()["results"][0]["outcome"] == "acknowledged"
            assert client.get("/referrals", headers=good).json()["count"] == 5
            # Another loopback address has its own count (the bucket is per address).
            with httpx.Client(
                base_url=central.url,
                timeout=10,
                transport=httpx.HTTPTransport(local_address="127.0.0.2"),
            ) as other:
                bad = {"Authorization": f"Bearer {marker}-other"}
                assert other.get("/referrals", headers=bad).status_code == 401
        logged = log_path.read_text(encoding="utf-8", errors="replace")
    assert marker not in logged and token not in logged
    assert "Bearer" not in logged
    failures = [line for line in logged.splitlines() if "authentication failed from" in line]
    assert len([f for f in failures if "from 127.0.0.1 " in f]) == 100
    assert "authentication failed from 127.0.0.1 (100 failures); throttled for" in logged
    assert "authentication failed from 127.0.0.2 (1 failures)" in logged
