"""The meeting on screen: who opens the shared screen and the chair's private view, what each
shows (the shared screen only what everybody present may read), the chair's inline forms, the
refusals of everybody else (nothing changes), and constant queries as the meeting grows."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import GSCMarking, VettingLevel
from tasking.actions.choices import ActionStatus, ActionType
from tasking.actions.services import NO_PRIORITY, action_close, action_raise
from tasking.meetings.choices import Attendance, MeetingStatus
from tasking.models import (
    AgendaItem,
    Commission,
    Decision,
    Escalation,
    Meeting,
    MeetingInvitee,
    MinutesVersion,
    TacticalAction,
)
from tasking.proceedings.choices import CommissionKind
from tasking.proceedings.services import (
    agenda_item_add,
    agenda_item_edit,
    attendance_record,
    decision_record,
    meeting_current_item_set,
)
from tests.factories import PartnerUserFactory
from tests.tasking.screen_helpers import ScreenCast

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CANARY = "Canary: the informant is John Smith"


@pytest.fixture
def screen(hierarchy):
    return ScreenCast(hierarchy)


def url(name, meeting, *args):
    return reverse(f"tasking:{name}", args=[meeting.pk, *args])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def raised(screen, *, description="Patrol the Stechford estate", marking=GSCMarking.OFFICIAL):
    return action_raise(
        acting_user=screen.chair,
        unit=screen.meeting.unit,
        priority=screen.priority,
        action_type=ActionType.ENFORCEMENT,
        description=description,
        owner_user=screen.member,
        due_date=timezone.localdate() + datetime.timedelta(days=14),
        meeting=screen.meeting,
        marking=marking,
    )


def triggers(response) -> dict:
    return json.loads(response.get("HX-Trigger", "{}"))


def revision(meeting) -> int:
    return Meeting.objects.values_list("screen_revision", flat=True).get(pk=meeting.pk)


# Who opens what.


@pytest.mark.parametrize("who", ["chair", "member", "force_chair"])
def test_the_chair_and_the_meetings_readers_open_the_shared_screen(screen, who):
    user = getattr(screen, who, None) or getattr(screen.cast, who)

    response = signed_in(user).get(url("meeting_screen", screen.meeting))

    assert response.status_code == 200
    assert "Attendance and apologies" in response.content.decode()


def test_the_meeting_page_leads_its_readers_to_the_screens(screen):
    detail = url("meeting_detail", screen.meeting)
    shared = url("meeting_screen", screen.meeting)
    private = url("meeting_screen_private", screen.meeting)

    chair_page = signed_in(screen.chair).get(detail).content.decode()
    member_page = signed_in(screen.member).get(detail).content.decode()

    assert f'href="{shared}"' in chair_page
    assert f'href="{private}"' in chair_page
    assert f'href="{shared}"' in member_page
    assert f'href="{private}"' not in member_page
    partners = url("partner_attendees", screen.meeting)
    assert f'href="{partners}"' in chair_page and partners not in member_page


def test_outsiders_and_partners_get_the_same_404(screen):
    partner = PartnerUserFactory()
    for user in (screen.outsider, partner):
        for name in ("meeting_screen", "meeting_screen_live", "meeting_screen_private"):
            assert signed_in(user).get(url(name, screen.meeting)).status_code == 404


def test_signing_in_comes_first(client, screen):
    response = client.get(url("meeting_screen", screen.meeting))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_member_follows_read_only(screen):
    page = signed_in(screen.member).get(url("meeting_screen", screen.meeting)).content.decode()

    assert "Next item" not in page
    assert "Close the meeting" not in page
    assert "Keyboard shortcuts" not in page
    assert "every 2s" in page


def test_the_chair_drives_the_shared_screen_with_documented_shortcuts(screen):
    page = signed_in(screen.chair).get(url("meeting_screen", screen.meeting)).content.decode()

    assert "Next item" in page
    assert "Keyboard shortcuts" in page
    assert "N or the right arrow: next item. P or the left arrow: previous item." in page
    assert "They never act while you type in a field." in page
    assert "Record a decision" not in page  # nothing typed shows on the shared screen


def test_the_private_view_is_the_chairs_alone(screen):
    chair = signed_in(screen.chair)
    assert chair.get(url("meeting_screen_private", screen.meeting)).status_code == 200
    assert chair.get(url("meeting_screen_private_live", screen.meeting)).status_code == 200

    member = signed_in(screen.member)
    for name in ("meeting_screen_private", "meeting_screen_private_live"):
        response = member.get(url(name, screen.meeting))
        assert response.status_code == 403
        assert "Only the chair of this meeting of Birmingham" in response.content.decode()


def test_the_private_view_has_the_chairs_forms(screen):
    page = signed_in(screen.chair).get(url("meeting_screen_private", screen.meeting))

    html = page.content.decode()
    for form in ("Record a decision", "Raise an action", "Commission a profile", "Escalate"):
        assert form in html
    assert "County lines drug supply" in html  # the priorities of the force's strategy


# Audience safety.


@pytest.fixture
def canary(screen):
    """A SECRET decision and action, with a member vetted to OFFICIAL-SENSITIVE present."""
    type(screen.member).objects.filter(pk=screen.member.pk).update(vetting_level=VettingLevel.RV)
    for invitee in screen.meeting.invitees.all():
        attendance_record(
            acting_user=screen.chair, meeting=screen.meeting, invitee=invitee, attendance="present"
        )
    decision_record(
        acting_user=screen.chair,
        meeting=screen.meeting,
        agenda_item=screen.meeting.current_agenda_item,
        text=CANARY,
        marking=GSCMarking.SECRET,
    )
    raised(screen, description=f"{CANARY} (action)", marking=GSCMarking.SECRET)
    decision_record(
        acting_user=screen.chair,
        meeting=screen.meeting,
        agenda_item=screen.meeting.current_agenda_item,
        text="Visible decision",
    )
    return CANARY


def test_the_shared_screen_hides_what_somebody_present_may_not_read(screen, canary):
    for user in (screen.chair, screen.member):
        for name in ("meeting_screen", "meeting_screen_live"):
            page = signed_in(user).get(url(name, screen.meeting)).content.decode()
            assert canary not in page
            assert "Visible decision" in page
            assert "SECRET" not in page.replace("OFFICIAL-SENSITIVE", "")


def test_the_private_view_shows_it_and_counts_what_the_shared_screen_holds_back(screen, canary):
    page = signed_in(screen.chair).get(url("meeting_screen_private", screen.meeting))

    html = page.content.decode()
    assert canary in html
    assert f"{canary} (action)" in html
    assert "The shared screen holds back 1 decision, 1 action, 0 escalations" in html
    assert "Not on the shared screen" in html
    assert "OFFICIAL-SENSITIVE and below" in html
    assert 'nim-marking--secret nim-marking--top"' in html


def test_the_private_view_leaves_out_what_the_chair_may_not_read(screen, canary):
    """Read once for both, the meeting's actions and decisions still reach the chair's view only
    within the chair's own vetting; the shared screen's count of what it holds back still counts
    them."""
    screen.chair.vetting_level = VettingLevel.RV  # OFFICIAL-SENSITIVE at most
    screen.chair.save()

    html = signed_in(screen.chair).get(url("meeting_screen_private", screen.meeting))
    html = html.content.decode()

    assert canary not in html and "Visible decision" in html
    assert "The shared screen holds back 1 decision, 1 action, 0 escalations" in html
    assert 'nim-marking--secret nim-marking--top"' not in html


def test_the_marking_banner_follows_the_screen(screen):
    decision_record(
        acting_user=screen.chair,
        meeting=screen.meeting,
        agenda_item=screen.meeting.current_agenda_item,
        text="Sensitive decision",
        marking=GSCMarking.OFFICIAL_SENSITIVE,
    )
    client = signed_in(screen.member)

    page = client.get(url("meeting_screen", screen.meeting)).content.decode()
    live = client.get(url("meeting_screen_live", screen.meeting), **HTMX).content.decode()

    assert page.count('role="region" aria-label="Protective marking">OFFICIAL-SENSITIVE<') == 2
    assert 'hx-swap-oob="outerHTML:.nim-marking--top">OFFICIAL-SENSITIVE<' in live
    assert 'hx-swap-oob="outerHTML:.nim-marking--bottom">OFFICIAL-SENSITIVE<' in live


# The chair's changes.


def test_next_item_moves_the_meeting_and_every_screen(screen):
    agenda = list(screen.meeting.agenda_items.order_by("position"))
    before = revision(screen.meeting)

    response = signed_in(screen.chair).post(
        url("meeting_screen_item", screen.meeting), {"item": agenda[1].pk}, **HTMX
    )

    assert response.status_code == 204
    assert triggers(response) == {
        "nim-screen-item-moved": {"item": agenda[1].pk},
        "nim-screen-changed": {},
    }
    screen.meeting.refresh_from_db()
    assert screen.meeting.current_agenda_item == agenda[1]
    assert revision(screen.meeting) > before
    page = signed_in(screen.member).get(url("meeting_screen", screen.meeting)).content.decode()
    assert "Item 2 of 7" in page and "Previous minutes" in page


def test_moving_to_an_item_of_another_meeting_changes_nothing(screen):
    other = AgendaItem.objects.exclude(meeting=screen.meeting).first()

    response = signed_in(screen.chair).post(
        url("meeting_screen_item", screen.meeting), {"item": other.pk}
    )

    assert response.status_code == 302
    screen.meeting.refresh_from_db()
    assert screen.meeting.current_agenda_item.position == 1


def test_a_decision_is_recorded_inline(screen):
    item = screen.meeting.current_agenda_item
    response = signed_in(screen.chair).post(
        url("meeting_screen_decision", screen.meeting),
        {
            "decision-agenda_item": item.pk,
            "decision-text": "Adopt the plan",
            "decision-marking": GSCMarking.OFFICIAL,
        },
        **HTMX,
    )

    assert response.status_code == 200
    assert "nim-screen-changed" in triggers(response)
    html = response.content.decode()
    assert 'id="nim-screen-controls"' in html and "The decision is recorded." in html
    assert Decision.objects.get(meeting=screen.meeting).text == "Adopt the plan"


def test_an_empty_decision_comes_back_with_its_error(screen):
    response = signed_in(screen.chair).post(
        url("meeting_screen_decision", screen.meeting), {"decision-text": ""}, **HTMX
    )

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Decision.objects.filter(meeting=screen.meeting).exists()


def action_data(screen, **overrides):
    data = {
        "action-priority": screen.priority.pk,
        "action-action_type": ActionType.PREVENTION,
        "action-description": "Visit the repeat victims",
        "action-owner_user": screen.member.pk,
        "action-due_date": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "action-marking": GSCMarking.OFFICIAL,
    }
    data.update(overrides)
    return data


def test_an_action_is_raised_tied_to_a_priority(screen):
    response = signed_in(screen.chair).post(
        url("meeting_screen_action_raise", screen.meeting), action_data(screen), **HTMX
    )

    assert response.status_code == 200, response.content.decode()
    action = TacticalAction.objects.get()
    assert (action.priority, action.raised_at_meeting) == (screen.priority, screen.meeting)
    page = signed_in(screen.member).get(url("meeting_screen", screen.meeting)).content.decode()
    assert "Visit the repeat victims" in page


def test_an_action_without_a_priority_is_refused_with_the_reason(screen):
    response = signed_in(screen.chair).post(
        url("meeting_screen_action_raise", screen.meeting),
        action_data(screen, **{"action-priority": ""}),
    )

    assert response.status_code == 400
    assert NO_PRIORITY in response.content.decode()
    assert not TacticalAction.objects.exists()


def test_an_action_with_two_owners_is_refused(screen):
    response = signed_in(screen.chair).post(
        url("meeting_screen_action_raise", screen.meeting),
        action_data(screen, **{"action-owner_unit": screen.meeting.unit_id}),
        **HTMX,
    )

    assert response.status_code == 400
    assert not TacticalAction.objects.exists()


def test_an_action_is_reviewed_and_closed_with_its_outcome(screen):
    action = raised(screen)
    chair = signed_in(screen.chair)

    review = chair.get(url("meeting_screen_action_close", screen.meeting, action.pk), **HTMX)
    assert review.status_code == 200
    assert f"Review action {action.reference}" in review.content.decode()

    response = chair.post(
        url("meeting_screen_action_close", screen.meeting, action.pk),
        {"review-outcome": "Two arrests", "review-version": action.version},
        **HTMX,
    )

    assert response.status_code == 200
    action.refresh_from_db()
    assert (action.status, action.closed_at_meeting) == (ActionStatus.CLOSED, screen.meeting)


def test_closing_over_a_stale_version_changes_nothing(screen):
    action = raised(screen)

    response = signed_in(screen.chair).post(
        url("meeting_screen_action_close", screen.meeting, action.pk),
        {"review-outcome": "Two arrests", "review-version": action.version - 1},
        **HTMX,
    )

    assert response.status_code == 400
    assert "after you opened it" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_an_action_not_on_this_meetings_log_is_a_404(screen):
    closed_before = action_raise(
        acting_user=screen.chair,
        unit=screen.meeting.unit,
        priority=screen.priority,
        action_type=ActionType.PREVENTION,
        description="Closed between meetings",
        owner_user=screen.member,
        due_date=timezone.localdate(),
    )
    action_close(
        acting_user=screen.chair,
        action=closed_before,
        outcome="Done",
        expected_version=closed_before.version,
    )
    chair = signed_in(screen.chair)

    for pk in (closed_before.pk, 10**6):
        assert chair.get(url("meeting_screen_action_close", screen.meeting, pk)).status_code == 404


def test_a_problem_profile_is_commissioned_inline(screen):
    response = signed_in(screen.chair).post(
        url("meeting_screen_commission", screen.meeting),
        {
            "commission-kind": CommissionKind.PROBLEM_PROFILE,
            "commission-title": "Burglary on the Stechford estate",
            "commission-owner": screen.analyst.pk,
            "commission-purpose": "Why burglary rose",
            "commission-marking": GSCMarking.OFFICIAL_SENSITIVE,
        },
        **HTMX,
    )

    assert response.status_code == 200, response.content.decode()
    assert Commission.objects.get(meeting=screen.meeting).product.title == (
        "Burglary on the Stechford estate"
    )


def test_an_item_is_escalated_inline(screen):
    item = screen.meeting.current_agenda_item
    response = signed_in(screen.chair).post(
        url("meeting_screen_escalate", screen.meeting),
        {
            "escalation-agenda_item": item.pk,
            "escalation-title": "Firearms supply",
            "escalation-reason": "Beyond the BCU's resources",
            "escalation-marking": GSCMarking.OFFICIAL_SENSITIVE,
        },
        **HTMX,
    )

    assert response.status_code == 200, response.content.decode()
    escalation = Escalation.objects.get()
    assert (escalation.agenda_item, escalation.to_unit) == (item, screen.hierarchy.force)


def test_the_chair_closes_the_meeting(screen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = signed_in(screen.chair).post(url("meeting_screen_close", screen.meeting))

    assert response.status_code == 302
    screen.meeting.refresh_from_db()
    assert screen.meeting.status == MeetingStatus.CLOSED
    assert MinutesVersion.objects.filter(meeting=screen.meeting).exists()
    page = signed_in(screen.member).get(url("meeting_screen", screen.meeting)).content.decode()
    assert "The meeting is closed" in page and "every 2s" not in page


def test_the_chair_opens_a_scheduled_meeting_on_screen_and_nobody_else(hierarchy):
    screen = ScreenCast(hierarchy, open_meeting=False)
    refused = signed_in(screen.member).post(url("meeting_screen_open", screen.meeting))
    assert refused.status_code == 403
    assert "Only the chair of this meeting of Birmingham can open it" in refused.content.decode()
    assert Meeting.objects.get(pk=screen.meeting.pk).status == MeetingStatus.SCHEDULED

    response = signed_in(screen.chair).post(url("meeting_screen_open", screen.meeting), **HTMX)

    assert response["HX-Refresh"] == "true"
    screen.meeting.refresh_from_db()
    assert screen.meeting.status == MeetingStatus.IN_SESSION


# Everybody else is refused, and nothing changes.


def refused_posts(screen, action):
    agenda = list(screen.meeting.agenda_items.order_by("position"))
    return [
        ("meeting_screen_item", (), {"item": agenda[1].pk}),
        ("meeting_screen_close", (), {}),
        (
            "meeting_screen_decision",
            (),
            {"decision-text": "Member decides", "decision-marking": 10},
        ),
        ("meeting_screen_action_raise", (), action_data(screen)),
        (
            "meeting_screen_action_close",
            (action.pk,),
            {"review-outcome": "Done", "review-version": action.version},
        ),
        (
            "meeting_screen_commission",
            (),
            {
                "commission-kind": CommissionKind.PROBLEM_PROFILE,
                "commission-title": "T",
                "commission-owner": screen.analyst.pk,
                "commission-purpose": "P",
                "commission-marking": 20,
            },
        ),
        (
            "meeting_screen_escalate",
            (),
            {"escalation-title": "T", "escalation-reason": "R", "escalation-marking": 20},
        ),
    ]


def snapshot(screen):
    meeting = Meeting.objects.get(pk=screen.meeting.pk)
    return (
        meeting.status,
        meeting.current_agenda_item_id,
        meeting.screen_revision,
        Decision.objects.count(),
        list(TacticalAction.objects.values_list("pk", "status", "version")),
        Commission.objects.count(),
        Escalation.objects.count(),
    )


def test_a_member_is_refused_every_change_with_a_clear_message(screen):
    action = raised(screen)
    before = snapshot(screen)
    member = signed_in(screen.member)

    for name, args, data in refused_posts(screen, action):
        response = member.post(url(name, screen.meeting, *args), data)
        assert response.status_code == 403, name
        assert "Only the chair of this meeting of Birmingham can" in response.content.decode()

    assert snapshot(screen) == before


def test_with_htmx_the_refusal_reloads_the_page_with_its_message(screen):
    action = raised(screen)
    before = snapshot(screen)
    member = signed_in(screen.member)

    for name, args, data in refused_posts(screen, action):
        response = member.post(url(name, screen.meeting, *args), data, **HTMX)
        assert response["HX-Refresh"] == "true", name

    page = member.get(url("meeting_screen", screen.meeting)).content.decode()
    assert "Only the chair of this meeting of Birmingham can" in page
    assert snapshot(screen) == before


def test_an_outsider_cannot_even_find_the_meeting_to_change(screen):
    action = raised(screen)
    before = snapshot(screen)
    outsider = signed_in(screen.outsider)

    for name, args, data in refused_posts(screen, action):
        assert outsider.post(url(name, screen.meeting, *args), data).status_code == 404

    assert snapshot(screen) == before


def test_the_poll_and_pages_refuse_other_methods(screen):
    chair = signed_in(screen.chair)

    assert chair.post(url("meeting_screen", screen.meeting)).status_code == 405
    assert chair.get(url("meeting_screen_decision", screen.meeting)).status_code == 405


# Queries stay constant as the meeting grows.


def grow(screen, size: int):
    for n in range(size):
        agenda_item_add(acting_user=screen.chair, meeting=screen.meeting, title=f"Extra item {n}")
        raised(screen, description=f"Action {n}")
        decision_record(
            acting_user=screen.chair,
            meeting=screen.meeting,
            agenda_item=screen.meeting.current_agenda_item,
            text=f"Decision {n}",
        )


def queries_of(client, path) -> int:
    client.get(path)  # the session's first request writes its start and "last seen"
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


# The chair's view reads the meeting once for the shared screen's rule and for the chair
# (it read decisions, actions, escalations, commissions and the agenda twice: 30 queries). Each
# screen reads the control strategy at hand with its priorities and open requirement items: 3.
SCREEN_QUERIES = {"meeting_screen": 13, "meeting_screen_live": 12, "meeting_screen_private": 20}


@pytest.mark.parametrize("name", list(SCREEN_QUERIES))
def test_the_screens_queries_do_not_grow_with_the_meeting(screen, name):
    chair = signed_in(screen.chair)
    path = url(name, screen.meeting)
    grow(screen, 2)
    small = queries_of(chair, path)

    grow(screen, 8)
    large = queries_of(chair, path)

    assert large == small <= SCREEN_QUERIES[name]


class TestAgendaTextWithAPartnerInTheRoom:
    """Agenda titles and notes typed by the chair stay off the shared screen while a partner is
    present, unless the chair marked them OFFICIAL; the chair's view shows them and counts them."""

    TITLE = "Canary title: Operation Nightjar surveillance"
    NOTES = "Canary notes: the informant is John Smith"

    @staticmethod
    def present(screen, user, *, partner=False):
        invitee, _ = MeetingInvitee.objects.get_or_create(
            meeting=screen.meeting, user=user, defaults={"is_partner_attendee": partner}
        )
        attendance_record(
            acting_user=screen.chair,
            meeting=screen.meeting,
            invitee=invitee,
            attendance=Attendance.PRESENT,
        )

    @pytest.fixture
    def police_present(self, screen):
        for user in (screen.chair, screen.member):
            self.present(screen, user)

    @pytest.fixture
    def partner_present(self, screen, police_present):
        partner = PartnerUserFactory(vetting_level=VettingLevel.NPPV2F)
        self.present(screen, partner, partner=True)
        return partner

    def shared_and_private(self, screen) -> tuple[str, str]:
        shared = signed_in(screen.member).get(url("meeting_screen", screen.meeting))
        private = signed_in(screen.chair).get(url("meeting_screen_private", screen.meeting))
        assert shared.status_code == private.status_code == 200
        return shared.content.decode(), private.content.decode()

    def test_typed_text_is_held_back_and_counted(self, screen, partner_present):
        item = agenda_item_add(
            acting_user=screen.chair, meeting=screen.meeting, title=self.TITLE, notes=self.NOTES
        )
        meeting_current_item_set(acting_user=screen.chair, meeting=screen.meeting, item=item)
        decision_record(
            acting_user=screen.chair,
            meeting=screen.meeting,
            agenda_item=item,
            text="Leaflet the estate.",
        )
        shared, private = self.shared_and_private(screen)
        assert self.TITLE not in shared and self.NOTES not in shared
        assert "Canary" not in shared
        assert f"Item {item.position}" in shared
        # The standard agenda's titles are OFFICIAL: they stay on the screen.
        assert "Review of the action log" in shared
        assert self.TITLE in private and self.NOTES in private
        assert "2 agenda titles or notes" in private

    def test_the_chair_marks_text_official_to_share_it(self, screen, partner_present):
        item = agenda_item_add(
            acting_user=screen.chair,
            meeting=screen.meeting,
            title=self.TITLE,
            notes=self.NOTES,
            title_marking=GSCMarking.OFFICIAL,
        )
        meeting_current_item_set(acting_user=screen.chair, meeting=screen.meeting, item=item)
        shared, _ = self.shared_and_private(screen)
        assert self.TITLE in shared and self.NOTES not in shared
        agenda_item_edit(
            acting_user=screen.chair,
            item=item,
            title=self.TITLE,
            notes=self.NOTES,
            title_marking=GSCMarking.OFFICIAL,
            notes_marking=GSCMarking.OFFICIAL,
        )
        shared, _ = self.shared_and_private(screen)
        assert self.TITLE in shared and self.NOTES in shared

    def test_without_a_partner_police_text_shows(self, screen, police_present):
        item = agenda_item_add(
            acting_user=screen.chair, meeting=screen.meeting, title=self.TITLE, notes=self.NOTES
        )
        meeting_current_item_set(acting_user=screen.chair, meeting=screen.meeting, item=item)
        shared, _ = self.shared_and_private(screen)
        assert self.TITLE in shared and self.NOTES in shared

    def test_a_marking_above_official_sensitive_is_refused_and_changes_nothing(self, screen):
        with pytest.raises(ValidationError):
            agenda_item_add(
                acting_user=screen.chair,
                meeting=screen.meeting,
                title=self.TITLE,
                title_marking=GSCMarking.SECRET,
            )
        assert not AgendaItem.objects.filter(title=self.TITLE).exists()
        response = signed_in(screen.chair).post(
            url("agenda_item_add", screen.meeting),
            {"title": self.TITLE, "title_marking": GSCMarking.SECRET, "notes_marking": 20},
        )
        assert response.status_code in (200, 302)
        assert not AgendaItem.objects.filter(title=self.TITLE).exists()


# The action log's rows, written in Python (tasking.templatetags.meeting_screen).

ROW_AS_TEMPLATE = (
    "{% for action in rows %}\n"
    '    <tr class="govuk-table__row">\n'
    '      <td class="govuk-table__cell">{{ action.reference }}</td>\n'
    '      <td class="govuk-table__cell">{{ action.description|linebreaksbr }} '
    '<span class="govuk-caption-s govuk-!-display-block">{{ action.get_action_type_display }}'
    "{% if action.raised_at_meeting_id == meeting.pk %}, raised at this meeting{% endif %}</span>"
    '{% if private %} <strong class="govuk-tag govuk-tag--grey">{{ action.marking_label }}'
    "</strong>{% if action.pk not in shown.actions %} "
    '<strong class="govuk-tag govuk-tag--orange">Not on the shared screen</strong>{% endif %}'
    "{% endif %}</td>\n"
    '      {% if private %}<td class="govuk-table__cell">{{ action.priority.theme }}</td>'
    "{% endif %}\n"
    '      <td class="govuk-table__cell">{% if action.owner_user %}'
    "{{ action.owner_user.get_full_name|default:action.owner_user.username }}{% else %}"
    "{{ action.owner_unit.name }}{% endif %}</td>\n"
    '      <td class="govuk-table__cell">{{ action.due_date|date:"j M Y" }}</td>\n'
    '      <td class="govuk-table__cell"><strong class="govuk-tag '
    "{% if action.rag == 'red' %}govuk-tag--red{% elif action.rag == 'amber' %}"
    'govuk-tag--orange{% else %}govuk-tag--green{% endif %}">{{ action.get_rag_display }}'
    "</strong></td>\n"
    '      <td class="govuk-table__cell">{{ action.get_status_display }}</td>\n'
    '      {% if private and may_chair and meeting.status == "in_session" %}\n'
    '      <td class="govuk-table__cell">{% if action.status == "open" %}'
    "{% url 'tasking:meeting_screen_action_close' meeting.pk action.pk as review_url %}"
    '<a class="govuk-link" id="nim-screen-review-{{ action.pk }}" href="{{ review_url }}" '
    'hx-get="{{ review_url }}" hx-target="#nim-screen-controls" hx-swap="outerHTML">Review'
    '<span class="govuk-visually-hidden"> action {{ action.reference }}</span></a>{% endif %}'
    "</td>\n"
    "      {% endif %}\n"
    "    </tr>\n"
    "  {% endfor %}"
)


@pytest.mark.parametrize("private", [True, False])
def test_the_action_rows_are_the_rows_the_template_wrote(screen, private):
    held_back = raised(screen, description='Watch <the> "yard" & the\nside gate')
    closed = raised(screen, marking=GSCMarking.SECRET)
    action_close(
        acting_user=screen.chair,
        action=closed,
        outcome="Done",
        meeting=screen.meeting,
        expected_version=closed.version,
    )
    TacticalAction.objects.filter(pk=closed.pk).update(
        owner_user=None, owner_unit=screen.meeting.unit, rag="red"
    )
    screen.member.first_name, screen.member.last_name = "Ann <b>", "O'Neil"
    screen.member.save()
    rows = list(TacticalAction.objects.filter(pk__in=[held_back.pk, closed.pk]).order_by("pk"))
    context = {
        "rows": rows,
        "meeting": screen.meeting,
        "private": private,
        "may_chair": True,
        "shown": {"actions": {closed.pk}},
    }
    ours = Template("{% load meeting_screen %}{% action_rows rows %}").render(Context(context))
    assert ours == Template(ROW_AS_TEMPLATE).render(Context(context))
    assert "side gate" in ours and ("Not on the shared screen" in ours) == private
