"""The meeting schedule kept by Celery beat: cadences, idempotence, races, the tactical assessment
commissioned before each TT&CG."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from nim_portal.choices import Role, UnitKind
from products.choices import ProductKind, ProductStatus
from products.models import Product
from tasking import tasks
from tasking.meetings.cadence import cadence_policies_default, schedule_meetings
from tasking.meetings.choices import (
    MEETING_TRANSITIONS,
    STANDARD_AGENDAS,
    AgendaItemKind,
    IntervalUnit,
    MeetingKind,
    MeetingStatus,
)
from tasking.meetings.models import add_months
from tasking.meetings.services import MEETING_LIFECYCLE
from tasking.models import CadencePolicy, Meeting, MeetingReminder
from tests.factories import member
from tests.tasking.scheduling_helpers import schedule_twice_at_once

# A fixed moment in the future, so that the scheduled meetings are upcoming whenever this runs.
NOW = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)


class Cast:
    def __init__(self, hierarchy):
        self.hierarchy = hierarchy
        self.bcu_chair = member(hierarchy.bcu, Role.CHAIR, username="bcuchair")
        self.bcu_member = member(hierarchy.bcu, Role.MEMBER, username="bcumember")
        self.bcu_analyst = member(hierarchy.bcu, Role.ANALYST, username="bcuanalyst")
        self.force_chair = member(hierarchy.force, Role.CHAIR, username="forcechair")
        # A role held above is inherited for reading, but does not make a BCU invitee.
        self.region_member = member(hierarchy.region, Role.MEMBER, username="regionmember")


@pytest.fixture
def cast(hierarchy):
    return Cast(hierarchy)


def _slots(unit, kind):
    return list(
        Meeting.objects.filter(unit=unit, kind=kind)
        .order_by("cadence_slot")
        .values_list("cadence_slot", flat=True)
    )


def test_running_twice_creates_each_units_meetings_once_by_its_cadence(cast):
    first = schedule_meetings(now=NOW)
    count = Meeting.objects.count()
    second = schedule_meetings(now=NOW)

    assert first.created and count == len(first.created)
    assert second.created == [] and Meeting.objects.count() == count
    h = cast.hierarchy
    for unit in (h.bcu, h.other_bcu, h.force, h.other_force):
        slots = _slots(unit, MeetingKind.TACTICAL)
        assert len(slots) >= 6
        assert {b - a for a, b in pairwise(slots)} == {timedelta(days=14)}
        assert all(NOW.date() <= slot <= NOW.date() + timedelta(days=90) for slot in slots)
    assert _slots(h.region, MeetingKind.TACTICAL) == [date(2030, 7, 6)]
    for unit in (h.region, h.force, h.bcu):
        assert _slots(unit, MeetingKind.STRATEGIC) == [date(2030, 7, 6)]
    # National (Level 3) sits by default, at the region's cadence for its TT&CG.
    assert _slots(h.national, MeetingKind.TACTICAL) == [date(2030, 7, 6)]
    assert _slots(h.national, MeetingKind.STRATEGIC) == [date(2030, 7, 6)]
    duplicates = Counter(Meeting.objects.values_list("unit_id", "kind", "cadence_slot"))
    assert max(duplicates.values()) == 1


def test_later_runs_follow_each_cadence_from_the_last_slot(cast):
    h = cast.hierarchy
    for month in range(7):  # hourly in production; monthly is enough to follow the cadence
        schedule_meetings(now=NOW + timedelta(days=30 * month))

    assert _slots(h.region, MeetingKind.TACTICAL) == [
        date(2030, 7, 6),
        date(2030, 10, 6),
        date(2031, 1, 6),
    ]
    assert _slots(h.force, MeetingKind.STRATEGIC) == [date(2030, 7, 6), date(2031, 1, 6)]
    bcu = _slots(h.bcu, MeetingKind.TACTICAL)
    assert {b - a for a, b in pairwise(bcu)} == {timedelta(days=14)}


def test_a_meeting_is_scheduled_at_the_policys_local_time_with_chair_agenda_and_reminder(cast):
    schedule_meetings(now=NOW)
    meeting = Meeting.objects.filter(unit=cast.hierarchy.bcu, kind=MeetingKind.TACTICAL).first()

    local = timezone.localtime(meeting.starts_at)
    assert (local.hour, local.minute) == (10, 0)
    assert str(local.tzinfo) == settings.TIME_ZONE
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.chair == cast.bcu_chair
    assert meeting.sequence == 0
    assert meeting.reminder.due_at == meeting.starts_at - timedelta(hours=24)
    assert meeting.history.last().history_change_reason == "Scheduled by the cadence"


def test_the_agendas_come_in_the_usual_order(cast):
    schedule_meetings(now=NOW)
    bcu = cast.hierarchy.bcu
    tactical = Meeting.objects.filter(unit=bcu, kind=MeetingKind.TACTICAL).first()
    strategic = Meeting.objects.get(unit=bcu, kind=MeetingKind.STRATEGIC)

    assert list(tactical.agenda_items.values_list("position", "kind")) == [
        (1, AgendaItemKind.ATTENDANCE),
        (2, AgendaItemKind.PREVIOUS_MINUTES),
        (3, AgendaItemKind.ACTION_LOG),
        (4, AgendaItemKind.TACTICAL_ASSESSMENT),
        (5, AgendaItemKind.BIDS_AND_COMMISSIONS),
        (6, AgendaItemKind.ESCALATIONS),
        (7, AgendaItemKind.ANY_OTHER_BUSINESS),
    ]
    assert tactical.agenda_items.get(position=3).title == "Review of the action log"
    kinds = list(strategic.agenda_items.values_list("kind", flat=True))
    assert kinds == list(STANDARD_AGENDAS[MeetingKind.STRATEGIC])
    assert {
        AgendaItemKind.STRATEGIC_ASSESSMENT,
        AgendaItemKind.CONTROL_STRATEGY,
        AgendaItemKind.INTELLIGENCE_REQUIREMENT,
    } <= set(kinds)
    assert AgendaItemKind.TACTICAL_ASSESSMENT not in kinds


def test_the_units_own_chairs_and_members_are_invited_not_analysts_nor_inherited_roles(cast):
    schedule_meetings(now=NOW)
    meeting = Meeting.objects.filter(unit=cast.hierarchy.bcu, kind=MeetingKind.TACTICAL).first()
    force_meeting = Meeting.objects.filter(unit=cast.hierarchy.force).first()

    assert {i.user for i in meeting.invitees.all()} == {cast.bcu_chair, cast.bcu_member}
    assert not meeting.invitees.filter(is_partner_attendee=True).exists()
    assert {i.user for i in force_meeting.invitees.all()} == {cast.force_chair}


def test_an_inactive_unit_gets_no_meetings(cast):
    bcu = cast.hierarchy.other_bcu
    bcu.is_active = False
    bcu.save()
    schedule_meetings(now=NOW)
    assert not Meeting.objects.filter(unit=bcu).exists()
    assert Meeting.objects.filter(unit=cast.hierarchy.bcu).exists()


def test_a_disabled_policy_schedules_nothing_and_an_enabled_national_one_does(cast):
    cadence_policies_default()
    CadencePolicy.objects.filter(unit_kind=UnitKind.BCU, meeting_kind=MeetingKind.TACTICAL).update(
        is_enabled=False
    )
    CadencePolicy.objects.filter(
        unit_kind=UnitKind.NATIONAL, meeting_kind=MeetingKind.TACTICAL
    ).update(is_enabled=True)
    schedule_meetings(now=NOW)

    assert not Meeting.objects.filter(unit=cast.hierarchy.bcu, kind=MeetingKind.TACTICAL).exists()
    assert _slots(cast.hierarchy.national, MeetingKind.TACTICAL) == [date(2030, 7, 6)]


def test_default_policies_are_created_once_and_keep_local_changes(db):
    created = cadence_policies_default()
    assert len(created) == 8
    force_tactical = CadencePolicy.objects.get(
        unit_kind=UnitKind.FORCE, meeting_kind=MeetingKind.TACTICAL
    )
    assert (force_tactical.interval_count, force_tactical.interval_unit) == (14, IntervalUnit.DAYS)
    assert force_tactical.nim_level == 2
    region = CadencePolicy.objects.get(unit_kind=UnitKind.REGION, meeting_kind=MeetingKind.TACTICAL)
    assert (region.interval_count, region.interval_unit, region.nim_level) == (3, "months", 2)
    # Level 3 holds its ST&CG and TT&CG by default (issue 14, point 8).
    assert CadencePolicy.objects.get(
        unit_kind=UnitKind.NATIONAL, meeting_kind=MeetingKind.STRATEGIC
    ).is_enabled
    force_tactical.interval_count = 7
    force_tactical.save()

    assert cadence_policies_default() == []
    force_tactical.refresh_from_db()
    assert force_tactical.interval_count == 7


def test_a_meeting_whose_time_today_has_passed_is_not_created(cast):
    cadence_policies_default()
    policy = CadencePolicy.objects.get(unit_kind=UnitKind.BCU, meeting_kind=MeetingKind.TACTICAL)
    policy.anchor_date = date(2030, 6, 1)
    policy.save()
    schedule_meetings(now=datetime(2030, 6, 1, 12, 0, tzinfo=UTC))

    assert _slots(cast.hierarchy.bcu, MeetingKind.TACTICAL)[0] == date(2030, 6, 15)


def test_add_months_clips_to_the_end_of_a_short_month():
    assert add_months(date(2030, 1, 31), 1) == date(2030, 2, 28)
    assert add_months(date(2030, 11, 6), 3) == date(2031, 2, 6)
    assert add_months(date(2030, 1, 6), -6) == date(2029, 7, 6)


def test_the_meeting_lifecycle_table():
    assert MEETING_LIFECYCLE.allows(MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION)
    assert MEETING_LIFECYCLE.allows(MeetingStatus.IN_SESSION, MeetingStatus.CLOSED)
    assert not MEETING_LIFECYCLE.allows(MeetingStatus.SCHEDULED, MeetingStatus.CLOSED)
    assert not MEETING_LIFECYCLE.allows(MeetingStatus.CLOSED, MeetingStatus.SCHEDULED)
    assert MEETING_TRANSITIONS[MeetingStatus.CLOSED] == frozenset()


# The tactical assessment.


def test_the_tactical_assessment_is_commissioned_in_its_window_once_per_ttcg(cast):
    bcu = cast.hierarchy.bcu
    schedule_meetings(now=NOW)
    schedule_meetings(now=NOW)
    meetings = list(Meeting.objects.filter(unit=bcu, kind=MeetingKind.TACTICAL))
    within = [m for m in meetings if m.starts_at <= NOW + timedelta(days=14)]
    later = [m for m in meetings if m.starts_at > NOW + timedelta(days=14)]

    assert within and later
    assert all(m.tactical_assessment_id for m in within)
    assert not any(m.tactical_assessment_id for m in later)
    products = Product.objects.filter(unit=bcu, kind=ProductKind.TACTICAL_ASSESSMENT)
    assert products.count() == len(within)
    for meeting in within:
        product = meeting.tactical_assessment
        day = timezone.localtime(meeting.starts_at).date()
        assert product.kind == ProductKind.TACTICAL_ASSESSMENT
        assert product.status == ProductStatus.COMMISSIONED
        assert product.due_date == day - timedelta(days=3)
        assert product.owner == cast.bcu_analyst
        assert product.requester == cast.bcu_chair
        assert product.history.first().history_user is None

    # Time passes: the next TT&CG enters the window and gets its assessment, once.
    schedule_meetings(now=NOW + timedelta(days=14))
    schedule_meetings(now=NOW + timedelta(days=14))
    later[0].refresh_from_db()
    assert later[0].tactical_assessment is not None
    assert products.count() == len(within) + 1
    assert not Meeting.objects.filter(kind=MeetingKind.STRATEGIC).exclude(tactical_assessment=None)


def test_no_analyst_flags_the_meeting_and_commissions_later(cast):
    force = cast.hierarchy.force
    schedule_meetings(now=NOW)
    flagged = Meeting.objects.filter(unit=force, kind=MeetingKind.TACTICAL).first()

    assert flagged.tactical_assessment is None
    assert "no analyst" in flagged.assessment_flag
    assert not Product.objects.filter(unit=force).exists()

    analyst = member(force, Role.ANALYST, username="forceanalyst")
    result = schedule_meetings(now=NOW)
    flagged.refresh_from_db()
    assert flagged.tactical_assessment.owner == analyst
    assert flagged.assessment_flag == ""
    assert flagged.tactical_assessment_id in result.commissioned


def test_with_no_chair_the_analyst_requests_the_assessment(cast):
    other_bcu = cast.hierarchy.other_bcu
    analyst = member(other_bcu, Role.ANALYST, username="stokeanalyst")
    schedule_meetings(now=NOW)
    meeting = Meeting.objects.filter(unit=other_bcu, kind=MeetingKind.TACTICAL).first()

    assert meeting.chair is None
    assert meeting.tactical_assessment.requester == analyst


def test_the_beat_schedule_runs_both_tasks():
    beat = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert beat["tasking.tasks.schedule_meetings"] == 3600.0
    assert beat["tasking.tasks.send_due_reminders"] == 60.0
    assert tasks.schedule_meetings_task.name == "tasking.tasks.schedule_meetings"
    assert tasks.send_due_reminders.name == "tasking.tasks.send_due_reminders"


def test_the_task_schedules_through_the_service(cast):
    created = tasks.schedule_meetings_task.delay().get()
    assert created == Meeting.objects.count() > 0
    assert MeetingReminder.objects.count() == created
    assert tasks.schedule_meetings_task.delay().get() == 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_each_meeting_once(vetting_table):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race runs in CI's PostgreSQL pass.")
    from tests.factories import HierarchyFactory

    Cast(HierarchyFactory())
    cadence_policies_default()
    schedule_twice_at_once(lambda: schedule_meetings(now=NOW))
