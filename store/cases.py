"""The typed face of the store: Case records in, Case records out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from records.caseformat import case_from_dict, case_to_dict
from records.model import Case
from records.summary import case_summary
from store import Store


class CaseRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, case: Case) -> None:
        """Durable on return: the case is on disk, encrypted, with its index entry."""
        self._store.save_case(case.id, case_to_dict(case), case_summary(case))

    def save_many(self, cases: Iterable[Case]) -> None:
        """Durable on return, in one step for all of them (Store.save_cases): each case is
        its old or its new version after a crash, whatever the number of cases."""
        self._store.save_cases((c.id, case_to_dict(c), case_summary(c)) for c in cases)

    def get(self, case_id: str) -> Case:
        return case_from_dict(self._store.load_case(case_id))

    def delete(self, case_id: str) -> None:
        self._store.delete_case(case_id)

    def summaries(self) -> dict[str, dict[str, Any]]:
        """case id -> summary (see records.summary), without decrypting any case."""
        return self._store.summaries()
