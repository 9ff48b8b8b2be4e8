"""The JSON form of case records (documented in docs/case-format.md).

One converter serves the store, import/export, ``assess`` and central records, so a case means
the same everywhere. Leaf values (text, dates, enums) go to the records' own converters, which
hold the validation and its messages; cattrs only walks the structure and reports where a bad
value sits ("$.cases[0].parties[1]: 'XX' is not a UK postcode").
"""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError

from records import entry, model
from records.model import Case, Provider, RecordError
from records.text import shown

FORMAT = "duty-tui/cases"
PROVIDERS_FORMAT = "duty-tui/providers"
# Version 2 (issue 11) added: on a direction ``order_type`` and ``provision`` (s11A / s11C),
# ``hours_directed`` (CCI), ``monitoring`` (s11G) and ``wording``; on a party
# ``habitually_resident``, ``is_child`` and ``child_is_a_parent`` (s11B / s11D) and
# ``participation`` (interpreter, adjustments, separate arrival, the Welsh active offer).
# ``monitoring``, ``wording`` and ``participation`` came later in version 2, with defaults, so a
# version-2 document written before them still reads. Version 1 documents are still read: see
# ``migrate_v1``.
# Version 3 (issue 11, items 5-7) added: on the screening ``people`` (each person's PD12B
# checks and C1A allegations), ``fact_finding_needed``, ``findings_made`` (PD12J) and
# ``s16a_risk_assessment``; on a direction ``agreements`` and ``consultation_note`` (route (a)
# evidence, in place of the bare ``both_parties_agreed``), ``assistance_told_on``,
# ``pays_confirmed_on`` and ``pays_confirmed_by``. Versions 1 and 2 are still read: see
# ``migrate_v2``.
SCHEMA_VERSION = 3
READS_VERSIONS = (1, 2, 3)
# The providers format did not change.
PROVIDERS_SCHEMA_VERSION = 1
# Fields a version-1 document cannot hold: they came with version 2.
_V2_FIELDS = {
    "directions": ("order_type", "provision", "hours_directed", "monitoring", "wording"),
    "parties": ("habitually_resident", "is_child", "child_is_a_parent", "participation"),
}
# Fields a version-1 or version-2 document cannot hold: they came with version 3.
_V3_FIELDS = {
    "directions": (
        "agreements",
        "consultation_note",
        "assistance_told_on",
        "pays_confirmed_on",
        "pays_confirmed_by",
        "wording_cy",  # came later in version 3, with a default
        # Later in version 3 (issue 13, item 10), with a default: a version-3 document written
        # before it still reads.
        "court_override",
    ),
    "screening": ("people", "fact_finding_needed", "findings_made", "s16a_risk_assessment"),
}
# What a version-2 "both_parties_agreed": true becomes: each principal party's "yes", undated,
# with this note, so route (a) asks the officer for the date rather than taking it as given.
MIGRATED_AGREEMENT_NOTE = (
    "recorded before schema version 3 as 'both parties agreed', without a date or note"
)
# A day list is kilobytes; anything near this is not a case file.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

T = TypeVar("T")


class CaseFormatError(ValueError):
    """A document that is not valid in the case format. ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _strict_bool(value: Any, _type: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise RecordError.of("flag", "expected true or false, got {kind}", kind=type(value).__name__)


def _strict_int(value: Any, _type: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise RecordError.of("number", "expected a whole number, got {kind}", kind=type(value).__name__)


def _is_leaf(kind: Any) -> bool:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return all(arg is type(None) or _is_leaf(arg) for arg in typing.get_args(kind))
    return kind in (str, dt.date) or _is_enum(kind)


def _is_enum(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Enum)


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)

    def passthrough(value: Any, _type: Any) -> Any:
        return value

    # The records' attrs converters parse and validate these, with the messages officers see.
    converter.register_structure_hook_func(_is_leaf, passthrough)
    # StrEnums are str subclasses, which cattrs dispatches before any predicate hook.
    converter.register_structure_hook(str, passthrough)
    for kind in (v for v in vars(model).values() if _is_enum(v)):
        converter.register_structure_hook(kind, passthrough)
        converter.register_unstructure_hook(kind, lambda member: member.value)
    converter.register_structure_hook(bool, _strict_bool)
    converter.register_structure_hook(int, _strict_int)
    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    return converter


converter = _make_converter()


def _format_exception(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, RecordError):
        if exc.message.startswith(exc.field):
            return exc.message
        return f"{exc.field}: {exc.message}"
    if isinstance(exc, KeyError):
        return f"required field {exc.args[0]!r} is missing" if exc.args else "a field is missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        names = ", ".join(shown(name, limit=80) for name in sorted(exc.extra_fields)[:10])
        return f"unknown field(s): {names}"
    if isinstance(exc, TypeError):
        return "wrong kind of value (expected an object or list here)"
    return str(exc) or type(exc).__name__


def _problems(exc: BaseException, path: str) -> list[str]:
    if isinstance(exc, ClassValidationError | IterableValidationError):
        messages = cattrs.transform_error(exc, path=path, format_exception=_format_exception)
        return [_tidy(m) for m in messages]
    return [f"{path}: {_format_exception(exc, None)}"]


def _tidy(message: str) -> str:
    # transform_error writes "reason @ $.path"; officers read "$.path: reason" more easily.
    reason, _, where = message.rpartition(" @ ")
    return f"{where}: {reason}" if where else message


def _structure(data: Any, kind: type[T], path: str) -> T:
    if not isinstance(data, dict):
        raise CaseFormatError([f"{path}: expected an object"])
    try:
        return converter.structure(data, kind)
    except (
        ClassValidationError,
        IterableValidationError,
        RecordError,
        KeyError,
        TypeError,
        ValueError,
        cattrs.ForbiddenExtraKeysError,
    ) as exc:
        raise CaseFormatError(_problems(exc, path)) from None


def case_to_dict(case: Case) -> dict[str, Any]:
    return converter.unstructure(case)


def case_from_dict(data: Any, *, path: str = "$") -> Case:
    """A case as stored: the store keeps each case without a schema version, so a case stored
    before version 3 is brought up to date by its shape (``upgrade_v2_shape``)."""
    return _structure(upgrade_v2_shape(data), Case, path)


def provider_to_dict(provider: Provider) -> dict[str, Any]:
    return converter.unstructure(provider)


def provider_from_dict(data: Any, *, path: str = "$") -> Provider:
    return _structure(data, Provider, path)


def dump_cases(cases: list[Case] | tuple[Case, ...]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "cases": [case_to_dict(c) for c in cases],
    }


def dumps_cases(cases: list[Case] | tuple[Case, ...]) -> str:
    return json.dumps(dump_cases(cases), ensure_ascii=False, indent=2)


def parse_json(raw: bytes | str, *, what: str = "file") -> Any:
    """JSON text to data, with a message that says where the JSON is broken."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise CaseFormatError([f"the {what} is larger than {MAX_DOCUMENT_BYTES // 2**20} MiB"])
    if isinstance(raw, bytes):
        try:
            # utf-8-sig: a byte order mark, as some Windows editors write, is not an error.
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CaseFormatError([f"the {what} is not UTF-8 text (byte {exc.start})"]) from None
    try:
        return json.loads(raw, object_pairs_hook=_no_repeated_keys)
    except _RepeatedKey as exc:
        raise CaseFormatError(
            [
                f"the {what} gives the field {shown(exc.key, limit=80)!s} twice in one object: "
                "which one is meant cannot be known"
            ]
        ) from None
    except json.JSONDecodeError as exc:
        raise CaseFormatError(
            [f"the {what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]
        ) from None
    except RecursionError:
        raise CaseFormatError([f"the {what} is nested too deeply"]) from None


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Python's JSON keeps the last of two equal keys without a word; a file that says two
    # things about one field is refused instead.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _RepeatedKey(key)
        result[key] = value
    return result


def _check_header(data: Any, expected_format: str, versions: tuple[int, ...]) -> int:
    if not isinstance(data, dict):
        raise CaseFormatError(["$: expected an object with format, schema_version and a list"])
    if data.get("format") != expected_format:
        raise CaseFormatError([f"$.format: expected {expected_format!r}"])
    version = data.get("schema_version")
    # Exactly the integer: true and 1.0 compare equal to 1 in Python, but are not versions.
    if type(version) is not int or version not in versions:
        readable = " or ".join(str(v) for v in versions)
        raise CaseFormatError(
            [f"$.schema_version: {version!r} is not supported (this version reads {readable})"]
        )
    return version


def migrate_v1(item: Any, path: str) -> tuple[Any, list[str]]:
    """A version-1 case as version 2, and the problems found (a version-2 field in it).

    Version 1 wrote every direction as "Under section 11A" (an activity direction), which is
    lawful only while the proceedings go on (Children Act 1989, s11A(7)): so a version-1
    direction is an interim activity direction. Version 1 recorded nothing on habitual residence
    (left "unknown": not yet known is never "yes") or on a party being a child (the parties of
    version 1 are taken as adults, as every version-1 screen assumed).
    """
    if not isinstance(item, dict):
        return item, []
    problems: list[str] = []
    migrated = dict(item)
    for key, names in _V2_FIELDS.items():
        listed = item.get(key)
        if not isinstance(listed, list):
            continue
        rows = []
        for index, row in enumerate(listed):
            if isinstance(row, dict):
                for name in names:
                    if name in row:
                        problems.append(
                            f"{path}.{key}[{index}]: {name} is a schema version 2 field: "
                            "set schema_version to 2"
                        )
                row = dict(row)
                if key == "directions":
                    row.setdefault("order_type", model.OrderType.INTERIM.value)
                    row.setdefault("provision", model.Provision.DIRECTION.value)
                    row.setdefault("hours_directed", None)
                    row.setdefault("monitoring", None)  # version 1 recorded no s11G request
                    row.setdefault("wording", "")  # nor the order's words
                else:
                    row.setdefault("habitually_resident", model.Answer.UNKNOWN.value)
                    row.setdefault("is_child", False)
                    row.setdefault("child_is_a_parent", False)
                    # Nothing asked yet: no interpreter need known, Welsh not offered.
                    row.setdefault("participation", {})
            rows.append(row)
        migrated[key] = rows
    return migrated, problems


def migrate_v2(item: Any, path: str) -> tuple[Any, list[str]]:
    """A version-2 case as version 3, and the problems found (a version-3 field in it).

    Version 2 recorded route (a) agreement as one flag, ``both_parties_agreed``. True becomes an
    agreement of "yes" from each applicant and respondent, undated and with a note saying where
    it came from: route (a) needs the date, so the officer is asked for it rather than the tool
    inventing one. False becomes nothing recorded ("not asked"): version 2 could not tell "no"
    from "not asked". Version 2 held no per-person checks (the case-wide answers go on applying
    to everyone) and nothing on PD12J or s16A (not yet known).
    """
    if not isinstance(item, dict):
        return item, []
    problems: list[str] = []
    directions = item.get("directions")
    for index, row in _listed(directions):
        if isinstance(row, dict):
            problems += [
                f"{path}.directions[{index}]: {name} is a schema version 3 field: "
                "set schema_version to 3"
                for name in _V3_FIELDS["directions"]
                if name in row
            ]
    screening = item.get("screening")
    if isinstance(screening, dict):
        problems += [
            f"{path}.screening: {name} is a schema version 3 field: set schema_version to 3"
            for name in _V3_FIELDS["screening"]
            if name in screening
        ]
    return upgrade_v2_shape(item), problems


def upgrade_v2_shape(item: Any) -> Any:
    """``item`` with any direction in the version-2 shape (``both_parties_agreed``) rewritten
    as version 3 says (``migrate_v2``); anything else is left as it is."""
    if not isinstance(item, dict) or not isinstance(item.get("directions"), list):
        return item
    if not any(isinstance(d, dict) and "both_parties_agreed" in d for d in item["directions"]):
        return item
    principal = [
        p.get("id")
        for p in item.get("parties") or []
        if isinstance(p, dict)
        and p.get("role") in (model.PartyRole.APPLICANT.value, model.PartyRole.RESPONDENT.value)
    ]
    rows = []
    for row in item["directions"]:
        if isinstance(row, dict) and "both_parties_agreed" in row:
            row = dict(row)
            agreed = row.pop("both_parties_agreed")
            if agreed is True and "agreements" not in row:
                row["agreements"] = [
                    {"party_id": party_id, "agreed": "yes", "note": MIGRATED_AGREEMENT_NOTE}
                    for party_id in principal
                ]
            elif agreed is not False:
                row["both_parties_agreed"] = agreed  # not a flag: refused with its place
        rows.append(row)
    return {**item, "directions": rows}


def load_cases(raw: bytes | str | dict[str, Any], *, today: dt.date | None = None) -> list[Case]:
    """Every case in a case-format document, or :class:`CaseFormatError` with every problem.

    All or nothing: one bad case refuses the whole document, so nothing is half-imported.
    With ``today`` the document is new input (``duty-tui import``, ``assess``): each case also
    passes the checks made on what an officer types (records/entry.py: every child under 18 at
    the hearing, nothing answered, received or assessed after ``today``). Without it, the
    document is read as it was written, whatever the date.
    """
    data = raw if isinstance(raw, dict) else parse_json(raw)
    version = _check_header(data, FORMAT, READS_VERSIONS)
    items = data.get("cases")
    if not isinstance(items, list):
        raise CaseFormatError(["$.cases: expected a list of cases"])
    extra = set(data) - {"format", "schema_version", "cases"}
    if extra:
        names = ", ".join(shown(name, limit=80) for name in sorted(extra)[:10])
        raise CaseFormatError([f"$: unknown field(s): {names}"])
    cases: list[Case] = []
    problems: list[str] = []
    if version == 1:
        migrated = [migrate_v1(item, f"$.cases[{index}]") for index, item in enumerate(items)]
        items = [item for item, _ in migrated]
        problems += [problem for _, found in migrated for problem in found]
    if version in (1, 2):
        migrated = [migrate_v2(item, f"$.cases[{index}]") for index, item in enumerate(items)]
        items = [item for item, _ in migrated]
        problems += [problem for _, found in migrated for problem in found]
    for index, item in enumerate(items):
        try:
            # Strict: a version-3 document is read as written (a version-2 field is unknown).
            cases.append(_structure(item, Case, f"$.cases[{index}]"))
        except CaseFormatError as exc:
            problems.extend(exc.problems)
    if today is not None:
        for index, item in enumerate(items):
            problems.extend(_entry_problems(item, f"$.cases[{index}]", today))
    seen: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for index, case in enumerate(cases):
        if case.id in seen:
            problems.append(f"$.cases[{index}]: id repeats case {seen[case.id]}")
        seen.setdefault(case.id, index)
        # ZZ26P07777 and zz26p07777 are one case number.
        number = case.case_number.casefold()
        if number in numbers:
            problems.append(
                f"$.cases[{index}]: case number {case.case_number} repeats case {numbers[number]}"
            )
        numbers.setdefault(number, index)
        problems += _central_state(case, f"$.cases[{index}]")
    if problems:
        raise CaseFormatError(problems)
    return cases


def _central_state(case: Case, path: str) -> list[str]:
    """What only central records can say (a referral sent, acknowledged, refused, its receipt)
    never comes from a file: a referral in a case file is a draft, revision 1, nothing more."""
    problems: list[str] = []
    for index, referral in enumerate(case.referrals):
        where = f"{path}.referrals[{index}]"
        if referral.state is not model.ReferralState.DRAFT:
            problems.append(
                f"{where}: state {referral.state.value!r} is set by central records, not by a file"
            )
        if referral.receipt or referral.revision != 1:
            problems.append(f"{where}: a receipt and revisions come from central records only")
    return problems


def _entry_problems(item: Any, path: str, today: dt.date) -> list[str]:
    """The checks made on what is entered (records/entry.py), on each part of a case that reads
    on its own: a document's every problem is listed, even beside a bad postcode elsewhere."""
    if not isinstance(item, dict):
        return []
    problems: list[str] = []

    def check(place: str, run: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        try:
            run(*args, today=today, **kwargs)
        except RecordError as exc:
            problems.append(f"{path}.{place}: {_format_exception(exc, None)}")

    hearing = _part(item.get("hearing"), model.Hearing)
    hearing_date = hearing.date if hearing is not None else None
    for index, raw in _listed(item.get("children")):
        child = _part(raw, model.Child)
        if child is not None:
            born = child.date_of_birth
            check(f"children[{index}]", entry.check_born, born, hearing_date=hearing_date)
    screening = item.get("screening")
    if isinstance(screening, dict):
        for question in model.SCREENING_QUESTIONS:
            answer = _part(screening.get(question), model.ScreeningAnswer)
            if answer is not None:
                check(f"screening.{question}", entry.check_answer, answer)
        try:
            letter = model.parse_optional_date(screening.get("safeguarding_letter_on"))
        except RecordError:
            letter = None  # reported with the screening's other problems
        check("screening", entry.check_letter, letter)
        # Issue 11 item 5: each person's answers and the court's (PD12J, s16A), as above.
        for question in model.COURT_QUESTIONS:
            answer = _part(screening.get(question), model.ScreeningAnswer)
            if answer is not None:
                check(f"screening.{question}", entry.check_answer, answer)
        for index, raw in _listed(screening.get("people")):
            checks = _part(raw, model.PersonChecks)
            for question, answer in checks.answers().items() if checks is not None else ():
                check(f"screening.people[{index}].{question}", entry.check_answer, answer)
    for index, raw in _listed(item.get("directions")):
        direction = _part(upgrade_v2_shape({"directions": [raw]})["directions"][0], model.Direction)
        if direction is not None:
            check(f"directions[{index}]", entry.check_direction_dates, direction)

    for index, raw in _listed(item.get("parties")):
        participation = raw.get("participation") if isinstance(raw, dict) else None
        found_p = _part(participation, model.Participation)
        if found_p is not None:
            check(f"parties[{index}].participation", entry.check_participation, found_p)
    for index, raw in _listed(item.get("directions")):
        monitoring = raw.get("monitoring") if isinstance(raw, dict) else None
        found = _part(monitoring, model.Monitoring)
        if found is not None:
            check(f"directions[{index}].monitoring", entry.check_monitoring, found)
    for index, raw in _listed(item.get("assessments")):
        assessment = _part(raw, model.Assessment)
        if assessment is not None:
            check(f"assessments[{index}]", entry.check_assessment, assessment)
    return problems


def _part(data: Any, kind: type[T]) -> T | None:
    """``data`` as a ``kind``, or None if it does not read as one (reported elsewhere)."""
    try:
        return _structure(data, kind, "$")
    except CaseFormatError:
        return None


def _listed(data: Any) -> list[tuple[int, Any]]:
    return list(enumerate(data)) if isinstance(data, list) else []


def load_providers(raw: bytes | str | dict[str, Any]) -> list[Provider]:
    data = raw if isinstance(raw, dict) else parse_json(raw)
    _check_header(data, PROVIDERS_FORMAT, (PROVIDERS_SCHEMA_VERSION,))
    items = data.get("providers")
    if not isinstance(items, list):
        raise CaseFormatError(["$.providers: expected a list of providers"])
    providers: list[Provider] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        try:
            providers.append(provider_from_dict(item, path=f"$.providers[{index}]"))
        except CaseFormatError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CaseFormatError(problems)
    return providers


def dump_providers(providers: list[Provider] | tuple[Provider, ...]) -> dict[str, Any]:
    return {
        "format": PROVIDERS_FORMAT,
        "schema_version": PROVIDERS_SCHEMA_VERSION,
        "providers": [provider_to_dict(p) for p in providers],
    }


def evolve(record: T, **changes: Any) -> T:
    """``attrs.evolve`` that reports a bad value as RecordError like construction does."""
    return attrs.evolve(record, **changes)
