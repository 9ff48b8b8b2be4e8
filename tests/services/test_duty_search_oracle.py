"""The duty list's filter against an oracle written the slow, obvious way (issue 13 item 13).

The search is tuned for 10,000 cases (one folded haystack per row, each keystroke searching
only the last keystroke's matches, one word at a time). The oracle folds each field on its own
and asks, for every word typed, whether some field holds it: what the officer is promised
("case number, name, court or date"), with Welsh letters folded ("gwenllian" finds
"Gwenllïan"). Typing is a sequence (on, back, on again), so the narrowing is tested too.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from duty_tui.services.duty_index import DutyIndex

NEAR = dt.date(2026, 3, 16)
COURTS = ["Llys Teulu Ffug", "Example Family Court", "Caerdydd-Sample"]
# Letters officers type and Welsh names hold: accented and plain, upper and lower, a dash.
LETTERS = "aâäeêëiîïoôuûwŵyŷAÂWŴYŶfFlLgGnN -"


def _oracle_fold(text: str) -> str:
    # Written again here, not imported: lower case, then no accent on any letter.
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def oracle(cases: dict[str, dict], query: str, court: str | None = None) -> list[str]:
    """Every case holding every word of ``query`` in one of its fields, in hearing order."""
    words = _oracle_fold(query).split()
    found = []
    for case_id, case in cases.items():
        date = dt.date.fromisoformat(case["hearing_date"])
        fields = [
            case["case_number"],
            case["case_number"].replace("-", ""),
            " v ".join(case["parties"]),
            case["court"],
            f"{date:%d/%m/%Y}",
            date.isoformat(),
        ]
        folded = [_oracle_fold(f) for f in fields]
        if court is not None and case["court"] != court:
            continue
        if all(any(w in f for f in folded) for w in words):
            found.append(((date, case["case_number"]), case_id))
    return [case_id for _key, case_id in sorted(found)]


names = st.text(alphabet=LETTERS, min_size=1, max_size=10)
cases_strategy = st.lists(
    st.tuples(
        st.lists(names, min_size=1, max_size=3),
        st.sampled_from(COURTS),
        st.integers(-20, 20),
        st.sampled_from(["ZZ26P", "ZZ-26-P", "zz25p"]),
    ),
    min_size=1,
    max_size=40,
)


def _cases(drawn) -> dict[str, dict]:
    return {
        f"c{n:03d}": {
            "case_number": f"{prefix}{n:05d}",
            "court": court,
            "hearing_date": (NEAR + dt.timedelta(days=offset)).isoformat(),
            "parties": parties,
        }
        for n, (parties, court, offset, prefix) in enumerate(drawn)
    }


@settings(max_examples=200, deadline=None)
@given(
    drawn=cases_strategy,
    typed=st.lists(
        st.one_of(
            st.text(alphabet=LETTERS + "0123456789/ ", min_size=1, max_size=3),
            st.just("BACK"),
        ),
        max_size=12,
    ),
    court=st.sampled_from([None, *COURTS]),
)
def test_the_filter_finds_exactly_what_the_oracle_finds_keystroke_by_keystroke(drawn, typed, court):
    cases = _cases(drawn)
    index = DutyIndex(cases)
    query = ""
    for keys in typed:
        query = query[:-1] if keys == "BACK" else query + keys
        rows, total = index.search(query, near=NEAR, court=court, limit=10**6)
        expected = oracle(cases, query, court)
        assert [r.case_id for r in rows] == expected, query
        assert total == len(expected)


@given(drawn=cases_strategy, query=st.text(alphabet=LETTERS, min_size=1, max_size=4))
@settings(max_examples=100, deadline=None)
def test_over_the_limit_the_count_is_every_match_and_the_rows_are_among_them(drawn, query):
    cases = _cases(drawn)
    rows, total = DutyIndex(cases).search(query, near=NEAR, limit=5)
    expected = oracle(cases, query)
    assert total == len(expected)
    assert len(rows) == min(5, total)
    assert {r.case_id for r in rows} <= set(expected)


TABLE = [
    # (typed, the ids it must find) over the fixed cases below
    ("gwenllian", ["w1"]),
    ("GWENLLÏAN", ["w1"]),
    ("pyr", ["w1"]),
    ("ŵyn pŷr", ["w1"]),
    ("ffug", ["w1", "w2"]),
    ("ffug owain", ["w2"]),
    ("zz26p00002", ["w2"]),
    ("zz-26", ["w3"]),
    ("zz26p00003", ["w3"]),  # typed without the dashes
    ("17/03/2026", ["w2"]),
    ("2026-03-18", ["w3"]),
    ("caerdydd", ["w3"]),
    ("sample cymru", []),
    ("", ["w1", "w2", "w3"]),
]


def test_the_oracle_itself_agrees_with_the_table():
    for typed, expected in TABLE:
        assert oracle(FIXED, typed) == expected, typed


FIXED = {
    "w1": {
        "case_number": "ZZ26P00001",
        "court": "Llys Teulu Ffug",
        "hearing_date": "2026-03-16",
        "parties": ["Gwenllïan Ŵyn Ffug", "Dafydd Pŷr Ffug"],
    },
    "w2": {
        "case_number": "ZZ26P00002",
        "court": "Example Family Court",
        "hearing_date": "2026-03-17",
        "parties": ["Rhiannon Ffug", "Owain Ffug"],
    },
    "w3": {
        "case_number": "ZZ-26-P00003",
        "court": "Caerdydd Sample",
        "hearing_date": "2026-03-18",
        "parties": ["Alex Example"],
    },
}


def test_the_table_of_typed_queries():
    index = DutyIndex(FIXED)
    for typed, expected in TABLE:
        rows, total = index.search(typed, near=NEAR)
        assert [r.case_id for r in rows] == expected, typed
        assert total == len(expected)
