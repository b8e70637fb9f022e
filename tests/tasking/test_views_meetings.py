"""The meeting pages from both sides: the chair runs the meeting, others are refused with a
message and nothing changes; every page shows its marking; list and detail cost the same
queries as meetings and decisions grow."""

from datetime import timedelta

import pytest
from django.urls import reverse

from nim_portal.choices import GSCMarking
from tasking.choices_meetings import MeetingStatus
from tasking.choices_proceedings import EscalationStatus
from tasking.models import Decision, Meeting
from tasking.services import proceedings as services
from tests.factories import PartnerUserFactory
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
    services.minutes_save(cast.force_chair, sitting, "Saved by the force chair.", 0)
    client.force_login(cast.chair)
    response = client.post(
        url("meeting_minutes_save", meeting.pk),
        {"text": "My text.", "marking": GSCMarking.OFFICIAL_SENSITIVE, "version": 0},
    )
    assert response.status_code == 409
    assert b"Saved by the force chair." in response.content and b"My text." in response.content
    assert Meeting.objects.get(pk=meeting.pk).minutes == "Saved by the force chair."


def test_frozen_minutes_are_refused_with_a_message(client, cast, meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sitting = opened(cast, meeting)
    services.meeting_close(cast.chair, sitting)
    client.force_login(cast.chair)
    response = client.post(
        url("meeting_minutes_save", meeting.pk),
        {"text": "Late.", "marking": GSCMarking.OFFICIAL_SENSITIVE, "version": 0},
        follow=True,
    )
    assert b"frozen when the meeting closed" in response.content
    assert Meeting.objects.get(pk=meeting.pk).minutes == ""


def test_the_receiving_chair_adopts_from_the_escalations_page(client, cast, meeting):
    escalation = services.escalation_raise(
        cast.chair, opened(cast, meeting), title="Guns", reason="Beyond us."
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
        services.decision_record(cast.chair, meeting, None, f"Decision {n}")
        services.escalation_raise(cast.chair, meeting, title=f"Issue {n}", reason="Beyond us.")


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
