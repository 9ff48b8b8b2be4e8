import datetime as dt

import attrs
import pytest

from records.entry import check_answer, parse_date_of_birth
from records.model import (
    Answer,
    Case,
    Child,
    Direction,
    Hearing,
    Officer,
    Party,
    RecordError,
    ScreeningAnswer,
    parse_case_number,
    parse_date,
    parse_email,
    parse_phone,
    parse_postcode,
    postcode_area,
    postcode_district,
)


def make_case(**changes):
    fields = {
        "case_number": "CF24P01234",
        "court": "Cardiff",
        "jurisdiction": "wales",
        "hearing": Hearing(date="2026-11-23"),
        "officer": Officer(name="Demo Officer", role="FCA"),
    }
    fields.update(changes)
    return Case(**fields)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("cf24p01234", "CF24P01234"),
        (" CF24 P01234 ", "CF24P01234"),
        ("1234567890123456", "1234-5678-9012-3456"),
        ("1234-5678-9012-3456", "1234-5678-9012-3456"),
    ],
)
def test_case_numbers_normalise(raw, expected):
    assert parse_case_number(raw) == expected


@pytest.mark.parametrize("raw", ["", "CF24X0123", "12345", "CF24P012345", "1234-5678-9012-345"])
def test_bad_case_numbers_say_what_is_expected(raw):
    with pytest.raises(RecordError) as err:
        parse_case_number(raw)
    assert err.value.field == "case number"
    assert "required" in err.value.message or "expected like CF24P01234" in err.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("cf101aa", "CF10 1AA"),
        ("CF10 1AA", "CF10 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("LL55 1AA", "LL55 1AA"),
        ("", ""),
    ],
)
def test_postcodes_normalise(raw, expected):
    assert parse_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["XX", "CF10", "12345", "CF10 1A", "QF10 1AA", "CF10 1CI"])
def test_bad_postcodes_are_refused_with_the_reason(raw):
    with pytest.raises(RecordError, match="is not a UK postcode"):
        parse_postcode(raw)


def test_postcode_parts():
    assert postcode_district("CF10 1AA") == "CF10"
    assert postcode_area("CF10 1AA") == "CF"
    assert postcode_area("M1 1AE") == "M"


def test_dates_read_in_both_forms():
    assert parse_date("23/11/2026") == dt.date(2026, 11, 23)
    assert parse_date("2026-11-23") == dt.date(2026, 11, 23)
    assert parse_date("2026-1-5") == dt.date(2026, 1, 5)  # strptime's ISO, unpadded
    assert parse_date("30-11-2026") == dt.date(2026, 11, 30)
    with pytest.raises(RecordError):
        parse_date("2026-02-30")  # ISO-shaped is not enough: a real date
    with pytest.raises(RecordError, match="is not a date: use DD/MM/YYYY"):
        parse_date("31/02/2026")


def test_no_child_born_in_the_future_or_adult():
    # Entered on the day of the hearing (records/entry.py; the ages are at the hearing date).
    today = dt.date(2026, 11, 22)
    entered = {"today": today, "hearing_date": today}
    assert parse_date_of_birth("22/11/2026", **entered) == today
    with pytest.raises(RecordError, match="is in the future"):
        parse_date_of_birth("23/11/2026", **entered)
    with pytest.raises(RecordError, match="18 or more years ago"):
        parse_date_of_birth("22/11/2008", **entered)
    assert parse_date_of_birth("23/11/2008", **entered) == dt.date(2008, 11, 23)


def test_a_future_birth_is_refused_where_it_is_entered_not_by_the_record():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(RecordError, match="is in the future") as err:
        parse_date_of_birth(tomorrow, today=dt.date.today(), hearing_date=dt.date.today())
    assert err.value.field == "date of birth"
    # The record holds what was entered; it is not checked against the clock when read.
    assert Child(name="Nia", date_of_birth=tomorrow).date_of_birth == tomorrow


def test_contact_details():
    assert parse_phone("07700 900123") == "07700 900123"
    assert parse_phone("+44 (0)29 2000 0000") == "+44 (0)29 2000 0000"
    with pytest.raises(RecordError, match="not a phone number"):
        parse_phone("call me")
    assert parse_email("a@example.org") == "a@example.org"
    with pytest.raises(RecordError, match="not an email address"):
        parse_email("a@b")


def test_enums_list_what_is_allowed():
    with pytest.raises(RecordError, match="role 'judge' is not one of: applicant, respondent"):
        Party(name="X", role="judge")


def test_names_keep_welsh_and_lose_escapes():
    party = Party(name="Gwenllïan \x1b[2J\x1b]0;title\x07Ŵyn Pŷr", role="applicant")
    assert party.name == "Gwenllïan Ŵyn Pŷr"


def test_blank_name_is_required():
    with pytest.raises(RecordError, match="name is required"):
        Party(name=" \x1b[0m ", role="applicant")


def test_answered_screening_needs_who_and_when():
    with pytest.raises(RecordError, match="needs the date and who answered"):
        ScreeningAnswer(answer="yes")
    answer = ScreeningAnswer(answer="no", answered_on=dt.date.today(), answered_by="Officer")
    assert answer.answer is Answer.NO
    tomorrow = ScreeningAnswer(
        answer="no", answered_on=dt.date.today() + dt.timedelta(days=1), answered_by="Officer"
    )
    with pytest.raises(RecordError, match="in the future"):
        check_answer(tomorrow, today=dt.date.today())


def test_records_are_frozen_and_evolve_validates():
    party = Party(name="Sam Sample", role="applicant")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        party.name = "x"  # type: ignore[misc]
    with pytest.raises(RecordError, match="not a UK postcode"):
        attrs.evolve(party, postcode="nope")


def test_case_refuses_direction_for_unknown_party():
    party = Party(name="Sam Sample", role="applicant")
    make_case(parties=[party], directions=[Direction(activity="wt4c", party_id=party.id)])
    with pytest.raises(RecordError, match="names a party not in this case"):
        make_case(parties=[party], directions=[Direction(activity="wt4c", party_id="other")])


def test_case_refuses_repeated_ids():
    party = Party(name="Sam Sample", role="applicant")
    with pytest.raises(RecordError, match="two parties share one id"):
        make_case(parties=[party, party])


def test_title_names_the_principal_parties():
    case = make_case(
        parties=[
            Party(name="Alex Example", role="applicant"),
            Party(name="Jordan Example", role="respondent"),
            Party(name="Nan Example", role="other_family_member"),
        ]
    )
    assert case.title == "CF24P01234 Alex Example v Jordan Example"
    assert case.service == "Cafcass Cymru"
