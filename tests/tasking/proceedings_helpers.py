"""The cast and meetings of the proceedings tests: a BCU's TT&CG scheduled by the cadence, with
its chair, members, analyst, and the chairs of the units above it."""

from datetime import UTC, datetime

from django.core import mail
from django.test import TestCase

from nim_portal.choices import Role
from tasking.meetings.cadence import schedule_meetings
from tasking.meetings.choices import MeetingKind
from tasking.models import Meeting
from tasking.proceedings.services import meeting_open
from tests.factories import member

NOW = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)


class Cast:
    def __init__(self, hierarchy):
        self.hierarchy = hierarchy
        self.chair = member(hierarchy.bcu, Role.CHAIR, username="chair")
        self.member = member(hierarchy.bcu, Role.MEMBER, username="member")
        self.analyst = member(hierarchy.bcu, Role.ANALYST, username="analyst")
        self.force_chair = member(hierarchy.force, Role.CHAIR, username="forcechair")
        self.force_member = member(hierarchy.force, Role.MEMBER, username="forcemember")
        self.regional_chair = member(hierarchy.region, Role.CHAIR, username="regionchair")
        self.national_chair = member(hierarchy.national, Role.CHAIR, username="nationalchair")
        self.neighbour_chair = member(hierarchy.other_bcu, Role.CHAIR, username="stokechair")
        self.outsider = member(hierarchy.other_force, Role.MEMBER, username="outsider")


def ttcg(unit) -> Meeting:
    """The unit's first TT&CG scheduled by the cadence."""
    return Meeting.objects.filter(unit=unit, kind=MeetingKind.TACTICAL).order_by("starts_at")[0]


def scheduled_as_by_beat(now=NOW):
    """The schedule run as beat runs it: each unit's meetings commit, then their jobs (the
    invitations) run; the invitations sent are cleared from the outbox."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = schedule_meetings(now=now)
    mail.outbox.clear()
    return result


def cast_scheduled(hierarchy) -> Cast:
    """The cast, with every unit's meetings scheduled by the cadence."""
    cast = Cast(hierarchy)
    scheduled_as_by_beat()
    return cast


def opened(cast, meeting) -> Meeting:
    return meeting_open(acting_user=cast.chair, meeting=meeting)
