"""The store's problems in the officer's words: which case (by its number) or which part of the
app, what happened to its file, and what it means for the day's work.

Shared by the app (told at unlock), ``duty-tui doctor`` and ``duty-tui list``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from duty_tui.i18n import N_, _, ngettext
from store.problems import Problem, ProblemKind

# What each table holds, and what losing it means, as the officer would put it (marked here,
# translated when described, in the language of that moment).
TABLES: dict[str, tuple[str, str]] = {
    "outbox": (
        N_("the referral outbox"),
        N_(
            "referrals queued on this laptop may not reach central records: sync is stopped "
            "until you decide (duty-tui doctor --accept outbox)"
        ),
    ),
    "sync_log": (
        N_("the sync log"),
        N_("the history of past syncs is gone; nothing waiting is lost"),
    ),
    "drafts": (
        N_("the drafts"),
        N_("text typed into fields that had not been accepted yet is gone"),
    ),
    "providers": (
        N_("the provider directory"),
        N_("the sample directory is used until central sends the directory again or you import it"),
    ),
    "settings": (
        N_("the settings"),
        N_("the officer profile and central records settings must be entered again"),
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
        # ``sentence`` is the store's own (store/ knows no gettext): English in either language.
        if self.consequence:
            return _("{what}: {sentence}; {consequence}").format(
                what=self.what, sentence=self.sentence, consequence=self.consequence
            )
        return _("{what}: {sentence}").format(what=self.what, sentence=self.sentence)


def describe(problem: Problem, summaries: Mapping[str, Mapping[str, Any]]) -> Finding:
    if problem.case_id is not None:
        number = str(summaries.get(problem.case_id, {}).get("case_number") or "")
        what = _("case {number}").format(number=number) if number else _("a case")
        consequence = ""
        if problem.kind is ProblemKind.ROLLED_BACK:
            consequence = _("it cannot be opened until you decide which version to keep")
        elif problem.blocks:
            consequence = _("it cannot be opened; type it again or restore it from a backup")
        return Finding(
            what, problem.detail, consequence, problem.subject, number or problem.subject
        )
    if problem.table is not None:
        known = TABLES.get(problem.table)
        if known is None:
            label, loss = _("the {table} table").format(table=problem.table), ""
        else:
            label, loss = _(known[0]), _(known[1])
        return Finding(label, problem.detail, loss, problem.subject, problem.table)
    if problem.kind is ProblemKind.MANIFEST:
        return Finding(_("the store's manifest"), problem.detail, "", problem.subject, "manifest")
    return Finding(_("a file"), problem.detail, "", problem.subject, problem.subject)


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
        more = len(findings) - most
        lines.append(
            ngettext(
                "… and {count} more (duty-tui doctor lists them all).",
                "… and {count} more (duty-tui doctor lists them all).",
                more,
            ).format(count=more)
        )
    return "\n".join(lines)
