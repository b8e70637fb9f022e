"""The cast of the capability and bid tests: the force of StrategyCast with an approved control
strategy, a register of two capabilities, a TT&CG scheduled for next week and helpers to bid to
it, open it and accept."""

import datetime

from django.utils import timezone

from nim_portal.choices import GSCMarking
from tasking.actions.choices import ActionType
from tasking.bids.services import bid_submit
from tasking.meetings.choices import MeetingKind
from tasking.models import Meeting
from tasking.proceedings.services import meeting_open
from tasking.resources.choices import CapabilityKind
from tasking.resources.services import capability_add
from tests.tasking.factories import StrategyCast, strategy_approved


class BidCast(StrategyCast):
    def __init__(self, hierarchy):
        super().__init__(hierarchy)
        strategy = strategy_approved(self.unit, chair=self.chair, version=self.assessment())
        self.priority = strategy.priorities.order_by("rank").first()
        self.team = capability_add(
            acting_user=self.chair,
            unit=self.unit,
            kind=CapabilityKind.TEAM,
            name="Proactive team",
            hours_per_cycle=100,
        )
        self.dogs = capability_add(
            acting_user=self.chair,
            unit=self.unit,
            kind=CapabilityKind.SPECIALIST,
            name="Drugs dog",
            hours_per_cycle=20,
        )
        self.meeting = scheduled_ttcg(self.unit, chair=self.chair)

    def bid(self, *, user=None, hours=40, capability=None, meeting=None, **fields):
        fields.setdefault("title", "Test purchases")
        fields.setdefault("activity", "Test purchases on the high street to evidence dealing.")
        fields.setdefault("justification", "The tactical assessment names the street.")
        fields.setdefault("action_type", ActionType.ENFORCEMENT)
        fields.setdefault("marking", GSCMarking.OFFICIAL_SENSITIVE)
        fields.setdefault("priority", self.priority)
        return bid_submit(
            acting_user=user or self.member,
            meeting=meeting or self.meeting,
            capability=capability or self.team,
            hours=hours,
            **fields,
        )

    def sit(self):
        self.meeting = meeting_open(acting_user=self.chair, meeting=self.meeting)
        return self.meeting


def scheduled_ttcg(unit, *, chair, days=7):
    return Meeting.objects.create(
        unit=unit,
        kind=MeetingKind.TACTICAL,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        chair=chair,
    )


def due_in(days=14):
    return timezone.localdate() + datetime.timedelta(days=days)
