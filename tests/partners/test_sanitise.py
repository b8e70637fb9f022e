"""partners.sanitise: the boundary between police-only text and what partners receive (no database).

Canary strings are planted wherever police-only text lives; none may reach anything partner-facing.
"""

import hashlib
import random

import pytest

from nim_portal.choices import GSCMarking
from partners.sanitise import (
    REMOVED_MARK,
    REMOVED_MARK_HTML,
    PartnerText,
    ReleaseRefused,
    SectionOutcome,
    WarningKind,
    build_partner_text,
    partner_section_html,
    personal_data_warnings,
    release_warnings,
    warning_id,
    warnings_outstanding,
)
from products.rendering import RESTRICTED_CLOSE, RESTRICTED_OPEN, plain_text

SPAN_CANARY = "QZXSPANCANARYXZQ"
UNRELEASABLE_CANARY = "QZXUNRELEASABLECANARYXZQ"
UNCHOSEN_CANARY = "QZXUNCHOSENCANARYXZQ"
FIELD_CANARY = "QZXFIELDCANARYXZQ"
SUBJECT_CANARY = "QZXSUBJECTCANARYXZQ"
ALL_CANARIES = (SPAN_CANARY, UNRELEASABLE_CANARY, UNCHOSEN_CANARY, FIELD_CANARY, SUBJECT_CANARY)


def restricted(text):
    return f"{RESTRICTED_OPEN}{text}{RESTRICTED_CLOSE}"


def section(
    section_id, title, body, *, releasable=True, position=None, marking=GSCMarking.OFFICIAL
):
    return {
        "id": section_id,
        "position": section_id if position is None else position,
        "title": title,
        "marking": int(marking),
        "body": body,
        "releasable": releasable,
    }


def content(*sections, kind="tactical", title="Acquisitive crime, Ladywood", **extra):
    """The shape of products.services.product_snapshot, plus any extra fields given."""
    return {
        "product": 41,
        "kind": kind,
        "version": 3,
        "published_at": "2025-03-01T09:00:00+00:00",
        "author": "analyst",
        "reviewer": "reviewer",
        "title": title,
        "marking": int(GSCMarking.OFFICIAL_SENSITIVE),
        "descriptor": "",
        "handling_instructions": "",
        "sections": list(sections),
        **extra,
    }


def partner_facing(release):
    """Everything built for a partner: the partner text's repr, its HTML and its visible text."""
    partner = release.partner
    return "\n".join(
        [repr(partner), partner.partner_html(), repr(release)]
        + [plain_text(s.body) for s in partner.sections]
    )


def police_record(release):
    return repr(release.removed_for_police_eyes_only)


def tactical_with_everything():
    """A tactical assessment with each kind of police-only text, each holding its own canary."""
    return content(
        section(1, "Summary", f"Burglary rose 12% to 1,204. {restricted(SPAN_CANARY)} Fridays."),
        section(
            2,
            f"Source handling {UNRELEASABLE_CANARY}",
            f"CHIS reporting {UNRELEASABLE_CANARY}.",
            releasable=False,
        ),
        section(3, "Partner actions", f"Youth outreach {UNCHOSEN_CANARY}."),
        section(4, "Prevention", "Lighting in the alleys behind Mill Lane."),
        warning_markers=[f"violent {FIELD_CANARY}"],
        subject_kind="person",
        subject_description=f"Tall, scar {FIELD_CANARY}",
        author=f"analyst{FIELD_CANARY}",
        reviewer=f"reviewer{FIELD_CANARY}",
        descriptor=f"PERSONAL{FIELD_CANARY}",
        handling_instructions=f"Do not share {FIELD_CANARY}",
        internal_notes=FIELD_CANARY,
    )


# Canaries


def test_no_canary_reaches_the_partner_text():
    release = build_partner_text(tactical_with_everything(), chosen_section_ids={1, 4})

    output = partner_facing(release)
    for canary in ALL_CANARIES:
        assert canary not in output
    assert "Burglary rose 12% to 1,204." in output
    assert "Lighting in the alleys behind Mill Lane." in output
    assert [s.title for s in release.partner.sections] == ["Summary", "Prevention"]


def test_a_restricted_passage_is_kept_for_the_police_preview_only():
    release = build_partner_text(tactical_with_everything(), chosen_section_ids={1, 4})

    summary, *_ = release.removed_for_police_eyes_only
    assert summary.removed_passages == (SPAN_CANARY,)
    assert SPAN_CANARY not in repr(release.partner)
    # Nothing of an unreleased section's body, nor of the extra fields, is kept anywhere.
    record = police_record(release)
    for canary in (UNCHOSEN_CANARY, FIELD_CANARY):
        assert canary not in record
    assert f"CHIS reporting {UNRELEASABLE_CANARY}" not in record


def test_extra_fields_in_sections_never_travel():
    releasable = section(1, "Summary", "Open text.")
    releasable.update(
        author=FIELD_CANARY, notes=FIELD_CANARY, warning_markers=[FIELD_CANARY], reviewer="x"
    )
    release = build_partner_text(content(releasable), chosen_section_ids={1})

    assert FIELD_CANARY not in partner_facing(release)
    assert FIELD_CANARY not in police_record(release)


@pytest.mark.parametrize(
    "body",
    [
        f"- one\n- {restricted(SPAN_CANARY)}\n- three",
        f"| a | b |\n|---|---|\n| {restricted(SPAN_CANARY)} | x |",
        f"```\ncode {restricted(SPAN_CANARY)}\n```",
        f"First paragraph {restricted('starts here.' + chr(10) * 2 + SPAN_CANARY)} and on.",
        f"**bold {restricted(SPAN_CANARY)}** [link]({'https://example.org'})",
        f"{restricted(SPAN_CANARY)}{restricted(SPAN_CANARY + ' again')}",
    ],
)
def test_restricted_spans_are_removed_wherever_they_stand(body):
    release = build_partner_text(content(section(1, "S", body)), chosen_section_ids={1})

    assert SPAN_CANARY not in partner_facing(release)
    assert SPAN_CANARY in police_record(release)


# The removal mark


def test_removed_text_leaves_a_visible_mark_in_its_place():
    body = f"The premises were taken over {restricted(SPAN_CANARY)}; two arrests followed."
    release = build_partner_text(content(section(1, "S", body)), chosen_section_ids={1})

    (partner_section,) = release.partner.sections
    assert (
        partner_section.body
        == f"The premises were taken over {REMOVED_MARK}; two arrests followed."
    )
    assert f"taken over {REMOVED_MARK_HTML}; two" in release.partner.partner_html()
    assert SPAN_CANARY not in partner_facing(release)


@pytest.mark.parametrize(
    "body, shown",
    [
        (f"- one\n- {restricted(SPAN_CANARY)}\n- three", f"<li>{REMOVED_MARK_HTML}</li>"),
        (
            f"| a | b |\n|---|---|\n| {restricted(SPAN_CANARY)} | x |",
            f"<td>{REMOVED_MARK_HTML}</td>",
        ),
        (f"```\ncode {restricted(SPAN_CANARY)}\n```", f"code {REMOVED_MARK_HTML}"),
        (f"**bold {restricted(SPAN_CANARY)}**", f"<strong>bold {REMOVED_MARK_HTML}</strong>"),
        # The mark's brackets are never read as a link, whatever follows them.
        (f"{restricted(SPAN_CANARY)}(https://example.org)", f"{REMOVED_MARK_HTML}(https://"),
        (f"{restricted(SPAN_CANARY)}\n\n[removed]: https://example.org", REMOVED_MARK_HTML),
    ],
)
def test_the_mark_is_shown_wherever_the_span_stood(body, shown):
    release = build_partner_text(content(section(1, "S", body)), chosen_section_ids={1})

    html = partner_section_html(release.partner.sections[0].body)
    assert shown in html
    assert "<a" not in html
    assert SPAN_CANARY not in html


def test_the_mark_inside_a_link_title_stays_plain_text():
    html = partner_section_html(f'[map](https://example.org "{REMOVED_MARK} area")')

    assert f'title="{REMOVED_MARK} area"' in html
    assert "nim-removed" not in html


def test_the_marks_private_character_typed_in_the_text_is_not_a_mark():
    html = partner_section_html("odd \ue002 character")

    assert "nim-removed" not in html
    assert "odd \ufffd character" in html


@pytest.mark.parametrize("kind", ["subject", "firearms"])
def test_a_subject_profile_is_refused_whatever_is_chosen(kind):
    profile = content(
        section(1, f"Subject {SUBJECT_CANARY}", f"Lives at {SUBJECT_CANARY}."),
        kind=kind,
        warning_markers=[SUBJECT_CANARY],
        subject_description=SUBJECT_CANARY,
    )

    with pytest.raises(ReleaseRefused, match="subject profile cannot be released") as refused:
        build_partner_text(profile, chosen_section_ids={1})
    assert SUBJECT_CANARY not in str(refused.value)
    with pytest.raises(ReleaseRefused):
        build_partner_text(profile, chosen_section_ids=set())


def test_an_unknown_kind_is_refused():
    with pytest.raises(ReleaseRefused, match="kind “dossier”"):
        build_partner_text(content(section(1, "S", "x"), kind="dossier"), chosen_section_ids={1})
    without_kind = content(section(1, "S", "x"))
    del without_kind["kind"]
    with pytest.raises(ReleaseRefused):
        build_partner_text(without_kind, chosen_section_ids={1})


# Refusals


def test_a_chosen_section_that_is_not_releasable_is_refused_by_name():
    with pytest.raises(ReleaseRefused) as refused:
        build_partner_text(tactical_with_everything(), chosen_section_ids={1, 2})

    message = str(refused.value)
    assert "Section 2" in message
    assert "not marked releasable to partners" in message
    assert refused.value.reasons == [message]
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize("flag", [None, "yes", 1, "true"])
def test_only_a_literal_true_flag_releases(flag):
    odd = section(1, "S", UNRELEASABLE_CANARY, releasable=flag)
    with pytest.raises(ReleaseRefused, match="not marked releasable"):
        build_partner_text(content(odd), chosen_section_ids={1})
    release = build_partner_text(content(odd, section(2, "T", "x")), chosen_section_ids={2})
    assert release.removed_for_police_eyes_only[0].outcome == SectionOutcome.NOT_RELEASABLE


@pytest.mark.parametrize(
    "body, problem",
    [
        (f"{RESTRICTED_OPEN}{SPAN_CANARY} never closed", "never closed"),
        (f"[Restricted]{SPAN_CANARY}[/Restricted]", "is not a restricted marker"),
        (
            f"{RESTRICTED_OPEN}a {restricted(SPAN_CANARY)}{RESTRICTED_CLOSE}",
            "cannot be nested",
        ),
        (f"{SPAN_CANARY}{RESTRICTED_CLOSE}", "has no"),
        (f"[x]({RESTRICTED_OPEN}https://e.org/{SPAN_CANARY}{RESTRICTED_CLOSE})", "link address"),
    ],
)
def test_malformed_restricted_markup_is_refused(body, problem):
    with pytest.raises(ReleaseRefused, match=problem) as refused:
        build_partner_text(content(section(7, "Hotspots", body)), chosen_section_ids={7})
    assert "Section 7 “Hotspots”" in str(refused.value)


def test_malformed_markup_in_a_section_not_released_does_not_matter():
    broken = section(2, "Draft", f"{RESTRICTED_OPEN}unclosed", releasable=False)
    release = build_partner_text(content(section(1, "S", "x"), broken), chosen_section_ids={1})
    assert [s.title for s in release.partner.sections] == ["S"]


def test_a_section_marked_above_official_sensitive_is_refused():
    secret = section(1, "Covert", "x", marking=GSCMarking.SECRET)
    with pytest.raises(ReleaseRefused, match=r"marked SECRET.*nothing above OFFICIAL-SENSITIVE"):
        build_partner_text(content(secret), chosen_section_ids={1})


def test_restricted_markup_in_a_title_is_refused():
    with pytest.raises(ReleaseRefused, match="product title holds restricted markup"):
        build_partner_text(
            content(section(1, "S", "x"), title=f"Ladywood {restricted(SPAN_CANARY)}"),
            chosen_section_ids={1},
        )
    with pytest.raises(ReleaseRefused, match="title of Section 1"):
        build_partner_text(
            content(section(1, f"S {restricted(SPAN_CANARY)}", "x")), chosen_section_ids={1}
        )


def test_choosing_nothing_or_a_missing_section_is_refused():
    with pytest.raises(ReleaseRefused, match="Choose at least one"):
        build_partner_text(tactical_with_everything(), chosen_section_ids=set())
    with pytest.raises(ReleaseRefused, match="Section 99 is not in this version"):
        build_partner_text(tactical_with_everything(), chosen_section_ids={1, 99})


def test_every_reason_is_given_at_once():
    with pytest.raises(ReleaseRefused) as refused:
        build_partner_text(
            content(
                section(1, "Open", "x", releasable=False),
                section(2, "Broken", f"{RESTRICTED_OPEN}x"),
            ),
            chosen_section_ids={1, 2},
        )
    assert len(refused.value.reasons) == 2


# What is built


def test_the_record_says_what_happened_to_every_section():
    release = build_partner_text(tactical_with_everything(), chosen_section_ids={1, 4})

    outcomes = [(d.section_id, d.outcome) for d in release.removed_for_police_eyes_only]
    assert outcomes == [
        (1, SectionOutcome.KEPT),
        (2, SectionOutcome.NOT_RELEASABLE),
        (3, SectionOutcome.NOT_CHOSEN),
        (4, SectionOutcome.KEPT),
    ]
    assert release.kept_section_ids == {1, 4}
    pairs = release.side_by_side()
    assert [(d.section_id, s.title) for d, s in pairs] == [(1, "Summary"), (4, "Prevention")]
    assert pairs[0][1].body == "Burglary rose 12% to 1,204. [removed] Fridays."


def test_the_partner_text_holds_only_allow_listed_fields():
    release = build_partner_text(tactical_with_everything(), chosen_section_ids={4})

    assert release.partner == PartnerText(
        title="Acquisitive crime, Ladywood",
        kind_label="Tactical assessment",
        sections=release.partner.sections,
    )
    assert [vars(s) for s in release.partner.sections] == [
        {"title": "Prevention", "body": "Lighting in the alleys behind Mill Lane."}
    ]
    assert "41" not in repr(release.partner)  # no product, version or section ids


def test_sections_follow_their_positions_and_the_highest_marking_is_reported():
    release = build_partner_text(
        content(
            section(5, "Second", "b", position=2, marking=GSCMarking.OFFICIAL_SENSITIVE),
            section(9, "First", "a", position=1),
        ),
        chosen_section_ids={5, 9},
    )
    assert [s.title for s in release.partner.sections] == ["First", "Second"]
    assert release.highest_section_marking == GSCMarking.OFFICIAL_SENSITIVE


def test_partner_html_escapes_titles_and_renders_bodies():
    release = build_partner_text(
        content(section(1, "<script>x</script>", "Some *emphasis*."), title="A & B"),
        chosen_section_ids={1},
    )
    output = release.partner.partner_html()
    assert "<h1>A &amp; B</h1>" in output
    assert "&lt;script&gt;" in output
    assert "<em>emphasis</em>" in output
    assert "<mark" not in output


# Personal-data warnings

SUBJECTS = ["John Smith", "Aisha Begum-Khan"]


def found(text, subject_names=SUBJECTS):
    warnings = personal_data_warnings(text, subject_names=subject_names)
    return [(w.kind, w.matched_text) for w in warnings]


@pytest.mark.parametrize(
    "text, matched",
    [
        ("Intelligence suggests John Smith is supplying.", "John Smith"),
        ("Intelligence suggests JOHN SMITH is supplying.", "JOHN SMITH"),
        ("Seen with SMITH, John on Friday.", "SMITH, John"),
        ("Nominal SMITH John was present.", "SMITH John"),
        ("John\nSmith's car", "John\nSmith"),
        ("Associate of Aisha Begum-Khan.", "Aisha Begum-Khan"),
    ],
)
def test_subject_names_are_found(text, matched):
    assert found(text) == [(WarningKind.SUBJECT_NAME, matched)]


@pytest.mark.parametrize(
    "text",
    [
        "Johnson Smithers was not involved.",
        "John Smithfield market.",
        "A man named John was seen; Smith Street was busy.",
        "Mr Smith attended.",
    ],
)
def test_other_names_and_parts_of_words_are_not_subject_names(text):
    assert found(text) == []


def test_blank_subject_names_are_ignored():
    assert found("Nothing here at all.", subject_names=["", "   "]) == []


@pytest.mark.parametrize(
    "text, matched",
    [
        ("Male, DOB 01/02/1990, of no fixed abode.", "DOB 01/02/1990"),
        ("Male (DOB: 1/2/90) arrested.", "DOB: 1/2/90"),
        ("Female d.o.b. 03.04.1985 reported.", "d.o.b. 03.04.1985"),
        ("The youth, born 1 February 1990, was stopped.", "born 1 February 1990"),
        ("She was born on 21st March 2007 in Dudley.", "born on 21st March 2007"),
        ("Date of birth: 14 Feb 2001.", "Date of birth: 14 Feb 2001"),
        ("Born in March 2008 and known to services.", "Born in March 2008"),
        ("DoB 12-11-1979", "DoB 12-11-1979"),
    ],
)
def test_dates_of_birth_are_found(text, matched):
    assert found(text) == [(WarningKind.DATE_OF_BIRTH, matched)]


@pytest.mark.parametrize(
    "text",
    [
        "On 01/02/2024 three burglaries were reported.",
        "Between 1 February and 14 March 2025 offences rose.",
        "Newborn 12 kittens were rehomed in 2023.",
        "The scheme was born out of the 2019 review.",
        "DOB unknown.",
    ],
)
def test_other_dates_are_not_dates_of_birth(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text, matched",
    [
        ("Contact on 07700 900123 daily.", "07700 900123"),
        ("Mobile 07700900123.", "07700900123"),
        ("Texts from +44 7700 900123 were seen.", "+44 7700 900123"),
        ("Calls from +447700900123.", "+447700900123"),
        ("Ring +44 (0)20 7946 0018 for the flat.", "+44 (0)20 7946 0018"),
        ("Landline 020 7946 0018.", "020 7946 0018"),
        ("Landline 0121 496 0000.", "0121 496 0000"),
        ("Landline (01632) 960123.", "(01632) 960123"),
        ("Landline 01632 96012.", "01632 96012"),
        ("Non-geographic 0303 123 4567.", "0303 123 4567"),
        ("Number 07700-900-123.", "07700-900-123"),
    ],
)
def test_uk_phone_numbers_are_found(text, matched):
    assert found(text) == [(WarningKind.PHONE_NUMBER, matched)]


@pytest.mark.parametrize(
    "text",
    [
        "Freephone 0800 123 4567 is the helpline.",
        "Reference 2024 0001 2345 on the log.",
        "Call 101 or 999.",
        "Crime number 07/12345/24 was filed.",
        "Too short 07700 9001 and too long 07700 9001234.",
        "Figures 0.1234567891 were rounded.",
    ],
)
def test_other_numbers_are_not_phone_numbers(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text, matched",
    [
        ("A silver Golf AB12 CDE was seen.", "AB12 CDE"),
        ("ANPR hit on BD51SMR at 02:10.", "BD51SMR"),
        ("Van YX70 ABZ parked nightly.", "YX70 ABZ"),
        ("Old Escort A123 BCD still in use.", "A123 BCD"),
        ("Prefix plate P12 KLM.", "P12 KLM"),
        ("Suffix plate ABC 123D on a Capri.", "ABC 123D"),
        ("Suffix plate GHJ 4T.", "GHJ 4T"),
    ],
)
def test_vehicle_registrations_are_found(text, matched):
    assert found(text) == [(WarningKind.VEHICLE_REGISTRATION, matched)]


@pytest.mark.parametrize(
    "text",
    [
        "Offences cluster near the A38 AND M5 junction.",
        "The A14 ASB hotspot and the M6 toll.",
        "OCG 3B was disrupted; see annex B12.",
        "The CSP 12A meeting and HMP 2B wing.",
        "Lower case ab12 cde is not a plate in prose.",
        "Covid 19 and Q3 2024 figures.",
        "The IQ12 ZZZ code is not a plate.",
    ],
)
def test_words_and_road_numbers_are_not_registrations(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text, matched",
    [
        ("Address in B1 1AA.", "B1 1AA"),
        ("Near SW1A 1AA.", "SW1A 1AA"),
        ("Flat at M1 1AE.", "M1 1AE"),
        ("Shop at EC1A 1BB.", "EC1A 1BB"),
        ("Lives at DN55 1PT.", "DN55 1PT"),
        ("Written without a space: B338TH.", "B338TH"),
    ],
)
def test_full_postcodes_are_found(text, matched):
    assert found(text) == [(WarningKind.POSTCODE, matched)]


@pytest.mark.parametrize(
    "text",
    [
        "Offending is concentrated in B1, B18 and SW1A.",
        "The WV10 and WS2 districts saw rises.",
        "Lower case b1 1aa is ignored.",
        "Inward letters never use C: B1 1CA.",
    ],
)
def test_outward_codes_alone_are_not_postcodes(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text, matched",
    [
        ("PNC ID 98/123456A on file.", "98/123456A"),
        ("PNC 01/1234567B.", "01/1234567B"),
        ("CRO 123456/98X.", "123456/98X"),
        ("CRO number 4521/03L.", "4521/03L"),
    ],
)
def test_pnc_and_cro_numbers_are_found(text, matched):
    assert found(text) == [(WarningKind.POLICE_IDENTIFIER, matched)]


def test_an_identifier_read_two_ways_warns_once():
    assert found("Record 12/34A.") == [(WarningKind.POLICE_IDENTIFIER, "12/34A")]


ORDINARY_PROSE = """\
Acquisitive crime in Ladywood rose 12% to 1,204 offences in 2024/25, against 1,075 in 2023/24.
Most burglaries happened between 14:00 and 18:30 on weekdays, peaking in November and December.
Partners may share information under s.115 of the Crime and Disorder Act 1998; see section 3.2
and paragraph 4(b). The Community Safety Partnership meets on 12 March 2025 at 10:00.
Victims aged 18-24 made up 31% of reports; 24/7 CCTV covers the A38 AND the M5 corridor.
Operation Falcon (Op. 2025/114) continues. Reference CAD 1234 of 01/02/2025. Tel: 101.
Funding of £250,000 over 3 years was agreed. Outcomes in Q3 improved by 4.5 points.
The OCG operates across B1, B18 and WV10; risk is HIGH. Annex A2 holds the methodology.
NPPV 2 holders, MoPI review at 6 years, 3x5x2 grading B2P, Schedule 1 Part 2.
"""


def test_ordinary_intelligence_prose_raises_no_warning():
    assert personal_data_warnings(ORDINARY_PROSE, subject_names=SUBJECTS) == []


def test_warning_ids_are_stable_and_depend_on_kind_text_and_section():
    first = personal_data_warnings(
        "Call 07700 900123.", subject_names=[], section_id=4, section_title="Prevention"
    )
    again = personal_data_warnings(
        "Later text. Call 07700 900123.", subject_names=[], section_id=4, section_title="P"
    )
    elsewhere = personal_data_warnings("Call 07700 900123.", subject_names=[], section_id=5)

    assert first[0].id == again[0].id
    assert first[0].id != elsewhere[0].id
    # A fixed digest, not hash(): the same in every process and after every restart.
    expected = hashlib.sha256(b"phone number\x1f07700 900123\x1f4").hexdigest()[:20]
    assert first[0].id == expected == warning_id(WarningKind.PHONE_NUMBER, "07700 900123", 4)
    assert (first[0].section_id, first[0].section_title) == (4, "Prevention")
    assert first[0].explanation


def test_the_same_match_twice_in_a_section_is_one_warning():
    warnings = personal_data_warnings(
        "John Smith met John Smith's brother.", subject_names=["John Smith"]
    )
    assert len(warnings) == 1


def test_warnings_outstanding_are_those_not_acknowledged():
    warnings = personal_data_warnings(
        "John Smith, DOB 01/02/1990, on 07700 900123.", subject_names=["John Smith"]
    )
    assert len(warnings) == 3

    assert warnings_outstanding(warnings, []) == warnings
    assert warnings_outstanding(warnings, [warnings[0].id, "unknown"]) == warnings[1:]
    assert warnings_outstanding(warnings, {w.id for w in warnings}) == []


def test_release_warnings_cover_what_the_partner_reads_and_nothing_held_back():
    release = build_partner_text(
        content(
            section(1, "Nominals: John Smith", f"Phone **07700** 900123. {restricted('B1 1AA')}"),
            section(2, "Held back", "Postcode B1 1AA.", releasable=False),
            section(3, "Not chosen", "Postcode B1 1AA."),
            title="Supply in B18 7QT",
        ),
        chosen_section_ids={1},
    )

    warnings = release_warnings(release, subject_names=["John Smith"])

    assert [(w.section_id, w.kind, w.matched_text) for w in warnings] == [
        (None, WarningKind.POSTCODE, "B18 7QT"),
        (1, WarningKind.SUBJECT_NAME, "John Smith"),
        (1, WarningKind.PHONE_NUMBER, "07700 900123"),
    ]
    assert warnings[1].section_title == "Nominals: John Smith"


# Random mixtures

WORDS = ["burglary", "rose", "across", "the", "ward", "while", "partners", "met", "near", "shops"]


def _random_text(rng, canaries):
    """Words with restricted spans holding canaries, in Markdown of several shapes."""
    parts = []
    for _ in range(rng.randint(1, 6)):
        parts.append(" ".join(rng.choices(WORDS, k=rng.randint(1, 6))))
        if rng.random() < 0.6:
            canary = f"QZXSPAN{rng.randrange(10**6)}XZQ"
            canaries.append(canary)
            filler = " ".join(rng.choices(WORDS, k=rng.randint(0, 3)))
            inner = rng.choice([f"{canary} {filler}", f"{filler}\n\n{canary}", f"**{canary}**"])
            parts.append(restricted(inner))
    shape = rng.choice(["{}", "- {}", "> {}", "1. {}", "# {}"])
    return shape.format(" ".join(parts))


@pytest.mark.parametrize("seed", range(40))
def test_random_content_never_leaks_a_canary(seed):
    rng = random.Random(seed)
    span_canaries: list[str] = []
    hidden_canaries: list[str] = []
    sections, chosen = [], set()
    for section_id in range(1, rng.randint(2, 7)):
        releasable = rng.random() < 0.7
        pick = releasable and rng.random() < 0.7
        if pick:
            sections.append(
                section(section_id, f"Section {section_id}", _random_text(rng, span_canaries))
            )
            chosen.add(section_id)
        else:
            canary = f"QZXHIDDEN{seed}X{section_id}XZQ"
            hidden_canaries.append(canary)
            body = _random_text(rng, hidden_canaries) + f"\n\n{canary}"
            sections.append(
                section(section_id, f"Section {section_id}", body, releasable=releasable)
            )
    extra = {"warning_markers": [f"QZXFIELD{seed}XZQ"], "subject_description": f"QZXFIELD{seed}"}
    hidden_canaries += [f"QZXFIELD{seed}"]
    document = content(*sections, **extra)

    if not chosen:
        with pytest.raises(ReleaseRefused):
            build_partner_text(document, chosen_section_ids=chosen)
        return
    release = build_partner_text(document, chosen_section_ids=chosen)

    output = partner_facing(release)
    for canary in span_canaries + hidden_canaries:
        assert canary not in output
    record = police_record(release)
    for canary in span_canaries:
        assert canary in record
    assert release.kept_section_ids == chosen

    unreleasable = [s["id"] for s in sections if not s["releasable"]]
    if unreleasable:
        with pytest.raises(ReleaseRefused, match=f"Section {unreleasable[0]} "):
            build_partner_text(document, chosen_section_ids=chosen | {unreleasable[0]})
