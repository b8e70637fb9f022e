"""Partners at meetings: a chair invites partner attendees (ST&CG by default; a TT&CG only by an
explicit, reasoned choice); the partner sees their own meetings, their invitation and .ics, and
the strategic assessment released to their agency, and nothing tactical: canaries in the minutes,
the agenda, another attendee's name and an unreleased assessment never reach any partner page or
API answer."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar

from nim_portal.choices import AuditVerb
from nim_portal.models import AuditEvent
from tasking.meetings.choices import MeetingKind, MeetingStatus
from tasking.models import Meeting, MeetingInvitee
from tasking.proceedings.partner_attendees import partner_attendee_invite, partner_attendee_remove
from tests.tasking.submission_helpers import (
    CANARY_AGENDA,
    CANARY_ATTENDEE,
    CANARY_MINUTES,
    CANARY_TACTICAL,
    CANARY_UNRELEASED,
    RELEASED_TITLE,
    SubmissionCast,
    meeting,
    meeting_with_canaries,
    released_assessment,
    strategic_assessment,
)

pytestmark = pytest.mark.django_db

CANARIES = (CANARY_MINUTES, CANARY_AGENDA, CANARY_ATTENDEE, CANARY_UNRELEASED, CANARY_TACTICAL)


@pytest.fixture
def cast(hierarchy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return SubmissionCast(hierarchy)


@pytest.fixture
def stcg(cast):
    return meeting_with_canaries(cast)


def invite(cast, meeting_, partner=None, **kwargs):
    return partner_attendee_invite(
        acting_user=kwargs.pop("acting_user", cast.chair),
        meeting=meeting_,
        partner_user=partner or cast.partner_b,
        **kwargs,
    )


# Inviting.


def test_the_chair_invites_a_partner_to_the_stcg_and_the_invitation_is_sent(
    cast, stcg, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitee = invite(cast, stcg)

    assert invitee.is_partner_attendee
    assert AuditEvent.objects.filter(verb=AuditVerb.UPDATE, object_id=str(stcg.pk)).exists()
    to_partner = [m for m in mailoutbox if m.to == [cast.partner_b.email]]
    assert len(to_partner) == 1
    assert CANARY_MINUTES not in to_partner[0].body and CANARY_AGENDA not in to_partner[0].body


def test_a_partner_of_an_agency_working_with_a_bcu_below_may_attend_the_forces_stcg(cast, stcg):
    assert invite(cast, stcg, partner=cast.partner_a).user == cast.partner_a


@pytest.mark.parametrize("who", ["member", "analyst", "outside_chair", "partner_b"])
def test_only_a_chair_invites_partners(cast, stcg, who):
    with pytest.raises(PermissionDenied):
        invite(cast, stcg, acting_user=getattr(cast, who))
    assert not MeetingInvitee.objects.filter(is_partner_attendee=True).exists()


def test_a_partner_of_an_agency_not_working_with_the_unit_is_refused(cast, stcg):
    with pytest.raises(ValidationError) as refused:
        invite(cast, stcg, partner=cast.partner_far)
    assert "not in an agency working with" in refused.value.message_dict["partner"][0]


def test_a_police_user_is_not_a_partner_attendee(cast, stcg):
    with pytest.raises(ValidationError):
        invite(cast, stcg, partner=cast.member)


def test_a_partner_is_invited_once(cast, stcg):
    invite(cast, stcg)
    with pytest.raises(ValidationError):
        invite(cast, stcg)


def test_a_closed_meeting_takes_no_new_attendee(cast):
    closed = meeting(cast.unit, chair=cast.chair, days=-7, status=MeetingStatus.CLOSED)
    with pytest.raises(ValidationError):
        invite(cast, closed)


def test_a_ttcg_refuses_a_partner_unless_tactical_attendance_is_chosen_with_a_reason(cast):
    ttcg = meeting(cast.unit, kind=MeetingKind.TACTICAL, chair=cast.chair)

    with pytest.raises(ValidationError) as refused:
        invite(cast, ttcg)
    assert "Partners attend the ST&CG" in refused.value.message_dict["tactical_attendance"][0]
    with pytest.raises(ValidationError) as refused:
        invite(cast, ttcg, tactical_attendance=True, reason=" ")
    assert "reason" in refused.value.message_dict
    assert not MeetingInvitee.objects.filter(meeting=ttcg).exists()

    invitee = invite(
        cast, ttcg, tactical_attendance=True, reason="The fire service leads on arson."
    )

    assert invitee.history.first().history_change_reason.endswith("leads on arson.")
    event = AuditEvent.objects.filter(object_id=str(ttcg.pk)).latest("at")
    assert event.detail["partner_attendee_invited"]["tactical_reason"] == (
        "The fire service leads on arson."
    )


def test_inviting_or_taking_back_a_partner_tells_the_shared_screen(cast, stcg):
    revision = Meeting.objects.get(pk=stcg.pk).screen_revision

    invitee = invite(cast, stcg)
    invited = Meeting.objects.get(pk=stcg.pk).screen_revision
    partner_attendee_remove(acting_user=cast.chair, invitee=invitee)

    assert invited == revision + 1
    assert Meeting.objects.get(pk=stcg.pk).screen_revision == revision + 2


def test_the_chair_takes_an_invitation_back(cast, stcg):
    invitee = invite(cast, stcg)

    with pytest.raises(PermissionDenied):
        partner_attendee_remove(acting_user=cast.member, invitee=invitee)
    partner_attendee_remove(acting_user=cast.chair, invitee=invitee)

    assert not MeetingInvitee.objects.filter(pk=invitee.pk).exists()


# The chair's pages.


def test_the_chair_page_lists_candidates_and_invites(client, cast, stcg):
    client.force_login(cast.chair)
    url = reverse("tasking:partner_attendees", args=[stcg.pk])

    html = client.get(url).content.decode()
    assert "partner_far" not in html and escape(str(cast.partner_far)) not in html
    assert escape(str(cast.partner_b)) in html
    response = client.post(url, {"partner": cast.partner_b.pk})

    assert response.status_code == 302
    assert MeetingInvitee.objects.filter(meeting=stcg, user=cast.partner_b).exists()
    assert (
        str(stcg.unit.name)
        in client.get(reverse("tasking:partner_attendee_meetings")).content.decode()
    )


def test_the_chair_page_refuses_a_ttcg_partner_without_a_reason(client, cast):
    ttcg = meeting(cast.unit, kind=MeetingKind.TACTICAL, chair=cast.chair)
    client.force_login(cast.chair)

    response = client.post(
        reverse("tasking:partner_attendees", args=[ttcg.pk]),
        {"partner": cast.partner_b.pk, "tactical_attendance": "on"},
    )

    assert response.status_code == 400
    assert "Say why the partner attends this TT&amp;CG" in response.content.decode()
    assert not MeetingInvitee.objects.filter(meeting=ttcg).exists()


@pytest.mark.parametrize("who", ["member", "outside_chair", "partner_b"])
def test_the_chair_page_is_404_for_anybody_else(client, cast, stcg, who):
    client.force_login(getattr(cast, who))

    assert client.get(reverse("tasking:partner_attendees", args=[stcg.pk])).status_code == 404


# The partner's meetings.


@pytest.fixture
def attended(cast, stcg, django_capture_on_commit_callbacks):
    """The fire service's partner invited to the force's ST&CG; a strategic assessment released
    to the fire service; another never released; a TT&CG the partner is not invited to."""
    invite(cast, stcg)
    release = released_assessment(cast, [cast.agency_b], django_capture_on_commit_callbacks)
    strategic_assessment(cast, title=f"Unreleased {CANARY_UNRELEASED}")
    ttcg = meeting(cast.unit, kind=MeetingKind.TACTICAL, chair=cast.chair, place=CANARY_TACTICAL)
    MeetingInvitee.objects.create(meeting=ttcg, user=cast.chair)
    return release


def partner_answers(client, cast, stcg, partner) -> list[str]:
    """Every partner page and every API answer the partner may ask for."""
    client.force_login(partner)
    urls = [
        reverse("dashboard"),
        reverse("tasking:partner_meetings"),
        reverse("tasking:partner_meeting_ics", args=[stcg.pk]),
        reverse("tasking:partner_submissions"),
        reverse("tasking:partner_submission_create"),
        reverse("partners:area_releases"),
        "/api/v1/partner/releases/",
        "/api/v1/partner-submissions/",
        f"/api/v1/partner-submissions/{stcg.pk}/",
    ]
    return [client.get(url).content.decode() for url in urls]


def test_the_partner_sees_the_meeting_their_invitation_and_the_released_assessment(
    client, cast, stcg, attended
):
    client.force_login(cast.partner_b)

    html = client.get(reverse("tasking:partner_meetings")).content.decode()

    assert "ST&amp;CG of West Midlands Police" in html
    assert "Lloyd House, Birmingham" in html
    assert "Invited" in html
    assert RELEASED_TITLE in html
    assert reverse("partners:area_release", args=[attended.pk]) in html
    assert reverse("tasking:partner_meeting_ics", args=[stcg.pk]) in html


def test_nothing_tactical_and_no_other_attendee_reaches_the_partner(client, cast, stcg, attended):
    for answer in partner_answers(client, cast, stcg, cast.partner_b):
        for canary in CANARIES:
            assert canary not in answer
        assert "TT&amp;CG" not in answer and "TT&CG" not in answer


def test_a_partner_not_invited_sees_no_meeting_and_no_release_of_another_agency(
    client, cast, stcg, attended
):
    client.force_login(cast.partner_a)

    html = client.get(reverse("tasking:partner_meetings")).content.decode()

    assert "You are not invited to any upcoming meeting." in html
    assert RELEASED_TITLE not in html
    assert client.get(reverse("tasking:partner_meeting_ics", args=[stcg.pk])).status_code == 404


def test_the_partner_downloads_their_own_ics_naming_only_them(client, cast, stcg, attended):
    client.force_login(cast.partner_b)

    response = client.get(reverse("tasking:partner_meeting_ics", args=[stcg.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == [f"mailto:{cast.partner_b.email}"]
    assert CANARY_ATTENDEE not in response.content.decode()


def test_police_users_get_404_from_the_partner_meetings(client, cast, stcg, attended):
    client.force_login(cast.chair)

    assert client.get(reverse("tasking:partner_meetings")).status_code == 404
    assert client.get(reverse("tasking:partner_meeting_ics", args=[stcg.pk])).status_code == 404


def test_a_withdrawn_release_leaves_the_meeting_page(client, cast, stcg, attended):
    from partners.services import release_withdraw

    release_withdraw(acting_user=cast.reviewer, release=attended, reason="Superseded.")
    client.force_login(cast.partner_b)

    html = client.get(reverse("tasking:partner_meetings")).content.decode()

    assert RELEASED_TITLE not in html
    assert "Nothing released to your agency for this meeting yet." in html


@pytest.mark.parametrize("meetings", [1, 6])
def test_the_partner_meetings_page_costs_the_same_queries_however_many_meetings(
    client, cast, attended, django_assert_max_num_queries, meetings
):
    for n in range(meetings):
        invite(cast, meeting(cast.unit, chair=cast.chair, days=30 + n))
    client.force_login(cast.partner_b)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("tasking:partner_meetings"))

    assert response.status_code == 200
