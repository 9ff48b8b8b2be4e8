"""The app's parts that need no terminal: config, field binding, duty-list rows, the saver,
passphrase strength, the demo data dir."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duty_tui.commands import demo as demo_command
from duty_tui.config import (
    IDLE_LOCK_MAX_MINUTES,
    Config,
    OfficerProfile,
    config_dir,
    load_config,
    load_profile,
)
from duty_tui.keymap import BINDING_IDS, KeyNameError, check_key, check_keymap
from duty_tui.saver import Saver, load_drafts
from duty_tui.services.duty_index import DutyIndex, row_from_summary
from duty_tui.widgets import case_fields as cf
from duty_tui.widgets.plain import plain_str
from records.model import Answer, RecordError
from store import KdfParams, Store, StoreError
from store.cases import CaseRepository
from store.policy import passphrase_strength

from .conftest import OFFICER, PASSPHRASE, PROFILE, TODAY, sample_cases

# --- config ----------------------------------------------------------------------------------


def test_config_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DUTY_TUI_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert config_dir() == tmp_path / "elsewhere"


def test_missing_config_is_the_defaults(tmp_path):
    config = load_config(tmp_path / "none.toml")
    assert config.idle_lock_minutes == 5 and config.keymap == {} and config.warnings == ()


def test_idle_lock_is_clamped_to_fifteen_minutes_and_says_so(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('idle_lock_minutes = 60\n[keymap]\n"app.lock" = "f12, ctrl+l"\n')
    config = load_config(path)
    assert config.idle_lock_minutes == IDLE_LOCK_MAX_MINUTES == 15
    assert config.idle_lock_seconds == 900
    assert config.keymap == {"app.lock": "f12,ctrl+l"}
    assert any("more than the 15 allowed" in w for w in config.warnings)


@pytest.mark.parametrize(
    ("text", "minutes", "warning"),
    [
        ("idle_lock_minutes = 2.5", 2.5, None),
        ("idle_lock_minutes = 0", 0.5, "less than"),
        ('idle_lock_minutes = "ten"', 5, "must be a number"),
        ("idle_lock_minutes = true", 5, "must be a number"),
        ("idle_lock_minutes = [", 5, "not valid TOML"),
        # NaN compares false with everything: accepted, the app would never lock.
        ("idle_lock_minutes = nan", 5, "nan is not a number of minutes"),
        ("idle_lock_minutes = inf", 5, "inf is not a number of minutes"),
        ("idle_lock_minutes = -inf", 5, "-inf is not a number of minutes"),
        ("idle_lock_minutes = -1", 5, "not a sensible number of minutes"),
        ("idle_lock_minutes = -0.5", 5, "not a sensible number of minutes"),
        ("idle_lock_minutes = 300", 5, "not a sensible number of minutes"),  # seconds?
        ("idle_lock_minutes = 1e308", 5, "not a sensible number of minutes"),
        ("idle_lock_minutes = 240", 15, "more than the 15 allowed"),
        ("idle_lock_minutes = 1", 1, None),
        ("idle_lock_minutes = 9223372036854775807", 5, "not a sensible number of minutes"),
        ("idle_lock_minutes = " + "9" * 5000, 5, "too large or too deep"),
        ("idle_lock_minutes = " + "[" * 5000 + "]" * 5000, 5, "too large or too deep"),
        ("colour = 'red'", 5, "unknown setting"),
        ("keymap = 3", 5, "[keymap] must be a table"),
        ('[keymap]\n"app.lock" = 3', 5, "keys must be text"),
    ],
)
def test_bad_config_values_fall_back_with_a_warning(tmp_path, text, minutes, warning):
    path = tmp_path / "config.toml"
    path.write_text(text)
    config = load_config(path)
    assert config.idle_lock_minutes == minutes
    if warning:
        assert any(warning in w for w in config.warnings), config.warnings
    else:
        assert config.warnings == ()


@pytest.mark.parametrize(
    ("key", "textual"),
    [
        ("ctrl+l", "ctrl+l"),
        ("f12", "f12"),
        ("slash", "slash"),
        ("/", "slash"),
        ("[", "left_square_bracket"),
        ("left_square_bracket", "left_square_bracket"),
        ("+", "plus"),
        ("ctrl+plus", "ctrl+plus"),
        ("shift+ctrl+up", "ctrl+shift+up"),  # Textual's order, or it never matches
        ("Ctrl+o", "ctrl+o"),
        ("shift+tab", "shift+tab"),
        ("escape", "escape"),
        ("A", "A"),
        ("alt+x", "alt+x"),
        ("f35", "f35"),
        ("question_mark", "question_mark"),
    ],
)
def test_key_names_textual_can_produce_are_taken_in_its_spelling(key, textual):
    assert check_key(key) == textual


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("nonsense+++key", "'nonsense' is not a modifier"),
        ("ctrl++l", "an empty modifier"),
        ("ctrl+", "no key after its last +"),
        ("ctrl+ctrl+a", "names a modifier twice"),
        ("ctrl+L", "lower case"),
        ("ctrlx", "'ctrlx' is not a key name"),
        ("f99", "'f99' is not a key name"),
        ("latin_small_letter_a", "is not a key name"),  # a Unicode name, not Textual's
        ("ctrl+\x1b", "is not a key name"),
    ],
)
def test_key_names_textual_never_produces_are_refused_with_the_reason(key, why):
    with pytest.raises(KeyNameError, match=re.escape(why)):
        check_key(key)


def test_a_bad_keymap_entry_keeps_its_default_and_says_why():
    usable, warnings = check_keymap(
        {
            "duty.filter": "nonsense+++key",
            "app.lock": "f12, ctrl+l",
            "case.add_person": "ctrl+o,ctrl+o",
            "duty.filtr": "f5",
            "nothing.like.it": "f6",
            "help.close": "q,ctrl++",
        }
    )
    assert usable == {"app.lock": "f12,ctrl+l", "case.add_person": "ctrl+o"}
    assert len(warnings) == 4
    assert any("'duty.filter'" in w and "default keys are kept" in w for w in warnings)
    assert any("did you mean 'duty.filter'?" in w for w in warnings)
    assert any("'nothing.like.it': no such binding" in w for w in warnings)
    assert any("'help.close'" in w for w in warnings)


def test_the_keymap_knows_every_binding_id_the_app_declares():
    """BINDING_IDS is kept by hand (the app must not import every screen to start): it must
    be exactly the ids declared in the code."""
    import importlib
    import inspect
    import pkgutil

    from textual.binding import Binding

    import duty_tui.screens
    import duty_tui.widgets

    modules = ["duty_tui.app"]
    for package in (duty_tui.screens, duty_tui.widgets):
        modules += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    declared = set()
    for name in modules:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name:
                for binding in cls.__dict__.get("BINDINGS", []):
                    if isinstance(binding, Binding) and binding.id:
                        declared.add(binding.id)
    assert declared == BINDING_IDS


def test_profile_round_trips_and_reports_bad_fields():
    assert OfficerProfile.from_dict(PROFILE.to_dict()) == PROFILE
    with pytest.raises(RecordError) as bad:
        OfficerProfile.parse("Name", "FCA", "  ", "wales")
    assert bad.value.field == "home court"
    with pytest.raises(RecordError) as bad:
        OfficerProfile.parse("", "FCA", "Court", "wales")
    assert bad.value.field == "officer name"


# --- field binding ---------------------------------------------------------------------------


def test_every_field_shows_and_takes_its_own_value():
    case = sample_cases()[0]
    for key in cf.keys_of(case):
        shown = cf.display_value(case, key)
        again = cf.apply_edit(case, key, shown, today=TODAY)
        assert again == case, key


def test_edits_go_through_the_records_converters():
    case = sample_cases()[0]
    edited = cf.apply_edit(case, "party.party0000.postcode", "cf101aa", today=TODAY)
    assert edited.parties[0].postcode == "CF10 1AA"
    with pytest.raises(RecordError, match="not a UK postcode"):
        cf.apply_edit(case, "party.party0000.postcode", "XX1", today=TODAY)
    with pytest.raises(RecordError, match="not a date"):
        cf.apply_edit(case, "hearing.date", "31/02/2026", today=TODAY)
    with pytest.raises(RecordError, match="not a child"):
        cf.apply_edit(case, "child.child0000.date_of_birth", "01/01/2000", today=TODAY)
    with pytest.raises(cf.UnknownField):
        cf.apply_edit(case, "party.gone.name", "X", today=TODAY)


def test_a_screening_answer_records_when_and_by_whom():
    case = sample_cases()[1]
    key = "screening.domestic_abuse.answer"
    edited = cf.apply_edit(case, key, "yes", today=TODAY, officer_name=OFFICER.name)
    answer = edited.screening.domestic_abuse
    assert (answer.answer, answer.answered_on, answer.answered_by) == (
        Answer.YES,
        TODAY,
        OFFICER.name,
    )
    with pytest.raises(RecordError, match="needs the date and who answered"):
        cf.apply_edit(edited, "screening.domestic_abuse.answered_by", "", today=TODAY)


def test_removing_a_party_a_direction_names_is_refused():
    from records.model import Activity, Direction

    case = sample_cases()[0]
    import attrs

    case = attrs.evolve(case, directions=(Direction(activity=Activity.WT4C, party_id="party0000"),))
    with pytest.raises(RecordError):
        cf.remove_party(case, "party0000")


# --- duty-list rows --------------------------------------------------------------------------


def test_rows_are_built_defensively_from_the_index():
    row = row_from_summary("x", {"parties": "not a list", "hearing_date": "soon", "children": True})
    assert (row.parties, row.hearing_date, row.children) == ("", None, 0)
    assert row.badges == ("screening incomplete", "no child recorded")
    evil = row_from_summary("y", {"parties": ["\x1b[2J\u202eevil"], "referrals_queued": 2})
    assert evil.parties == "?[2J?evil"
    assert "2 referrals queued" in evil.badges
    assert plain_str("a\nb", multiline=True) == "a\nb"


def _summaries(count: int) -> dict[str, dict]:
    start = dt.date(2026, 1, 1)
    return {
        f"c{i}": {
            "case_number": f"ZZ26P{i:05d}",
            "court": "Court A" if i % 2 else "Court B",
            "hearing_date": (start + dt.timedelta(days=i % 100)).isoformat(),
            "parties": [f"Parent{i} Ffug", f"Other{i} Example"],
            "children": 1,
            "screening_complete": True,
        }
        for i in range(count)
    }


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.one_of(
            st.text(alphabet="ffugparent12 oexamplzZ", max_size=12).map(lambda q: ("q", q)),
            st.sampled_from(["Court A", "Court B", None]).map(lambda c: ("court", c)),
            st.integers(0, 199).map(lambda i: ("rename", i)),
        ),
        max_size=25,
    )
)
def test_typing_on_searches_within_the_last_matches_and_finds_the_same(steps):
    """The search narrows the previous keystroke's matches when the query grows; whatever
    the sequence (typing, backspace, another court, a case renamed meanwhile) it must find
    exactly what a fresh search finds."""
    summaries = _summaries(200)
    index = DutyIndex(summaries)
    query, court = "", None
    near = dt.date(2026, 1, 1)
    for kind, value in steps:
        if kind == "q":
            query = value
        elif kind == "court":
            court = value
        else:
            summaries[f"c{value}"] = summaries[f"c{value}"] | {"parties": ["Renamed Parent12"]}
            index.update(f"c{value}", summaries[f"c{value}"])
        for typed in (query, query[:-1], query):  # again (after a rename), back, on
            got = index.search(typed, near=near, court=court, limit=5)
            fresh = DutyIndex(summaries).search(typed, near=near, court=court, limit=5)
            assert [r.case_id for r in got[0]] == [r.case_id for r in fresh[0]]
            assert got[1] == fresh[1]


@settings(max_examples=300, deadline=None)
@given(
    offsets=st.lists(st.one_of(st.none(), st.integers(-40, 40)), max_size=60),
    near=st.integers(-45, 45),
    limit=st.integers(1, 30),
)
def test_nearest_rows_are_exactly_what_sorting_every_distance_gives(offsets, near, limit):
    import heapq

    from duty_tui.services.duty_index import nearest

    start = dt.date(2026, 3, 16)
    index = DutyIndex(
        {
            f"c{i}": {
                "case_number": f"ZZ26P{i:05d}",
                "court": "Court A",
                "hearing_date": (start + dt.timedelta(days=o)).isoformat() if o is not None else "",
            }
            for i, o in enumerate(offsets)
        }
    )
    rows, _ = index.search("", near=start, limit=10**6)  # every row, in the index's order
    day = start + dt.timedelta(days=near)

    def distance(r):
        return abs((r.hearing_date - day).days) if r.hearing_date else 10**6

    expected = sorted(heapq.nsmallest(limit, rows, key=distance), key=lambda r: r.sort_key)
    assert [r.case_id for r in nearest(rows, day, limit)] == [r.case_id for r in expected]


def test_a_case_renamed_between_keystrokes_is_searched_as_it_is_now():
    summaries = _summaries(10)
    index = DutyIndex(summaries)
    near = dt.date(2026, 1, 1)
    assert "c1" in {r.case_id for r in index.search("ffu", near=near)[0]}
    index.update("c1", summaries["c1"] | {"parties": ["Gwenllïan Ŵyn"]})
    assert "c1" not in {r.case_id for r in index.search("ffug", near=near)[0]}
    assert [r.case_id for r in index.search("gwenllïan", near=near)[0]] == ["c1"]


def test_search_finds_every_word_and_keeps_the_nearest():
    index = DutyIndex(_summaries(1000))
    rows, total = index.search("parent12 ffug", near=dt.date(2026, 1, 1))
    assert total == 11  # Parent12, Parent120..129
    assert {r.case_id for r in rows} >= {"c12", "c120"}
    rows, total = index.search("ffug", near=dt.date(2026, 1, 1), limit=10)
    assert total == 1000 and len(rows) == 10
    assert all(r.hearing_date == dt.date(2026, 1, 1) for r in rows)
    rows, _ = index.search("zz26p00007", near=dt.date(2026, 1, 1), court="Court A")
    assert [r.case_id for r in rows] == ["c7"]
    assert [r.case_id for r in index.day(dt.date(2026, 1, 2), "Court A")] == [
        f"c{i}" for i in range(1, 1000, 100)
    ]
    index.update("c1", _summaries(2)["c1"] | {"hearing_date": "2026-02-01"})
    assert "c1" not in {r.case_id for r in index.day(dt.date(2026, 1, 2))}
    assert index.find_number("ZZ26P00001").case_id == "c1"


# --- saver -----------------------------------------------------------------------------------


class FlakyRepo:
    def __init__(self, store: Store, failures: int) -> None:
        self.repo = CaseRepository(store)
        self.failures = failures
        self.saved: list[str] = []

    def save(self, case) -> None:
        if self.failures:
            self.failures -= 1
            raise StoreError("disk full (test)")
        self.repo.save(case)
        self.saved.append(case.id)


def test_saver_keeps_the_newest_version_and_retries_failures(tmp_path):
    store = Store.create(tmp_path / "s", PASSPHRASE, kdf=KdfParams.for_tests())
    failed = threading.Event()
    repo = FlakyRepo(store, failures=1)
    saver = Saver(store, repo, on_failed=lambda case_id, reason: failed.set())  # type: ignore[arg-type]
    case = sample_cases()[0]
    saver.save_case(case)
    assert failed.wait(5)
    assert saver.failed == {case.id}
    # A newer version supersedes the failed one; flush writes it now.
    import attrs

    newer = attrs.evolve(case, court="Newer Court")
    saver.save_case(newer)
    assert saver.flush()
    assert saver.failed == set()
    saver.save_drafts(case.id, {"hearing.date": "31/02"})
    assert saver.close()
    assert CaseRepository(store).get(case.id).court == "Newer Court"
    assert load_drafts(store) == {case.id: {"hearing.date": "31/02"}}
    store.close()


# --- passphrase strength ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passphrase", "acceptable"),
    [
        ("short", False),
        ("aaaaaaaaaaaaaaaa", False),
        ("password1234password", False),
        ("cafcasscafcass12", False),
        ("correct horse battery staple", True),
        ("purple court elephant", True),
    ],
)
def test_passphrase_strength(passphrase, acceptable):
    assert passphrase_strength(passphrase).acceptable is acceptable


# --- demo data dir ---------------------------------------------------------------------------


def test_demo_is_made_once_and_moves_to_today(tmp_path, monkeypatch):
    # The demo families come from duty_tui.services.demo; here any fictional cases will do.
    monkeypatch.setattr("duty_tui.services.demo.demo_cases", lambda today: _dated(today))
    data_dir = tmp_path / "demo"
    fast = KdfParams.for_tests()
    assert demo_command.ensure_demo(data_dir, TODAY, kdf=fast) is True
    assert demo_command.ensure_demo(data_dir, TODAY, kdf=fast) is False
    later = TODAY + dt.timedelta(days=30)
    assert demo_command.ensure_demo(data_dir, later, kdf=fast) is False
    from duty_tui.services.demo import DEMO_PASSPHRASE

    with Store.open(data_dir, DEMO_PASSPHRASE) as store:
        summaries = store.summaries()
        assert len(summaries) == len(sample_cases())
        assert {s["hearing_date"] for s in summaries.values()} >= {later.isoformat()}
        assert load_profile(store) is not None


def test_demo_never_touches_a_real_store(tmp_path, monkeypatch):
    from duty_tui.services.demo import DEMO_PASSPHRASE

    Store.create(tmp_path / "real", DEMO_PASSPHRASE, kdf=KdfParams.for_tests()).close()
    with pytest.raises(StoreError, match="not a demo data dir"):
        demo_command.ensure_demo(tmp_path / "real", TODAY)


def _dated(today: dt.date):
    import attrs

    cases = sample_cases()
    return [
        attrs.evolve(
            c,
            id=f"{c.id}{today:%m%d}",
            hearing=attrs.evolve(c.hearing, date=today + (c.hearing.date - TODAY)),
        )
        for c in cases
    ]


def test_config_has_no_personal_data_fields():
    # The TOML file is not encrypted: only behaviour belongs in it.
    import dataclasses

    assert {f.name for f in dataclasses.fields(Config)} == {
        "idle_lock_minutes",
        "keymap",
        "warnings",
        "path",
    }


def test_a_persons_own_check_is_recorded_when_and_by_whom_and_goes_with_them():
    """Issue 11, item 5: per-person safeguarding fields (keys checks.<id>.<question>.<part>)."""
    case = sample_cases()[0]
    key = "checks.party0001.police_check.answer"
    assert cf.display_value(case, key) == "unknown"
    edited = cf.apply_edit(case, key, "yes", today=TODAY, officer_name=OFFICER.name)
    own = edited.screening.checks_of("party0001").police_check
    assert (own.answer, own.answered_on, own.answered_by) == (Answer.YES, TODAY, OFFICER.name)
    # A child is checked with the local authority only: no police-check field for them.
    with pytest.raises(cf.UnknownField):
        cf.apply_edit(case, "checks.child0000.police_check.answer", "yes", today=TODAY)
    child = cf.apply_edit(
        case, "checks.child0000.local_authority_check.answer", "no", today=TODAY, officer_name="X"
    )
    assert child.screening.checks_of("child0000").local_authority_check.answer is Answer.NO
    with pytest.raises(RecordError, match="in the future"):
        cf.apply_edit(
            edited, "checks.party0001.police_check.answered_on", "01/01/2099", today=TODAY
        )
    # Removing the person removes their own checks with them.
    gone = cf.remove_party(edited, "party0001")
    assert gone.screening.checks_of("party0001") is None
    court = cf.apply_edit(
        case, "court.s16a_risk_assessment.answer", "no", today=TODAY, officer_name="X"
    )
    assert court.screening.s16a_risk_assessment.answer is Answer.NO


@pytest.mark.parametrize("typed", ["gwenllian", "pyr", "GWENLLÏAN ŵyn", "dafydd pŷr"])
def test_the_duty_list_search_folds_welsh_letters(typed):
    """Issue 12: "gwenllian" or "pyr" typed on an English keyboard finds the case (it said
    "No case matches"); an accent typed still finds it; another name does not."""
    index = DutyIndex(
        {
            "c1": {
                "case_number": "ZZ26P00001",
                "court": "Cardiff",
                "hearing_date": "2026-11-30",
                "parties": ["Gwenllïan Ŵyn Ffug", "Dafydd Pŷr Ffug"],
            },
            "c2": {
                "case_number": "ZZ26P00002",
                "court": "Cardiff",
                "hearing_date": "2026-11-30",
                "parties": ["Rhiannon Ffug", "Owain Ffug"],
            },
        }
    )
    rows, total = index.search(typed, near=dt.date(2026, 11, 30))
    assert ([r.case_id for r in rows], total) == (["c1"], 1)
