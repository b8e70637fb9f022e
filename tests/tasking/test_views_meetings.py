"""The meeting pages from both sides: the chair runs the meeting, others are refused with a
message and nothing changes; every page shows its marking; list and detail cost the same
queries as meetings and decisions grow."""

from datetime import timedelta

import pytest
from django import forms
from django.core import mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from nim_portal.choices import GSCMarking, Role, UnitKind, VettingLevel
from nim_portal.forms.fields import PersonChoiceField
from nim_portal.models import User
from tasking.meetings import views as meeting_views
from tasking.meetings.choices import MeetingStatus
from tasking.meetings.forms import InviteeForm
from tasking.models import Decision, Meeting
from tasking.proceedings import escalations, services
from tasking.proceedings.choices import EscalationStatus
from tasking.proceedings.forms import AgendaItemChoiceField, DecisionForm
from tasking.proceedings.selectors import agenda_of
from tests.factories import PartnerUserFactory, add_unit, member
from tests.paging import two_pages
from tests.tasking.proceedings_helpers import NOW, cast_scheduled, opened, ttcg

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(hierarchy):
    return cast_scheduled(hierarchy)


@pytest.fixture
def meeting(cast):
    return ttcg(cast.hierarchy.bcu)


def url(name, *args):
    return reverse(f"tasking:{name}", args=args)


def marking_banner(response, label):
    return f'aria-label="Protective marking">{label}</div>'.encode() in response.content


def test_the_chair_opens_records_a_decision_and_closes(client, cast, meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.chair)
    assert client.post(url("meeting_open", meeting.pk)).status_code == 302
    response = client.post(
        url("meeting_decision_add", meeting.pk),
        {"text": "Patrol the park.", "marking": GSCMarking.OFFICIAL_SENSITIVE, "agenda_item": ""},
    )
    assert response.status_code == 302
    page = client.get(url("meeting_detail", meeting.pk))
    assert b"Patrol the park." in page.content and marking_banner(page, "OFFICIAL-SENSITIVE")
    assert client.post(url("meeting_close", meeting.pk)).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CLOSED


@pytest.mark.parametrize("name", ["meeting_open", "meeting_close"])
def test_a_member_is_refused_with_a_message_and_nothing_changes(client, cast, meeting, name):
    client.force_login(cast.member)
    response = client.post(url(name, meeting.pk))
    assert response.status_code == 403
    assert b"Only the chair of this meeting of Birmingham" in response.content
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED


def test_a_member_cannot_record_a_decision(client, cast, meeting):
    opened(cast, meeting)
    client.force_login(cast.member)
    response = client.post(url("meeting_decision_add", meeting.pk), {"text": "Mine", "marking": 10})
    assert response.status_code == 403 and not Decision.objects.exists()


def test_the_chair_form_pages_refuse_a_member(client, cast, meeting):
    client.force_login(cast.member)
    assert client.get(url("meeting_commission", meeting.pk)).status_code == 403
    assert client.get(url("meeting_escalate", meeting.pk)).status_code == 403


def test_a_meeting_outside_your_units_is_404(client, cast, meeting):
    client.force_login(cast.outsider)
    assert client.get(url("meeting_detail", meeting.pk)).status_code == 404
    assert client.post(url("meeting_open", meeting.pk)).status_code == 404


def test_stale_minutes_are_refused_and_shown_beside_the_saved_text(client, cast, meeting):
    sitting = opened(cast, meeting)
    services.minutes_save(
        acting_user=cast.force_chair,
        meeting=sitting,
        text="Saved by the force chair.",
        expected_version=0,
    )
    client.force_login(cast.chair)
    response = client.post(
        url("meeting_minutes_save", meeting.pk),
        {"text": "My text.", "marking": GSCMarking.OFFICIAL_SENSITIVE, "version": 0},
    )
    assert response.status_code == 409
    assert b"Saved by the force chair." in response.content and b"My text." in response.content
    assert Meeting.objects.get(pk=meeting.pk).minutes == "Saved by the force chair."


def test_minutes_written_above_a_members_vetting_are_left_out_of_the_meeting_page(
    client, cast, meeting
):
    """A member reads the live minutes of a sitting meeting only within their vetting."""
    sitting = opened(cast, meeting)
    services.minutes_save(
        acting_user=cast.chair,
        meeting=sitting,
        text="CANARYLIVEMINUTES at the flats.",
        expected_version=0,
        marking=GSCMarking.SECRET,
    )
    below = member(cast.hierarchy.bcu, Role.MEMBER, username="rv", vetting_level=VettingLevel.RV)
    client.force_login(below)
    response = client.get(url("meeting_detail", meeting.pk))
    assert response.status_code == 200
    assert b"CANARYLIVEMINUTES" not in response.content
    assert b"1 minutes" in response.content
    assert not marking_banner(response, "SECRET")

    client.force_login(cast.member)
    response = client.get(url("meeting_detail", meeting.pk))
    assert b"CANARYLIVEMINUTES" in response.content
    assert marking_banner(response, "SECRET")


def test_frozen_minutes_are_refused_with_a_message(client, cast, meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sitting = opened(cast, meeting)
    services.meeting_close(acting_user=cast.chair, meeting=sitting)
    client.force_login(cast.chair)
    response = client.post(
        url("meeting_minutes_save", meeting.pk),
        {"text": "Late.", "marking": GSCMarking.OFFICIAL_SENSITIVE, "version": 0},
        follow=True,
    )
    assert b"frozen when the meeting closed" in response.content
    assert Meeting.objects.get(pk=meeting.pk).minutes == ""


def test_the_receiving_chair_adopts_from_the_escalations_page(client, cast, meeting):
    escalation = escalations.escalation_raise(
        acting_user=cast.chair, meeting=opened(cast, meeting), title="Guns", reason="Beyond us."
    )
    client.force_login(cast.chair)
    client.post(url("escalation_adopt", escalation.pk), {"decision_text": "Ours now."})
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RAISED
    client.force_login(cast.force_chair)
    page = client.get(url("escalation_list"))
    assert b"Guns" in page.content and marking_banner(page, "OFFICIAL-SENSITIVE")
    client.post(url("escalation_adopt", escalation.pk), {"decision_text": "Ours now."})
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.ADOPTED


def add_meetings_and_decisions(cast, meeting, count):
    for n in range(count):
        Meeting.objects.create(
            unit=cast.hierarchy.bcu, kind="stcg", starts_at=NOW + timedelta(days=200 + n)
        )
        services.decision_record(
            acting_user=cast.chair, meeting=meeting, agenda_item=None, text=f"Decision {n}"
        )
        escalations.escalation_raise(
            acting_user=cast.chair, meeting=meeting, title=f"Issue {n}", reason="Beyond us."
        )


@pytest.mark.parametrize("name", ["meeting_list", "meeting_detail"])
def test_pages_cost_the_same_queries_as_they_grow(
    client, cast, meeting, name, django_assert_max_num_queries
):
    sitting = opened(cast, meeting)
    args = [] if name == "meeting_list" else [sitting.pk]
    client.force_login(cast.chair)
    add_meetings_and_decisions(cast, sitting, 1)
    with django_assert_max_num_queries(40) as small:
        assert client.get(url(name, *args)).status_code == 200
    add_meetings_and_decisions(cast, sitting, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url(name, *args))
    assert marking_banner(response, "OFFICIAL") or marking_banner(response, "OFFICIAL-SENSITIVE")


def test_the_list_walks_two_pages_in_constant_queries(client, cast, meeting, monkeypatch):
    monkeypatch.setattr(meeting_views, "MEETINGS_PER_PAGE", 2)
    sitting = opened(cast, meeting)
    client.force_login(cast.chair)
    add_meetings_and_decisions(cast, sitting, 3)
    small = two_pages(client, url("meeting_list"), name="page")
    add_meetings_and_decisions(cast, sitting, 3)
    assert two_pages(client, url("meeting_list"), name="page") == small


def test_the_dashboard_and_navigation_lead_to_the_sitting_and_next_meetings(client, cast, meeting):
    sitting = opened(cast, meeting)
    client.force_login(cast.member)

    page = client.get(reverse("dashboard")).content.decode()

    assert "My meetings" in page
    assert f'href="{url("meeting_list")}"' in page
    assert f'href="{url("meeting_detail", sitting.pk)}"' in page
    assert f'href="{url("meeting_screen", sitting.pk)}"' in page
    later = Meeting.objects.filter(unit=sitting.unit, status=MeetingStatus.SCHEDULED)
    assert f'href="{url("meeting_detail", later.order_by("starts_at").first().pk)}"' in page


def test_the_dashboard_shows_nobody_a_meeting_they_may_not_read(client, cast, meeting):
    sitting = opened(cast, meeting)
    partner = PartnerUserFactory()

    for user in (cast.outsider, partner):
        client.force_login(user)
        page = client.get(reverse("dashboard")).content.decode()
        assert url("meeting_detail", sitting.pk) not in page
        assert url("meeting_screen", sitting.pk) not in page
    assert "My meetings" not in page  # the partner's dashboard has no police panel


# Moving a scheduled meeting.


def reschedule_data(meeting, *, days=2, **overrides):
    starts = timezone.localtime(meeting.starts_at) + timedelta(days=days)
    return {
        "date": starts.date().isoformat(),
        "time": "14:30",
        "duration_minutes": 90,
        "place": "Stechford police station",
        "call_link": "",
        "sequence": meeting.sequence,
        **overrides,
    }


def test_the_chair_moves_a_meeting_and_the_invitations_go_again(
    client, cast, meeting, django_capture_on_commit_callbacks
):
    client.force_login(cast.chair)
    page = client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert f'href="{url("meeting_reschedule", meeting.pk)}"' in page
    form = client.get(url("meeting_reschedule", meeting.pk))
    assert form.status_code == 200 and marking_banner(form, "OFFICIAL")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("meeting_reschedule", meeting.pk), reschedule_data(meeting))

    assert response.status_code == 302
    moved = Meeting.objects.get(pk=meeting.pk)
    local = timezone.localtime(moved.starts_at)
    assert (local.hour, local.minute, moved.duration_minutes) == (14, 30, 90)
    assert moved.place == "Stechford police station" and moved.sequence == 1
    invitations = [message for message in mail.outbox if message.attachments]
    assert invitations and all("SEQUENCE:1" in str(m.attachments[0][1]) for m in invitations)
    assert "the invitations go out again" in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"days": -3650}, "Choose a time in the future."),
        ({"time": "25:00"}, "Enter a valid time."),
        ({"duration_minutes": 5}, "greater than or equal to 15"),
        ({"sequence": 7}, "moved by somebody else"),
    ],
    ids=["past", "bad time", "too short", "stale"],
)
def test_a_bad_move_comes_back_with_its_message_and_changes_nothing(
    client, cast, meeting, overrides, message
):
    client.force_login(cast.chair)
    data = reschedule_data(meeting, days=overrides.pop("days", 2), **overrides)

    response = client.post(url("meeting_reschedule", meeting.pk), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    unchanged = Meeting.objects.get(pk=meeting.pk)
    assert (unchanged.starts_at, unchanged.sequence) == (meeting.starts_at, 0)


def test_only_a_chair_moves_a_meeting(client, cast, meeting):
    for user, status in ((cast.member, 403), (cast.outsider, 404)):
        client.force_login(user)
        assert client.get(url("meeting_reschedule", meeting.pk)).status_code == status
        response = client.post(url("meeting_reschedule", meeting.pk), reschedule_data(meeting))
        assert response.status_code == status
    refused = client.post(url("meeting_reschedule", meeting.pk), reschedule_data(meeting))
    assert Meeting.objects.get(pk=meeting.pk).sequence == 0 and refused.status_code == 404
    client.force_login(cast.member)
    page = client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert url("meeting_reschedule", meeting.pk) not in page


def test_a_meeting_that_has_started_cannot_be_moved(client, cast, meeting):
    sitting = opened(cast, meeting)
    client.force_login(cast.chair)

    response = client.post(url("meeting_reschedule", sitting.pk), reschedule_data(sitting))

    assert response.status_code == 302
    assert "Only a scheduled meeting can be moved" in client.get(response.url).content.decode()
    assert Meeting.objects.get(pk=sitting.pk).starts_at == sitting.starts_at


# Inviting police colleagues.


def test_the_chair_invites_a_colleague_and_takes_the_invitation_back(client, cast, meeting):
    solihull = add_unit(cast.hierarchy.force, kind=UnitKind.BCU, code="SOLI", name="Solihull")
    colleague = member(solihull, Role.MEMBER, username="solihull")
    client.force_login(cast.chair)
    page = client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert "Invite a police colleague" in page and f'value="{colleague.pk}"' in page

    response = client.post(url("meeting_invitee_add", meeting.pk), {"person": colleague.pk})

    assert response.status_code == 302
    invitee = meeting.invitees.get(user=colleague)
    assert f"{escape(colleague)} is invited" in client.get(response.url).content.decode()
    removed = client.post(url("meeting_invitee_remove", meeting.pk, invitee.pk))
    assert removed.status_code == 302 and not meeting.invitees.filter(user=colleague).exists()


def test_a_member_is_refused_inviting_with_a_message_and_nothing_changes(client, cast, meeting):
    solihull = add_unit(cast.hierarchy.force, kind=UnitKind.BCU, code="SOLI", name="Solihull")
    colleague = member(solihull, Role.MEMBER, username="solihull")
    invitee = meeting.invitees.first()
    client.force_login(cast.member)

    page = client.get(url("meeting_detail", meeting.pk)).content.decode()
    invited = client.post(url("meeting_invitee_add", meeting.pk), {"person": colleague.pk})
    taken_back = client.post(url("meeting_invitee_remove", meeting.pk, invitee.pk))

    assert "Invite a police colleague" not in page
    assert invited.status_code == 403 and taken_back.status_code == 403
    assert "Only the chair of this meeting of" in invited.content.decode()
    assert not meeting.invitees.filter(user=colleague).exists()
    assert meeting.invitees.filter(pk=invitee.pk).exists()


def test_inviting_nobody_or_an_outsider_says_why(client, cast, meeting):
    client.force_login(cast.chair)

    for data in ({}, {"person": cast.outsider.pk}, {"person": "x"}):
        response = client.post(url("meeting_invitee_add", meeting.pk), data, follow=True)
        assert "Choose a police colleague who is not invited yet." in response.content.decode()
    assert not meeting.invitees.filter(user=cast.outsider).exists()
    client.force_login(cast.outsider)
    assert client.post(url("meeting_invitee_add", meeting.pk), {}).status_code == 404


def test_selects_from_names_and_rows_read_write_what_the_queried_fields_write(cast, meeting):
    """The meeting pages' selects list people from their names alone and agenda items from the
    rows the page read: the same options, byte for byte, as the fields that read them whole."""
    cast.member.first_name, cast.member.last_name = "Ann <b>", "O'Neil"
    cast.member.save()
    services.agenda_item_add(
        acting_user=cast.chair, meeting=meeting, title="Knife crime & <script>"
    )
    people = User.objects.filter(Q(pk=cast.member.pk) | Q(pk=cast.analyst.pk)).order_by("pk")

    class Whole(forms.Form):
        person = PersonChoiceField(label="Invite a police colleague", queryset=people)

    assert str(InviteeForm(people=people)["person"]) == str(Whole()["person"])

    class Queried(forms.Form):
        agenda_item = AgendaItemChoiceField(
            label="Agenda item", queryset=meeting.agenda_items.order_by("position"), required=False
        )

    read = DecisionForm(meeting=meeting, agenda=agenda_of(meeting))["agenda_item"]
    assert str(read) == str(Queried()["agenda_item"]) and "Knife crime &amp;" in str(read)
