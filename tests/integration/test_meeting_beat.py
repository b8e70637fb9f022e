"""Issue 6, acceptance 1, on real infrastructure: a `celery beat` process sends the meeting
schedule from its beat schedule, through Redis, to a `celery worker` process that writes the
meetings to PostgreSQL; and two runs at once race for the same cadence slots on PostgreSQL."""

import re
import threading
from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest
from django.db import connection
from django.utils import timezone

from nim_portal.choices import Role
from products.models import Product
from tasking.meetings import cadence
from tasking.meetings.choices import MeetingKind, MeetingStatus
from tasking.models import Meeting, MeetingInvitee
from tests.factories import HierarchyFactory, member
from tests.integration.conftest import SERVICES_TEST, emptied_redis_db, wait_for
from tests.tasking.scheduling_helpers import schedule_twice_at_once

pytestmark = SERVICES_TEST

WAIT_SECONDS = 90
# Beat sends the schedule this often in the test (hourly in production).
SCHEDULE_SECONDS = 2
# A Redis database of this test's own: what beat sends is taken only by this test's worker.
BEAT_REDIS_DB = 12
SENT_BY_BEAT = re.compile(
    r"Scheduler: Sending due task tasking-schedule-meetings \(tasking\.tasks\.schedule_meetings\)"
)
RUN_BY_WORKER = re.compile(r"Task tasking\.tasks\.schedule_meetings\[[0-9a-f-]+\] succeeded")


@pytest.fixture
def own_redis_db():
    with emptied_redis_db(BEAT_REDIS_DB) as (url, _client):
        yield url


class Cast:
    def __init__(self):
        self.hierarchy = h = HierarchyFactory()
        self.chair = member(h.bcu, Role.CHAIR, username="bcuchair")
        self.member = member(h.bcu, Role.MEMBER, username="bcumember")
        self.analyst = member(h.bcu, Role.ANALYST, username="bcuanalyst")
        # An inactive unit is left out of the schedule.
        h.other_bcu.is_active = False
        h.other_bcu.save()


def test_beat_sends_the_meeting_schedule_and_a_worker_keeps_the_units_meetings_scheduled(
    vetting_table, media_root, own_redis_db, celery_worker_process, celery_beat_process
):
    cast = Cast()
    bcu = cast.hierarchy.bcu
    assert connection.vendor == "postgresql"
    assert not Meeting.objects.exists()

    worker = celery_worker_process(
        own_redis_db, environment={"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    )
    beat = celery_beat_process(
        own_redis_db, environment={"NIM_MEETING_SCHEDULE_SECONDS": str(SCHEDULE_SECONDS)}
    )
    logs = [beat, worker]

    # Each unit's new meetings commit with their invitations' jobs, handed to the worker
    # through Redis again: the run done and the BCU's people invited, every unit is scheduled.
    invited = MeetingInvitee.objects.filter(
        meeting__unit=bcu, user=cast.member, invitation_sent_at__isnull=False
    )
    wait_for(
        lambda: RUN_BY_WORKER.search(worker.log_text()) and invited.exists(),
        seconds=WAIT_SECONDS,
        interval=0.2,
        what="the meetings scheduled from beat and the BCU's invitations sent",
        log=logs,
    )
    assert SENT_BY_BEAT.search(beat.log_text()), beat.log_tail()

    tactical = list(Meeting.objects.filter(unit=bcu, kind=MeetingKind.TACTICAL))
    slots = [meeting.cadence_slot for meeting in tactical]
    assert len(slots) >= 6
    assert {b - a for a, b in pairwise(slots)} == {timedelta(days=14)}
    assert all(meeting.starts_at > timezone.now() - timedelta(minutes=5) for meeting in tactical)
    assert {m.status for m in tactical} == {MeetingStatus.SCHEDULED}
    assert {m.chair for m in tactical} == {cast.chair}
    assert Meeting.objects.filter(unit=bcu, kind=MeetingKind.STRATEGIC).count() == 1
    assert {m.history.earliest().history_change_reason for m in tactical} == {
        cadence.SCHEDULED_REASON
    }
    # The first TT&CG's tactical assessment was commissioned by the same run.
    assert tactical[0].tactical_assessment.owner == cast.analyst
    assert not Meeting.objects.filter(unit=cast.hierarchy.other_bcu).exists()

    # Beat keeps sending it; the later runs create nothing more.
    meetings = Meeting.objects.count()
    products = Product.objects.count()
    wait_for(
        lambda: len(RUN_BY_WORKER.findall(worker.log_text())) >= 3,
        seconds=WAIT_SECONDS,
        interval=0.2,
        what="the schedule run from beat three times",
        log=logs,
    )
    assert Meeting.objects.count() == meetings
    assert Product.objects.count() == products
    duplicates = Counter(Meeting.objects.values_list("unit_id", "kind", "cadence_slot"))
    assert max(duplicates.values()) == 1

    # Beat stops on SIGTERM by itself (no kill needed), as `docker compose stop` asks it to.
    beat.stop()
    assert beat.popen.returncode == 0, beat.log_tail()


def test_two_runs_at_once_race_for_the_same_slots_and_create_each_meeting_once(
    vetting_table, monkeypatch
):
    """Both runs read the free slots of the first unit before either inserts (a barrier holds
    them), so the race on the unique constraint is run for certain, not by luck of timing."""
    Cast()
    cadence.cadence_policies_default()
    started = threading.Barrier(2)
    first_call = threading.local()
    refused = []
    create_for_slots = cadence._meetings_create_for_slots

    def create_for_slots_at_once(unit, slots, roster):
        if not getattr(first_call, "done", False):
            first_call.done = True
            started.wait(timeout=30)
        meetings = create_for_slots(unit, slots, roster)
        created = {(meeting.kind, meeting.cadence_slot) for meeting in meetings}
        refused.extend(
            (unit.pk, policy.meeting_kind, slot)
            for policy, slot in slots
            if (policy.meeting_kind, slot) not in created
        )
        return meetings

    monkeypatch.setattr(cadence, "_meetings_create_for_slots", create_for_slots_at_once)

    schedule_twice_at_once(cadence.schedule_meetings)
    # The loser's rows of the first unit were refused by the constraint.
    assert refused
