"""The store's problems in the officer's words: which case (by its number) or which part of the
app, what happened to its file, and what it means for the day's work.

Shared by the app (told at unlock), ``duty-tui doctor`` and ``duty-tui list``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from store.problems import Problem, ProblemKind

# What each table holds, and what losing it means, as the officer would put it.
TABLES: dict[str, tuple[str, str]] = {
    "outbox": (
        "the referral outbox",
        "referrals queued on this laptop may not reach central records: sync is stopped "
        "until you decide (duty-tui doctor --accept outbox)",
    ),
    "sync_log": ("the sync log", "the history of past syncs is gone; nothing waiting is lost"),
    "drafts": (
        "the drafts",
        "text typed into fields that had not been accepted yet is gone",
    ),
    "providers": (
        "the provider directory",
        "the sample directory is used until central sends the directory again or you import it",
    ),
    "settings": (
        "the settings",
        "the officer profile and central records settings must be entered again",
    ),
}


@attrs.frozen
class Finding:
    what: str  # "case ZZ26P00003", "the referral outbox", "the store's manifest", "a file"
    sentence: str  # what happened to its file
    consequence: str = ""  # what that means for the work, when not obvious
    subject: str = ""  # what Store.accept takes
    accept_as: str = ""  # what `duty-tui doctor --accept` takes for it

    def line(self) -> str:
        text = f"{self.what}: {self.sentence}"
        return f"{text}; {self.consequence}" if self.consequence else text


def describe(problem: Problem, summaries: Mapping[str, Mapping[str, Any]]) -> Finding:
    if problem.case_id is not None:
        number = str(summaries.get(problem.case_id, {}).get("case_number") or "")
        what = f"case {number}" if number else "a case"
        consequence = ""
        if problem.kind is ProblemKind.ROLLED_BACK:
            consequence = "it cannot be opened until you decide which version to keep"
        elif problem.blocks:
            consequence = "it cannot be opened; type it again or restore it from a backup"
        return Finding(
            what, problem.detail, consequence, problem.subject, number or problem.subject
        )
    if problem.table is not None:
        label, loss = TABLES.get(problem.table, (f"the {problem.table} table", ""))
        return Finding(label, problem.detail, loss, problem.subject, problem.table)
    if problem.kind is ProblemKind.MANIFEST:
        return Finding("the store's manifest", problem.detail, "", problem.subject, "manifest")
    return Finding("a file", problem.detail, "", problem.subject, problem.subject)


def describe_all(
    problems: Iterable[Problem], summaries: Mapping[str, Mapping[str, Any]]
) -> list[Finding]:
    return [describe(problem, summaries) for problem in problems]


def find_subject(findings: Iterable[Finding], wanted: str) -> Finding | None:
    """The finding ``wanted`` names: a case number (any case), a table name, "manifest", or a
    subject as Store.accept takes it."""
    folded = wanted.strip().casefold()
    for finding in findings:
        if folded in (finding.accept_as.casefold(), finding.subject.casefold()):
            return finding
    return None


def notice(findings: list[Finding], *, most: int = 4) -> str:
    """What to tell the officer at once about the store's files: the first few findings, and
    how many more ``duty-tui doctor`` lists. Empty when nothing is wrong."""
    lines = [finding.line() for finding in findings[:most]]
    if len(findings) > most:
        lines.append(f"… and {len(findings) - most} more (duty-tui doctor lists them all).")
    return "\n".join(lines)
