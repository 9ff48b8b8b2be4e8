"""The provider directory as last fetched from central (or imported by hand), kept in the
store so the rules work offline. No Textual.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from records import caseformat
from records.model import (
    Provider,
)
from records.text import network_text as _safe_text

PROVIDERS_TABLE = "providers"
_DIRECTORY_DOC = "directory"


def cached_providers(store: Any) -> tuple[list[Provider], float | None]:
    """The provider directory last fetched from central, and when (None: never fetched)."""
    doc = directory_doc(store.table(PROVIDERS_TABLE))
    if not doc:
        return [], None
    providers = [caseformat.provider_from_dict(p) for p in doc.get("providers", [])]
    return providers, doc.get("fetched_at")


def store_providers(
    store: Any,
    providers: Iterable[Provider],
    *,
    source: str,
    etag: str = "",
    clock: Callable[[], float] = time.time,
) -> int:
    """Keep a provider directory as the cached copy, in one document and one write, so a
    refresh never leaves half a directory behind. Imported by hand (``duty-tui providers
    import``) it has no etag: the next refresh from central fetches the whole directory again
    and replaces it, central being the authority when there is one. Returns how many were
    stored."""
    from tinydb import Query

    doc = {
        "key": _DIRECTORY_DOC,
        "etag": _safe_text(etag, 80),
        "fetched_at": clock(),
        "source": _safe_text(source, 200),
        "providers": [caseformat.provider_to_dict(p) for p in providers],
    }
    store.table(PROVIDERS_TABLE).upsert(doc, Query().key == _DIRECTORY_DOC)
    return len(doc["providers"])


def directory_doc(table: Any) -> dict[str, Any] | None:
    for doc in table.all():
        if doc.get("key") == _DIRECTORY_DOC:
            return dict(doc)
    return None
