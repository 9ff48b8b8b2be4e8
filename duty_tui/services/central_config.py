"""Where central records is and the device token that opens it, kept in the store's settings.

A URL or token is checked where it is entered (the settings dialog, ``duty-tui sync``), before
anything is stored. No Textual. Messages are translated when raised (``_``): the dialog and
the command line check again each time, in the language of that moment.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import attrs

from duty_tui.i18n import _

SETTINGS_TABLE = "settings"
_CENTRAL_DOC = "central"


class SyncError(Exception):
    """Central could not be reached or answered nonsense; the message is safe to show."""


class SyncConfigError(SyncError, ValueError):
    """A central URL or token that cannot be used; the message is safe to show."""


# --- configuration ------------------------------------------------------------------------------


def _check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncConfigError(_("the central URL must be http(s)://host[:port]"))
    if parts.username or parts.password or parts.query or parts.fragment:
        raise SyncConfigError(_("the central URL carries no credentials, query or fragment"))
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        # A device token and children's data never cross a network in clear.
        raise SyncConfigError(_("plain http is only allowed to this machine: use https"))
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_token(token: str) -> str:
    token = token.strip()
    if not token or len(token) > 128 or not token.isascii() or not token.isprintable():
        raise SyncConfigError(_("the device token is missing or malformed"))
    return token


@attrs.frozen
class CentralConfig:
    """Where central is and how this device proves itself. Kept in the encrypted store."""

    url: str = attrs.field(converter=_check_url)
    token: str = attrs.field(converter=_check_token, repr=False)
    timeout_s: float = 10.0
    batch_size: int = 100

    def __attrs_post_init__(self) -> None:
        if not 0 < self.timeout_s <= 300:
            raise SyncConfigError(_("the timeout must be between 0 and 300 seconds"))
        if not 1 <= self.batch_size <= 200:
            raise SyncConfigError(_("the batch size must be between 1 and 200"))


# Acknowledged referrals keep their content (children's names) this long, then only the key,
# hash and receipt (Outbox.compact): long enough to amend or withdraw with the content at
# hand, short enough that the laptop does not become an archive.
RETENTION_DAYS_DEFAULT = 30
RETENTION_DAYS_MIN, RETENTION_DAYS_MAX = 1, 365
_RETENTION_DOC = "outbox_retention"


def check_retention_days(days: object) -> int:
    if not isinstance(days, int) or isinstance(days, bool):
        raise SyncConfigError(_("the retention period is a whole number of days"))
    if not RETENTION_DAYS_MIN <= days <= RETENTION_DAYS_MAX:
        raise SyncConfigError(
            _("the retention period must be between {least} and {most} days").format(
                least=RETENTION_DAYS_MIN, most=RETENTION_DAYS_MAX
            )
        )
    return days


def load_retention_days(store: Any) -> int:
    """Days an acknowledged referral keeps its content; the default if none (or a bad one)
    is stored."""
    for doc in store.table(SETTINGS_TABLE).all():
        if doc.get("key") == _RETENTION_DOC:
            try:
                return check_retention_days(doc.get("days"))
            except SyncConfigError:
                break
    return RETENTION_DAYS_DEFAULT


def save_retention_days(store: Any, days: int) -> None:
    from tinydb import Query

    doc = {"key": _RETENTION_DOC, "days": check_retention_days(days)}
    store.table(SETTINGS_TABLE).upsert(doc, Query().key == _RETENTION_DOC)


_VERIFIED_DOC = "verified_acknowledged"
# How often acknowledged referrals are checked against central (a digest per 500 keys), by the
# app's worker and by `duty-tui sync`: a central database restored from an older copy has lost
# what it acknowledged since.
VERIFY_EVERY_S = 3600.0


def verification_due(last: float | None, now: float, every_s: float = VERIFY_EVERY_S) -> bool:
    """Whether to check again: never checked, the interval is up, or the last check is in the
    future (the clock was fast then: a wall-clock time that can never come due would stop
    the checks for good)."""
    return last is None or not 0.0 <= now - last < every_s


def load_verified_at(store: Any) -> float | None:
    """When ``duty-tui sync`` last checked central still holds what it acknowledged."""
    for doc in store.table(SETTINGS_TABLE).all():
        if doc.get("key") == _VERIFIED_DOC:
            at = doc.get("at")
            return float(at) if isinstance(at, int | float) and not isinstance(at, bool) else None
    return None


def save_verified_at(store: Any, at: float) -> None:
    from tinydb import Query

    doc = {"key": _VERIFIED_DOC, "at": float(at)}
    store.table(SETTINGS_TABLE).upsert(doc, Query().key == _VERIFIED_DOC)


def load_central_config(store: Any) -> CentralConfig | None:
    """The stored central URL and token, or None if none (or an unusable one) is stored."""
    for doc in store.table(SETTINGS_TABLE).all():
        if doc.get("key") == _CENTRAL_DOC:
            try:
                return CentralConfig(url=doc["url"], token=doc["token"])
            except (KeyError, TypeError, SyncConfigError):
                return None
    return None


def save_central_config(store: Any, config: CentralConfig) -> None:
    from tinydb import Query

    table = store.table(SETTINGS_TABLE)
    doc = {"key": _CENTRAL_DOC, "url": config.url, "token": config.token}
    table.upsert(doc, Query().key == _CENTRAL_DOC)
