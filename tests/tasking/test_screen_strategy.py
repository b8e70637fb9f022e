"""The control strategy at hand on the meeting screens (issue 14, point 1): an ST&CG's screens
show its commissioned strategic assessment, its unit's draft (then approved) control strategy's
priorities and its requirement's open items; a TT&CG's the strategy its unit works under. The
shared screen and the room's display show only what everybody present may read (a draft and the
items not opened to partners never with a partner present); the chair's view shows what the chair
reads, tagged where the shared screen holds it back. The chair approves or returns the strategy
and the requirement from the screen and through the API, with the service's refusals."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from nim_portal.choices import GSCMarking, Role
from products.models import Product
from tasking.meetings.choices import Attendance, MeetingKind
from tasking.meetings.models import Meeting, MeetingInvitee
from tasking.proceedings.services import attendance_record, meeting_close
from tasking.strategy.choices import ControlStrategyStatus
from tasking.strategy.models import ControlStrategy, IntelligenceRequirementItem
from tasking.strategy.requirement import ir_item_add
from tests.factories import PartnerUserFactory, member, product_drafting
from tests.tasking.factories import (
    StrategyCast,
    approved_at_sitting,
    meeting_sitting,
    priority_added,
    stcg_sitting,
    strategy_drafted,
)
from tests.tasking.screen_helpers import ScreenCast
from tests.tasking.test_meeting_screen import queries_of

pytestmark = pytest.mark.django_db

HELD_BACK = "Not on the shared screen"


class Sitting:
    """The force's ST&CG sitting, its chair and a member invited, its commissioned strategic
    assessment, and the force's draft control strategy with two priorities and a requirement
    item."""

    def __init__(self, hierarchy):
        self.cast = StrategyCast(hierarchy)
        self.chair, self.member = self.cast.chair, self.cast.member
        self.meeting = stcg_sitting(self.cast.unit, chair=self.chair)
        for user in (self.chair, self.member):
            MeetingInvitee.objects.create(meeting=self.meeting, user=user)
        self.assessment = product_drafting(
            self.cast.unit, owner=self.cast.analyst, title="Strategic assessment for this sitting"
        )
        Meeting.objects.filter(pk=self.meeting.pk).update(strategic_assessment=self.assessment)
        self.strategy = strategy_drafted(
            self.cast.unit, chair=self.chair, version=self.cast.assessment()
        )
        self.first = priority_added(self.strategy, chair=self.chair, theme="Knife crime")
        self.second = priority_added(self.strategy, chair=self.chair, theme="Fraud against elders")
        self.item = ir_item_add(
            acting_user=self.chair,
            priority=self.first,
            question="Where are the knives bought?",
            owner=self.chair,
            review_date=timezone.localdate() + datetime.timedelta(days=30),
        )

    def partner_present(self):
        partner = PartnerUserFactory()
        invitee = MeetingInvitee.objects.create(
            meeting=self.meeting, user=partner, is_partner_attendee=True
        )
        for each in self.meeting.invitees.all():
            attendance_record(
                acting_user=self.chair,
                meeting=self.meeting,
                invitee=each,
                attendance=Attendance.PRESENT,
            )
        return invitee


@pytest.fixture
def sitting(hierarchy):
    return Sitting(hierarchy)


def page(user, name, meeting) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse(f"tasking:{name}", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


SHARED = ("meeting_screen", "meeting_screen_live", "meeting_presentation")


@pytest.mark.parametrize("name", SHARED)
def test_the_room_sees_the_stcgs_assessment_draft_priorities_and_items(sitting, name):
    newer = product_drafting(sitting.cast.unit, owner=sitting.cast.analyst, title="Newer one")
    assert Product.objects.filter(pk=newer.pk).exists()
    html = page(sitting.member, name, sitting.meeting)
    assert "Strategic assessment for this sitting" in html
    assert "Newer one" not in html
    assert "Knife crime" in html and "Fraud against elders" in html
    assert "Where are the knives bought?" in html
    assert "a draft, for the ST&amp;CG to approve" in html


@pytest.mark.parametrize("name", SHARED)
def test_with_a_partner_present_no_draft_and_no_item_closed_to_partners(sitting, name):
    sitting.partner_present()
    html = page(sitting.chair, name, sitting.meeting)
    assert "Knife crime" not in html and "Where are the knives bought?" not in html


def test_the_chairs_view_shows_what_the_shared_screen_holds_back(sitting):
    sitting.partner_present()
    html = page(sitting.chair, "meeting_screen_private", sitting.meeting)
    at_hand = html[html.index('id="nim-screen-at-hand"') :]
    at_hand = at_hand[: at_hand.index("</details>")]
    assert "Knife crime" in at_hand and "Where are the knives bought?" in at_hand
    assert HELD_BACK in at_hand


def test_a_strategy_above_the_lowest_vetting_present_stays_off_the_room(sitting):
    ControlStrategy.objects.filter(pk=sitting.strategy.pk).update(marking=GSCMarking.TOP_SECRET)
    for name in SHARED:
        assert "Knife crime" not in page(sitting.chair, name, sitting.meeting)


def test_a_member_reads_no_draft_on_the_chairs_view_and_may_not_open_it(sitting):
    client = Client()
    client.force_login(sitting.member)
    response = client.get(reverse("tasking:meeting_screen_private", args=[sitting.meeting.pk]))
    assert response.status_code == 403


def test_the_ttcg_shows_the_strategy_it_works_under_and_the_items_open_to_partners(hierarchy):
    screen = ScreenCast(hierarchy)
    items = IntelligenceRequirementItem.objects.filter(
        requirement__control_strategy=screen.strategy
    )
    shared_item, police_item = items.order_by("pk")
    IntelligenceRequirementItem.objects.filter(pk=shared_item.pk).update(open_to_partners=True)
    html = page(screen.member, "meeting_screen", screen.meeting)
    assert escape(shared_item.question) in html and escape(police_item.question) in html
    assert screen.priority.theme in html

    ControlStrategy.objects.filter(pk=screen.strategy.pk).update(marking=GSCMarking.OFFICIAL)
    partner = PartnerUserFactory()
    MeetingInvitee.objects.create(meeting=screen.meeting, user=partner, is_partner_attendee=True)
    for name in SHARED:
        html = page(screen.member, name, screen.meeting)
        assert escape(shared_item.question) in html
        assert escape(police_item.question) not in html


# Deciding from the chair's view of the screen.


def decide_url(sitting, subject="control-strategy") -> str:
    return reverse(
        "tasking:meeting_sitting_decide", args=[sitting.meeting.pk, subject, sitting.strategy.pk]
    )


def test_the_chair_approves_the_strategy_and_requirement_from_the_screen(sitting):
    client = Client()
    client.force_login(sitting.chair)
    screen = reverse("tasking:meeting_screen_private", args=[sitting.meeting.pk])
    assert decide_url(sitting) in client.get(screen).content.decode()

    response = client.post(decide_url(sitting), {"decision": "approve", "view": "private"})
    assert response.status_code == 302 and response.url == f"{screen}#nim-record-strategy"
    html = client.get(screen).content.decode()
    assert "approved at this sitting." in html
    sitting.strategy.refresh_from_db()
    day = timezone.localtime(sitting.strategy.approved_at).strftime("%-d %B %Y")
    assert f"approved at this sitting on {day}" in html
    requirement = decide_url(sitting, "intelligence-requirement")
    assert requirement in html

    client.post(requirement, {"decision": "approve", "view": "private"})
    sitting.strategy.refresh_from_db()
    assert sitting.strategy.status == ControlStrategyStatus.APPROVED
    assert sitting.strategy.approved_at_sitting == sitting.meeting
    assert sitting.strategy.intelligence_requirement.approved_at_sitting == sitting.meeting
    html = page(sitting.member, "meeting_presentation", sitting.meeting)
    assert html.count(f"approved at this sitting on {day}") == 2


def test_a_return_without_its_reason_goes_back_to_the_screen_with_nothing_changed(sitting):
    client = Client()
    client.force_login(sitting.chair)
    response = client.post(
        decide_url(sitting), {"decision": "return", "note": "", "view": "private"}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith(
        f"/tasking/screen/{sitting.meeting.pk}/chair/#nim-record-strategy"
    )
    assert "Say why it is returned." in response.content.decode()
    sitting.strategy.refresh_from_db()
    assert sitting.strategy.is_draft and not sitting.meeting.decisions.exists()


def test_with_htmx_the_decision_swaps_the_recording_panel_in_place(sitting):
    client = Client()
    client.force_login(sitting.chair)
    htmx = {"HTTP_HX_REQUEST": "true"}

    refused = client.post(
        decide_url(sitting), {"decision": "return", "note": "", "view": "private"}, **htmx
    )
    assert refused.status_code == 200 and 'id="nim-screen-controls"' in refused.content.decode()
    assert "Say why it is returned." in refused.content.decode()
    sitting.strategy.refresh_from_db()
    assert sitting.strategy.is_draft and not sitting.meeting.decisions.exists()

    response = client.post(decide_url(sitting), {"decision": "approve", "view": "private"}, **htmx)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="nim-screen-controls"' in html
    assert "approved at this sitting." in html and "<html" not in html
    sitting.strategy.refresh_from_db()
    assert sitting.strategy.approved_at_sitting == sitting.meeting


# The API.


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def decisions_url(meeting) -> str:
    return f"/api/v1/meetings/{meeting.pk}/sitting-decisions/"


def test_the_chair_records_the_sittings_decisions_through_the_api(sitting):
    chair = api(sitting.chair)
    body = {"subject": "control-strategy", "strategy": sitting.strategy.pk}
    returned = chair.post(decisions_url(sitting.meeting), {**body, "decision": "return"})
    assert returned.status_code == 400
    assert "Say why it is returned." in str(returned.json())

    approved = chair.post(decisions_url(sitting.meeting), {**body, "decision": "approve"})
    assert approved.status_code == 201
    assert approved.json()["text"] == f"The control strategy “{sitting.strategy.title}” approved."
    requirement = chair.post(
        decisions_url(sitting.meeting),
        {
            "subject": "intelligence-requirement",
            "strategy": sitting.strategy.pk,
            "decision": "approve",
        },
    )
    assert requirement.status_code == 201
    sitting.strategy.refresh_from_db()
    assert sitting.strategy.approved_at_sitting == sitting.meeting
    assert sitting.strategy.intelligence_requirement.is_approved


def test_the_api_refuses_outside_a_sitting_and_changes_nothing(sitting, hierarchy):
    chair = api(sitting.chair)
    body = {"subject": "control-strategy", "strategy": sitting.strategy.pk, "decision": "approve"}
    ttcg = meeting_sitting(sitting.cast.unit, chair=sitting.chair)
    assert ttcg.kind == MeetingKind.TACTICAL
    refused = chair.post(decisions_url(ttcg), body)
    assert refused.status_code == 400
    assert "Only an ST&CG approves or returns the control strategy." in str(refused.json())

    meeting_close(acting_user=sitting.chair, meeting=sitting.meeting)
    closed = chair.post(decisions_url(sitting.meeting), body)
    assert closed.status_code == 400
    assert "The meeting is closed" in str(closed.json())

    unknown = chair.post(decisions_url(ttcg), {**body, "strategy": 999_999})
    assert unknown.status_code == 400 and "strategy" in unknown.json()
    bad = chair.post(decisions_url(ttcg), {**body, "subject": "budget"})
    assert bad.status_code == 400 and "subject" in bad.json()

    sitting.strategy.refresh_from_db()
    assert sitting.strategy.is_draft and sitting.strategy.approved_at is None
    assert not ttcg.decisions.exists()


def test_only_the_chair_decides_through_the_api(sitting, hierarchy):
    body = {"subject": "control-strategy", "strategy": sitting.strategy.pk, "decision": "approve"}
    # A member reads no draft: it is not theirs to name.
    unreadable = api(sitting.member).post(decisions_url(sitting.meeting), body)
    assert unreadable.status_code == 400
    assert unreadable.json()["strategy"] == "Choose a control strategy you may read."
    outsider = member(hierarchy.other_force, Role.CHAIR)
    assert api(outsider).post(decisions_url(sitting.meeting), body).status_code == 404
    partner = api(PartnerUserFactory()).post(decisions_url(sitting.meeting), body)
    assert partner.status_code == 404
    sitting.strategy.refresh_from_db()
    assert sitting.strategy.is_draft

    # The approved strategy every member reads: its requirement is still the chair's to decide.
    assert api(sitting.chair).post(decisions_url(sitting.meeting), body).status_code == 201
    requirement = {**body, "subject": "intelligence-requirement"}
    refused = api(sitting.member).post(decisions_url(sitting.meeting), requirement)
    assert refused.status_code == 403
    sitting.strategy.refresh_from_db()
    assert not sitting.strategy.intelligence_requirement.is_approved


@pytest.mark.parametrize("name", [*SHARED, "meeting_screen_private"])
def test_the_strategy_at_hand_costs_the_same_queries_however_long(sitting, name):
    """With a partner present too, where each item's requirement is asked whether it is
    approved: read with the items, never one by one."""
    for requirement in (False, True):
        approved_at_sitting(
            sitting.strategy, sitting=sitting.meeting, chair=sitting.chair, requirement=requirement
        )
    ControlStrategy.objects.filter(pk=sitting.strategy.pk).update(marking=GSCMarking.OFFICIAL)
    sitting.partner_present()
    IntelligenceRequirementItem.objects.update(open_to_partners=True)
    client = Client()
    client.force_login(sitting.chair)
    path = reverse(f"tasking:{name}", args=[sitting.meeting.pk])
    small = queries_of(client, path)
    for n in range(5):
        ir_item_add(
            acting_user=sitting.chair,
            priority=(sitting.first, sitting.second)[n % 2],
            question=f"Question {n}?",
            owner=sitting.chair,
            review_date=timezone.localdate() + datetime.timedelta(days=30),
        )
    IntelligenceRequirementItem.objects.update(open_to_partners=True)
    assert queries_of(client, path) == small
    assert "Question 4?" in client.get(path).content.decode()
