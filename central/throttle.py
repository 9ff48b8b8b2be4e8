"""Failed authentication, throttled per client address.

A token bucket per address: each failed authentication takes one of ``burst`` allowances, which
come back at ``per_minute``. With none left, a failure is answered 429 with how long to wait
(Retry-After) instead of 401. Only failures are counted, so a laptop with a good token is never
slowed, even behind the same address (a court building's NAT) as one with a bad one.

What this is for: a misconfigured or hostile client hammering central gets told to stop, at
little cost, and each failure is logged (address and count, never the token). What it is not:
the defence against guessing. A good token must still work from a throttled address, so a
guesser that ignores 429 learns as much as before; 256 random bits per token is what makes
guessing hopeless.

Memory is bounded: at most ``max_addresses`` buckets, the least recently failed dropped first
(a full bucket is the same as none). IPv6 clients are counted per /64, the block one subscriber
usually gets, so an attacker cannot start afresh from each of its 2^64 addresses.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import attrs

BURST = 5  # failures allowed at once: a few typos or a wrong setting noticed and fixed
PER_MINUTE = 5.0  # then one more every 12 seconds
MAX_ADDRESSES = 10_000  # about a megabyte at most


@attrs.define
class _Bucket:
    allowance: float
    updated: float
    failures: int = 0  # since the bucket was last full: what the log reports


@attrs.frozen
class Verdict:
    """What to answer a failed authentication: ``retry_after`` 0 means 401, else 429."""

    retry_after: int
    failures: int


def client_key(host: str | None) -> str:
    """The address a failure is counted against: IPv4 as is, IPv6 by its /64."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]  # a unix socket path or a test client's name
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class FailureThrottle:
    def __init__(
        self,
        *,
        burst: int = BURST,
        per_minute: float = PER_MINUTE,
        max_addresses: int = MAX_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if burst < 1 or per_minute <= 0 or max_addresses < 1:
            raise ValueError("burst, rate and table size must be positive")
        self.burst = float(burst)
        self.rate_per_s = per_minute / 60.0
        self.max_addresses = max_addresses
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        # The app calls this from the event loop, but nothing stops a threaded server.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def failed(self, key: str) -> Verdict:
        """Count one failed authentication from ``key`` and say how to answer it."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.pop(key, None)
            if bucket is None:
                bucket = _Bucket(allowance=self.burst, updated=now)
            else:
                refill = max(now - bucket.updated, 0.0) * self.rate_per_s
                bucket.allowance = min(self.burst, bucket.allowance + refill)
                bucket.updated = now
                if bucket.allowance >= self.burst:
                    bucket.failures = 0  # it cooled down: a new episode
            bucket.failures += 1
            if bucket.allowance >= 1.0:
                bucket.allowance -= 1.0
                retry_after = 0
            else:
                # Whole seconds, rounded up, never 0: the next failure is allowed by then.
                retry_after = max(1, math.ceil((1.0 - bucket.allowance) / self.rate_per_s))
            self._buckets[key] = bucket  # most recent last
            while len(self._buckets) > self.max_addresses:
                self._buckets.popitem(last=False)
            return Verdict(retry_after=retry_after, failures=bucket.failures)
