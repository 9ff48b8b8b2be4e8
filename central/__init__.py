"""Central records: the service duty-tui referrals are sent to (see docs/sync.md)."""
