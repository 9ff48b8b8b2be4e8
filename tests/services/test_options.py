"""Provider filtering and ranking, and the shipped sample directory."""

from __future__ import annotations

import datetime as dt

from duty_tui.services.catalogue import Effect
from duty_tui.services.options import Directory, find, sample_directory, serves
from records.model import (
    Accreditation,
    Activity,
    Delivery,
    Jurisdiction,
    Language,
    PartyRole,
    TimeConstraints,
)
from tests.services.factories import (
    APP,
    RESP,
    TODAY,
    direction,
    make_case,
    party,
    provider,
)

A = Activity


def ids(found):
    return list(found.provider_ids)


def excluded(found):
    return {x.provider.id: [r.rule_id for r in x.reasons] for x in found.excluded}


def test_area_and_district_matching():
    p = provider(areas=["CF10", "NP"])
    assert serves(p, "CF10 1AA")
    assert serves(p, "NP20 4EE")
    assert not serves(p, "CF1 1AA")  # CF1 is not CF10
    assert not serves(p, "CF14 3BB")
    assert not serves(p, "")


def test_face_to_face_only_where_the_party_can_travel_remote_anywhere():
    near = provider("near", areas=["CF"], delivery=["face_to_face"])
    far = provider("far", areas=["LL"], delivery=["face_to_face"])
    online = provider("online", areas=[], delivery=["remote"])
    both_far = provider("both-far", areas=["SA"], delivery=["remote", "face_to_face"])
    found = find(
        make_case(),
        APP,
        A.WT4C,
        Directory([near, far, online, both_far]),
        today=TODAY,
        explain=True,
    )
    assert set(ids(found)) == {"near", "online", "both-far"}
    assert excluded(found) == {"far": ["S11E-TRAVEL"]}
    usable = {o.provider.id: o.delivery for o in found.ranked}
    assert usable["both-far"] == (Delivery.REMOTE,)
    assert usable["near"] == (Delivery.FACE_TO_FACE,)


def test_no_postcode_means_remote_only():
    case = make_case(parties=(party(postcode=""),))
    f2f = provider("f2f", delivery=["face_to_face"])
    found = find(
        case,
        APP,
        A.WT4C,
        Directory([f2f, provider("r", delivery=["remote"])]),
        today=TODAY,
        explain=True,
    )
    assert ids(found) == ["r"]
    assert excluded(found) == {"f2f": ["S11E-POSTCODE"]}


def test_delivery_filter():
    both = provider("both", delivery=["remote", "face_to_face"])
    remote = provider("remote", delivery=["remote"])
    found = find(
        make_case(),
        APP,
        A.WT4C,
        Directory([both, remote]),
        today=TODAY,
        delivery=Delivery.FACE_TO_FACE,
        explain=True,
    )
    assert ids(found) == ["both"]
    assert excluded(found) == {"remote": ["FILTER"]}


def test_accreditation_levels_for_contact():
    none = provider("none", activities=[A.CONTACT_SUPPORTED, A.CONTACT_SUPERVISED])
    std = provider(
        "std",
        activities=[A.CONTACT_SUPPORTED, A.CONTACT_SUPERVISED],
        accreditation=Accreditation.STANDARD,
    )
    enh = provider(
        "enh",
        activities=[A.CONTACT_SUPPORTED, A.CONTACT_SUPERVISED],
        accreditation=Accreditation.ENHANCED,
    )
    directory = Directory([none, std, enh])
    supported = find(make_case(), APP, A.CONTACT_SUPPORTED, directory, today=TODAY, explain=True)
    supervised = find(make_case(), APP, A.CONTACT_SUPERVISED, directory, today=TODAY, explain=True)
    assert set(ids(supported)) == {"std", "enh"}
    assert excluded(supported) == {"none": ["CONTACT-NACCC"]}
    assert ids(supervised) == ["enh"]
    assert excluded(supervised) == {"none": ["CONTACT-NACCC"], "std": ["SUPERVISED-ENHANCED"]}


def test_every_reason_for_an_exclusion_is_listed():
    wrong = provider(
        "wrong",
        activities=[A.PTFC],
        jurisdiction="england",
        areas=["BS"],
        delivery=["face_to_face"],
    )
    found = find(make_case(), APP, A.WT4C, Directory([wrong]), today=TODAY, explain=True)
    assert excluded(found) == {
        "wrong": ["PROVIDER-ACTIVITY", "PROVIDER-JURISDICTION", "S11E-TRAVEL"]
    }
    assert find(make_case(), APP, A.WT4C, Directory([wrong]), today=TODAY).excluded == ()


def test_ranking_language_then_availability_then_name():
    case = make_case(parties=(party(language=Language.WELSH),))
    providers = [
        provider("en-soon", name="A English soon", next_available="2026-11-24"),
        provider(
            "cy-late",
            name="B Welsh late",
            languages=["welsh", "english"],
            next_available="2026-12-20",
        ),
        provider("cy-soon", name="C Welsh soon", languages=["welsh"], next_available="2026-12-01"),
        provider("cy-nodate", name="D Welsh no date", languages=["welsh"]),
        provider(
            "cy-past", name="E Welsh past date", languages=["welsh"], next_available="2026-01-01"
        ),
    ]
    found = find(case, APP, A.WT4C, Directory(providers), today=TODAY)
    # A date already past counts as "now"; no date given ranks after every dated one.
    assert ids(found) == ["cy-past", "cy-soon", "cy-late", "cy-nodate", "en-soon"]
    english = found.ranked[-1]
    assert [r.rule_id for r in english.warnings] == ["LANGUAGE"]


def test_language_filter_excludes():
    found = find(
        make_case(),
        APP,
        A.WT4C,
        Directory([provider("en"), provider("cy", languages=["welsh"])]),
        today=TODAY,
        language=Language.WELSH,
        explain=True,
    )
    assert ids(found) == ["cy"]


def test_available_by_filter():
    found = find(
        make_case(),
        APP,
        A.WT4C,
        Directory(
            [
                provider("soon", next_available="2026-11-30"),
                provider("late", next_available="2027-01-30"),
                provider("undated"),
            ]
        ),
        today=TODAY,
        available_by=dt.date(2026, 12, 31),
        explain=True,
    )
    assert ids(found) == ["soon"]
    assert set(excluded(found)) == {"late", "undated"}


def test_the_other_parents_provider_ranks_last_with_a_warning():
    case = make_case(directions=(direction(A.WT4C, RESP, provider_id="taken"),))
    found = find(
        case,
        APP,
        A.WT4C,
        Directory(
            [
                provider("taken", name="A taken", next_available="2026-11-24"),
                provider("free", name="Z free", next_available="2027-02-01"),
            ]
        ),
        today=TODAY,
    )
    assert ids(found) == ["free", "taken"]
    assert "SEPARATE-PROVIDER" in [r.rule_id for r in found.ranked[1].warnings]


def test_contact_centres_are_not_kept_apart():
    # A contact centre serves the family: the other parent being there is no warning.
    centre = provider("centre", activities=[A.CONTACT_SUPPORTED], accreditation="standard")
    case = make_case(directions=(direction(A.CONTACT_SUPPORTED, RESP, provider_id="centre"),))
    found = find(case, APP, A.CONTACT_SUPPORTED, Directory([centre]), today=TODAY)
    assert found.ranked[0].warnings == ()


def test_real_providers_rank_before_samples():
    found = find(
        make_case(),
        APP,
        A.WT4C,
        Directory(
            [provider("sample", name="A sample", sample=True), provider("real", name="Z real")]
        ),
        today=TODAY,
    )
    assert ids(found) == ["real", "sample"]


def test_party_circumstances_note():
    case = make_case(parties=(party(constraints=TimeConstraints(work="Mon-Wed 8-4")),))
    found = find(case, APP, A.WT4C, Directory([provider()]), today=TODAY)
    assert [r.effect for r in found.notes] == [Effect.WARNING]
    assert "Mon-Wed 8-4" in found.notes[0].text


# --- the sample directory ----------------------------------------------------------------------


def test_sample_directory_is_fictional_and_complete():
    d = sample_directory()
    assert d.sample
    assert all(p.sample and p.name.startswith("Sample: ") for p in d.providers)
    assert all(p.email.endswith(".example") for p in d.providers)
    for activity in Activity:
        for jurisdiction in Jurisdiction:
            from duty_tui.services.catalogue import entry

            if jurisdiction in entry(activity).jurisdictions:
                assert any(
                    activity in p.activities and p.jurisdiction is jurisdiction for p in d.providers
                ), (activity, jurisdiction)
    assert any(Language.WELSH in p.languages for p in d.providers)
    assert any(p.languages == (Language.ENGLISH,) for p in d.providers)
    levels = {p.accreditation for p in d.providers if A.CONTACT_SUPPORTED in p.activities}
    assert {Accreditation.STANDARD, Accreditation.ENHANCED} <= levels
    assert d.get("sample-wt4c-cardiff") is not None  # named by docs/examples/case.json


def test_sample_directory_finds_local_options_in_both_jurisdictions():
    d = sample_directory()
    wales = make_case(
        parties=(
            party(language=Language.WELSH),
            party(RESP, PartyRole.RESPONDENT, postcode="SA1 1BB"),
        )
    )
    welsh_first = find(wales, APP, A.WT4C, d, today=TODAY)
    assert welsh_first.ranked[0].provider.id == "sample-wt4c-cardiff"
    england = make_case(Jurisdiction.ENGLAND)
    assert find(england, APP, A.PTFC, d, today=TODAY).provider_ids
    # Bristol: no enhanced centre serves BS, so only remote supervised contact (Pennine).
    bristol = find(england, APP, A.CONTACT_SUPERVISED, d, today=TODAY)
    assert [(o.provider.id, o.delivery) for o in bristol.ranked] == [
        ("sample-contact-pennine", (Delivery.REMOTE,))
    ]
    manchester = make_case(Jurisdiction.ENGLAND, parties=(party(postcode="M1 1AE"),))
    assert find(manchester, APP, A.CONTACT_SUPERVISED, d, today=TODAY).provider_ids == (
        "sample-contact-pennine",
    )
