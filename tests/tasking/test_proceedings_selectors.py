"""What readers and the shared screen see of a meeting: the screen never shows what the least
cleared person present may not read, nor police material with a partner in the room; readers
outside the meeting's units get 404."""

import pytest
from django.http import Http404

from nim_portal.choices import GSCMarking, VettingLevel
from products.choices import ProductKind
from tasking.meetings.choices import Attendance
from tasking.meetings.selectors import meeting_for_user
from tasking.models import MeetingInvitee
from tasking.proceedings import escalations, selectors, services
from tasking.proceedings.screen import meeting_screen, meeting_screen_revision
from tests.factories import PartnerUserFactory
from tests.tasking.proceedings_helpers import cast_scheduled, opened, ttcg

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3e-covert-operation-Nightjar"


@pytest.fixture
def cast(hierarchy):
    return cast_scheduled(hierarchy)


@pytest.fixture
def sitting(cast):
    return opened(cast, ttcg(cast.hierarchy.bcu))


def present(meeting, user, *, partner=False):
    invitee, _ = MeetingInvitee.objects.get_or_create(
        meeting=meeting, user=user, defaults={"is_partner_attendee": partner}
    )
    invitee.attendance = Attendance.PRESENT
    invitee.save()


def shown_text(screen) -> str:
    parts = ("agenda", "decisions", "actions", "products", "commissions", "releases", "escalations")
    return repr([[vars(row) for row in getattr(screen, name)] for name in parts])


@pytest.fixture
def restricted(cast, sitting):
    """A SECRET decision carrying the canary, an OFFICIAL one, and a profile commissioned."""
    services.decision_record(
        acting_user=cast.chair,
        meeting=sitting,
        agenda_item=None,
        text=CANARY,
        marking=GSCMarking.SECRET,
    )
    services.decision_record(
        acting_user=cast.chair, meeting=sitting, agenda_item=None, text="Leaflet the estate."
    )
    services.profile_commission(
        acting_user=cast.chair,
        meeting=sitting,
        kind=ProductKind.PROBLEM_PROFILE,
        title=f"Profile {CANARY}",
        owner=cast.analyst,
        marking=GSCMarking.SECRET,
    )
    return sitting


def test_the_shared_screen_shows_only_what_the_lowest_vetting_present_may_read(cast, restricted):
    present(restricted, cast.chair)
    cast.member.vetting_level = VettingLevel.RV  # OFFICIAL-SENSITIVE at most
    cast.member.save()
    present(restricted, cast.member)

    shared = meeting_screen(restricted, private=False)
    assert shared.audience.ceiling == GSCMarking.OFFICIAL_SENSITIVE
    assert CANARY not in shown_text(shared)
    assert [d.text for d in shared.decisions] == ["Leaflet the estate."]
    assert shared.hidden is None

    private = meeting_screen(restricted, private=True)
    assert CANARY not in shown_text(private)
    assert private.hidden == {
        "decisions": 1,
        "actions": 0,
        "escalations": 0,
        "products": 1,
        "agenda_text": 0,
    }


def test_a_room_cleared_for_it_sees_it(cast, restricted):
    present(restricted, cast.chair)
    present(restricted, cast.member)
    screen = meeting_screen(restricted, private=True)
    assert CANARY in shown_text(screen)
    assert screen.hidden == {
        "decisions": 0,
        "actions": 0,
        "escalations": 0,
        "products": 0,
        "agenda_text": 0,
    }


def test_before_attendance_the_audience_is_everybody_expected(cast, restricted):
    cast.member.vetting_level = VettingLevel.NONE
    cast.member.save()
    screen = meeting_screen(restricted, private=False)
    assert screen.audience.ceiling == 0
    assert screen.decisions == [] and CANARY not in shown_text(screen)


def test_with_a_partner_present_no_police_product_or_sensitive_text_shows(cast, restricted):
    services.decision_record(
        acting_user=cast.chair,
        meeting=restricted,
        agenda_item=None,
        text="Sensitive plan.",
        marking=GSCMarking.OFFICIAL_SENSITIVE,
    )
    present(restricted, cast.chair)
    partner = PartnerUserFactory(vetting_level=VettingLevel.NPPV2F)  # SECRET ceiling
    present(restricted, partner, partner=True)

    screen = meeting_screen(restricted, private=True)
    assert screen.audience.partner_present
    assert [d.text for d in screen.decisions] == ["Leaflet the estate."]
    assert screen.products == [] and screen.commissions == [] and screen.releases == []
    assert CANARY not in shown_text(screen)
    # The tactical assessment and the profile; the SECRET and OFFICIAL-SENSITIVE decisions.
    assert screen.hidden["products"] == 2 and screen.hidden["decisions"] == 2


def test_the_screen_costs_the_same_queries_as_the_meeting_grows(
    cast, sitting, django_assert_max_num_queries
):
    present(sitting, cast.chair)
    # Read as the screen's views read it, with its assessments.
    meeting = meeting_for_user(cast.chair, sitting.pk)
    with django_assert_max_num_queries(7) as small:
        meeting_screen(meeting, private=True)
    for n in range(8):
        services.decision_record(
            acting_user=cast.chair, meeting=sitting, agenda_item=None, text=f"Decision {n}"
        )
        escalations.escalation_raise(
            acting_user=cast.chair, meeting=sitting, title=f"Issue {n}", reason="Beyond us."
        )
    meeting = meeting_for_user(cast.chair, sitting.pk)
    with django_assert_max_num_queries(len(small.captured_queries)):
        meeting_screen(meeting, private=True)


# Readers.


@pytest.mark.parametrize("who", ["chair", "member", "analyst", "force_chair", "regional_chair"])
def test_members_of_the_unit_and_above_read_the_meeting(cast, sitting, who):
    assert meeting_for_user(getattr(cast, who), sitting.pk) == sitting


@pytest.mark.parametrize("who", ["neighbour_chair", "outsider"])
def test_others_get_404(cast, sitting, who):
    with pytest.raises(Http404):
        meeting_for_user(getattr(cast, who), sitting.pk)
    assert meeting_screen_revision(getattr(cast, who).pk, sitting.pk) is None


def test_the_screen_revision_poll_is_one_query(cast, sitting, django_assert_num_queries):
    with django_assert_num_queries(1):
        revision = meeting_screen_revision(cast.member.pk, sitting.pk)
    sitting.refresh_from_db()
    assert revision == sitting.screen_revision > 0


def test_a_reader_does_not_see_decisions_above_their_vetting(cast, restricted):
    cast.member.vetting_level = VettingLevel.RV
    cast.member.save()
    proceedings = selectors.meeting_proceedings(cast.member, restricted)
    assert [d.text for d in proceedings.decisions] == ["Leaflet the estate."]
    assert proceedings.hidden == {"decisions": 1, "commissions": 1}
    assert not proceedings.may_chair
    assert selectors.meeting_proceedings(cast.chair, restricted).may_chair


def test_escalation_boxes_and_who_may_decide(cast, sitting):
    escalation = escalations.escalation_raise(
        acting_user=cast.chair, meeting=sitting, title="Guns", reason="Beyond us."
    )
    force = selectors.escalation_boxes(cast.force_chair)
    assert force.inbox == [escalation] and escalation.pk in force.decidable
    bcu = selectors.escalation_boxes(cast.chair)
    assert bcu.outbox == [escalation] and bcu.decidable == set()
    assert selectors.escalation_boxes(cast.force_member).decidable == set()
    with pytest.raises(Http404):
        selectors.escalation_for_user(cast.outsider, escalation.pk)
