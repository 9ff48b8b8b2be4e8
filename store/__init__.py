"""Persistence: encrypted, durable TinyDB partitions (see docs/store.md).

Knows nothing of the domain and nothing of Textual: it stores the documents and summaries it
is handed.
"""

from store.crypto import KdfParams
from store.errors import (
    CaseNotFound,
    CaseUnreadable,
    InvalidName,
    StoreError,
    StoreInUse,
    StoreIOError,
    StoreNotFound,
    TableUnreadable,
    WrongPassphrase,
)
from store.policy import WeakPassphrase
from store.store import Store

__all__ = [
    "CaseNotFound",
    "CaseUnreadable",
    "InvalidName",
    "KdfParams",
    "Store",
    "StoreError",
    "StoreIOError",
    "StoreInUse",
    "StoreNotFound",
    "TableUnreadable",
    "WeakPassphrase",
    "WrongPassphrase",
]
