"""The demo's meetings: the demo units' last sittings for their past cadence slots (as the
schedule made them), the upcoming meetings of every unit (as Celery beat's first run would
schedule them), and Birmingham East's next TT&CG moved by its chair to later today, ready for the
demo `chair` to open on screen."""

import datetime

from django.db import transaction
from django.utils import timezone

from tasking.demo_cast import DemoCast, DemoResult
from tasking.meetings import cadence
from tasking.meetings import services as meeting_services
from tasking.meetings.choices import MeetingKind, MeetingStatus
from tasking.meetings.models import CadencePolicy, Meeting

# Past sittings created for each demo unit, by meeting kind.
PAST_SITTINGS = {MeetingKind.TACTICAL: 3, MeetingKind.STRATEGIC: 1}
# When Birmingham East's TT&CG sits today (or the next hour, seeded later in the day).
TTCG_TODAY_AT = datetime.time(11, 0)
TTCG_TODAY_PLACE = "Stechford police station, briefing room 2"


def _past_slots(policy: CadencePolicy, today: datetime.date, count: int) -> list[datetime.date]:
    """The last `count` cadence dates of `policy` before `today`."""
    months = policy.interval_unit == "months"
    span = (
        (today.year - policy.anchor_date.year) * 12 + today.month - policy.anchor_date.month
        if months
        else (today - policy.anchor_date).days
    )
    step = span // policy.interval_count + 1
    while policy.slot_after(policy.anchor_date, step) >= today:
        step -= 1
    return [policy.slot_after(policy.anchor_date, step - back) for back in reversed(range(count))]


def _past_meetings(cast: DemoCast, result: DemoResult) -> list[Meeting]:
    """The demo units' last sittings, for their past cadence slots (as the schedule made them)."""
    today = timezone.localdate()
    meetings = []
    for unit in (cast.force, cast.bcu, cast.west, cast.neighbour):
        for policy in CadencePolicy.objects.filter(unit_kind=unit.kind, is_enabled=True):
            for slot in _past_slots(policy, today, PAST_SITTINGS[policy.meeting_kind]):
                meeting = Meeting.objects.filter(
                    unit=unit, kind=policy.meeting_kind, cadence_slot=slot
                ).first()
                if meeting is None:
                    # The schedule's own builder of a slot's meeting (agenda, invitees, reminder,
                    # history, audit); the schedule itself only looks ahead of `now`.
                    meeting = cadence._meeting_create_for_slot(unit, policy, slot)
                    result.created.append(f"meeting: {meeting}")
                meetings.append(meeting)
    return meetings


def seed_ttcg_today(cast: DemoCast, result: DemoResult) -> Meeting:
    """Birmingham East's next TT&CG, moved by its chair to later today (as a chair would for an
    extra sitting), so that `chair` can open it on screen and `member` follow it whenever the
    demo is seeded. A TT&CG already held or due that day is left as it is."""
    now = timezone.localtime()
    # Late morning, or the next hour once the morning has gone.
    starts_at = max(
        timezone.make_aware(datetime.datetime.combine(now.date(), TTCG_TODAY_AT)),
        (now + datetime.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0),
    )
    ttcg = Meeting.objects.filter(unit=cast.bcu, kind=MeetingKind.TACTICAL)
    meeting = ttcg.filter(starts_at__date=starts_at.date()).first()
    if meeting is not None:
        result.present.append(f"TT&CG today: {meeting}")
        return meeting
    meeting = meeting_services.meeting_reschedule(
        acting_user=cast.chair,
        meeting=ttcg.filter(starts_at__gt=now, status=MeetingStatus.SCHEDULED).first(),
        starts_at=starts_at,
        place=TTCG_TODAY_PLACE,
    )
    result.created.append(f"TT&CG today: {meeting}")
    return meeting


def seed_meetings(cast: DemoCast, result: DemoResult) -> None:
    """The demo units' past sittings, then every unit's upcoming meetings."""
    with transaction.atomic():
        _past_meetings(cast, result)
    # The upcoming meetings of every unit, as beat's first run would schedule them.
    scheduled = cadence.schedule_meetings()
    if scheduled.created:
        result.created.append(f"{len(scheduled.created)} upcoming meetings scheduled")
