"""The national dataset's meetings (MeetingsBuilder, a part of tasking.national.TaskingBuilder)."""

import datetime
from collections import deque
from collections.abc import Iterator

from django.utils import timezone

from nim_portal.choices import GSCMarking, Role
from nim_portal.national import (
    BENCH_CHAIR,
)
from products.choices import ProductStatus
from products.national import ProductRef
from tasking.meetings.choices import (
    DEFAULT_CADENCES,
    STANDARD_AGENDAS,
    AgendaItemKind,
    Attendance,
    IntervalUnit,
    MeetingKind,
    MeetingStatus,
)
from tasking.meetings.models import (
    AgendaItem,
    CadencePolicy,
    Meeting,
    MeetingInvitee,
    MeetingReminder,
)

# The schedule keeps this many days of meetings ahead (CadencePolicy.horizon_days).
HORIZON_DAYS = 90
# What the minutes of a held meeting say, by its kind.
MINUTES = {
    MeetingKind.TACTICAL: "The tactical assessment was presented; the action log reviewed.",
    MeetingKind.STRATEGIC: "The strategic assessment presented; priorities ranked with MoRiLE.",
}


def meetings_per_day(unit_kind: str, meeting_kind: str) -> float:
    count, interval_unit, _ = DEFAULT_CADENCES[(unit_kind, meeting_kind)]
    return 1 / count if interval_unit == IntervalUnit.DAYS else 12 / (365.25 * count)


class MeetingsBuilder:
    """Meetings in every unit's cadence slots from the start of the dataset to the schedule's
    horizon: the past ones held and closed, the upcoming ones scheduled with their invitations
    sent, each with the standard agenda, the unit's chairs and members invited and a reminder;
    TT&CGs carry the unit's tactical assessments. A part of tasking.national.TaskingBuilder, whose
    state it reads and fills."""

    def slots(self, policy: CadencePolicy, until: datetime.date) -> Iterator[datetime.date]:
        """The policy's cadence dates from the start of the dataset to `until`, aligned on its
        anchor as the schedule aligns a unit's first meetings."""
        anchor = policy.anchor_date
        if policy.interval_unit == IntervalUnit.MONTHS:
            months = (self.since.year - anchor.year) * 12 + self.since.month - anchor.month
            step = months // policy.interval_count - 1
        else:
            step = (self.since - anchor).days // policy.interval_count - 1
        slot = policy.slot_after(anchor, step)
        while slot <= until:
            if slot >= self.since:
                yield slot
            step += 1
            slot = policy.slot_after(anchor, step)

    def plan_meetings(self) -> list[Meeting]:
        rng = self.rng
        until = self.today + datetime.timedelta(days=HORIZON_DAYS)
        meetings = []
        for unit in self.hierarchy.units:
            chair = self.chair_of(unit)
            for meeting_kind in (MeetingKind.TACTICAL, MeetingKind.STRATEGIC):
                policy = self.policies[(unit.kind, meeting_kind)]
                for slot in self.slots(policy, until):
                    starts_at = timezone.make_aware(
                        datetime.datetime.combine(slot, policy.start_time)
                    )
                    remote = rng.random() < 0.2
                    meeting = Meeting(
                        unit=unit,
                        kind=meeting_kind,
                        starts_at=starts_at,
                        duration_minutes=policy.duration_minutes,
                        place="" if remote else f"{unit.name} police station, briefing room",
                        call_link=f"https://meet.police.example/{unit.code.lower()}"
                        if remote
                        else "",
                        chair_id=chair.pk,
                        cadence_slot=slot,
                        created_at=starts_at - datetime.timedelta(days=policy.horizon_days),
                    )
                    self._hold(meeting)
                    meetings.append(meeting)
                    self.meetings[unit.pk].append(meeting)
        self.built.bench_meeting = self._bench_meeting()
        for unit_meetings in self.meetings.values():
            unit_meetings.sort(key=lambda m: m.starts_at)
        for meeting, pk in zip(meetings, self.run.writer.ids(Meeting, len(meetings)), strict=True):
            meeting.pk = pk
        return meetings

    def _hold(self, meeting: Meeting) -> None:
        """Past meetings were opened on time and closed after their duration; one sitting now is
        in session."""
        rng = self.rng
        ends_at = meeting.starts_at + datetime.timedelta(minutes=meeting.duration_minutes)
        meeting.updated_at = meeting.created_at
        if meeting.starts_at > self.now:
            return
        meeting.opened_at = meeting.starts_at + datetime.timedelta(minutes=rng.randint(0, 10))
        meeting.status = MeetingStatus.IN_SESSION
        meeting.screen_revision = rng.randint(3, 40)
        meeting.updated_at = meeting.opened_at
        if ends_at <= self.now:
            meeting.status = MeetingStatus.CLOSED
            meeting.closed_at = meeting.minutes_frozen_at = ends_at - datetime.timedelta(
                minutes=rng.randint(0, 20)
            )
            meeting.minutes = MINUTES[meeting.kind]
            meeting.minutes_version = rng.randint(1, 3)
            meeting.updated_at = meeting.closed_at

    def _bench_meeting(self) -> Meeting:
        """The bench BCU's TT&CG sitting today, chaired by the bench chair: one the cadence puts
        today, else the next one moved to today (as its chair would reschedule it)."""
        bcu = self.hierarchy.bench_bcu
        tactical = [m for m in self.meetings[bcu.pk] if m.kind == MeetingKind.TACTICAL]
        today = [m for m in tactical if timezone.localtime(m.starts_at).date() == self.today]
        if today:
            meeting = today[0]
        else:
            meeting = min(
                (m for m in tactical if m.starts_at > self.now), key=lambda m: m.starts_at
            )
            midnight = timezone.make_aware(datetime.datetime.combine(self.today, datetime.time()))
            meeting.starts_at = max(self.now - datetime.timedelta(minutes=30), midnight)
            meeting.sequence = 1
        meeting.status = MeetingStatus.IN_SESSION
        meeting.opened_at = min(meeting.starts_at + datetime.timedelta(minutes=5), self.now)
        meeting.closed_at = meeting.minutes_frozen_at = None
        meeting.minutes = "The chair welcomed members; the tactical assessment was presented."
        meeting.minutes_version = 1
        meeting.screen_revision = 12
        meeting.updated_at = self.now
        meeting.chair_id = self.hierarchy.bench[BENCH_CHAIR].pk
        return meeting

    def plan_meeting_rows(self, meetings: list[Meeting]) -> None:
        """Agenda, invitees and reminder of every meeting; tactical assessments; the current
        item of those sitting."""
        self._assessments()
        writer = self.run.writer
        agenda_ids = iter(
            writer.ids(AgendaItem, sum(len(STANDARD_AGENDAS[m.kind]) for m in meetings))
        )
        for meeting in meetings:
            self.agenda[meeting.pk] = self._agenda(meeting, agenda_ids)
            self.invitees[meeting.pk] = self._invitees(meeting)
            if meeting.status == MeetingStatus.IN_SESSION:
                meeting.current_agenda_item_id = self.agenda[meeting.pk][0]["id"]

    def write_meeting_rows(self, meetings: list[Meeting]) -> None:
        """Everything about the meetings but the meetings themselves (written last, once their
        minutes' marking is known)."""
        progress, writer = self.run.progress, self.run.writer
        agenda = [item for meeting in meetings for item in self.agenda[meeting.pk]]
        invitees = [row for meeting in meetings for row in self.invitees[meeting.pk]]
        progress.stage("Agenda, invitees, reminders", len(agenda) + len(invitees) + len(meetings))
        writer.write(AgendaItem, agenda, progress)
        writer.write(MeetingInvitee, invitees, progress)
        writer.write(MeetingReminder, [self._reminder(m) for m in meetings], progress)
        counts = self.built.counts
        counts["agenda items"] = len(agenda)
        counts["invitees"] = len(invitees)
        counts["reminders"] = len(meetings)

    def _assessments(self) -> None:
        """Each TT&CG takes one of its unit's tactical assessments due before it, in date order:
        finished ones for past sittings, unfinished ones for those sitting or to come. The bench
        TT&CG always has one."""
        for unit in self.hierarchy.units:
            pools: dict[bool, deque[ProductRef]] = {True: deque(), False: deque()}
            for ref in sorted(self.products.tactical.get(unit.pk, []), key=lambda r: r.due_date):
                finished = ref.status in (ProductStatus.APPROVED, ProductStatus.CLOSED)
                pools[finished].append(ref)
            for meeting in self.meetings[unit.pk]:
                if meeting.kind != MeetingKind.TACTICAL:
                    continue
                day = timezone.localtime(meeting.starts_at).date()
                pool = pools[meeting.status == MeetingStatus.CLOSED]
                if pool and pool[0].due_date <= day:
                    meeting.tactical_assessment_id = pool.popleft().pk
                elif meeting is self.built.bench_meeting:
                    pool = pool or pools[True]
                    meeting.tactical_assessment_id = pool.popleft().pk if pool else None

    def _agenda(self, meeting: Meeting, ids: Iterator[int]) -> list[dict]:
        return [
            {
                "id": next(ids),
                "meeting_id": meeting.pk,
                "position": position,
                "kind": kind,
                "title": AgendaItemKind(kind).label,
                "title_marking": GSCMarking.OFFICIAL,
                "notes_marking": GSCMarking.OFFICIAL_SENSITIVE,
                "notes": "Presented by the analyst."
                if kind == AgendaItemKind.TACTICAL_ASSESSMENT
                else "",
            }
            for position, kind in enumerate(STANDARD_AGENDAS[meeting.kind], start=1)
        ]

    def _invitees(self, meeting: Meeting) -> list[dict]:
        """The chairs and members of the unit itself (the schedule's invitees), partners at a
        few ST&CGs; invitations sent, attendance taken at the meetings held."""
        rng = self.rng
        unit = meeting.unit
        people = {p.pk: p for p in self.hierarchy.holders_in(unit, (Role.CHAIR, Role.MEMBER))}
        people.setdefault(meeting.chair_id, self.hierarchy.people[meeting.chair_id])
        held = meeting.status != MeetingStatus.SCHEDULED
        common = {
            "meeting_id": meeting.pk,
            "invitation_sent_at": meeting.created_at,
            "invitation_sequence": meeting.sequence,
            "is_partner_attendee": False,
        }
        rows = []
        for person in people.values():
            attendance = Attendance.INVITED
            if held:
                attendance = Attendance.APOLOGIES if rng.random() < 0.12 else Attendance.PRESENT
                if person.pk == meeting.chair_id:
                    attendance = Attendance.PRESENT
            rows.append(common | {"user_id": person.pk, "attendance": attendance})
        if meeting.kind == MeetingKind.STRATEGIC and rng.random() < 0.15:
            partners = [
                pk
                for place in self.hierarchy.lineage(unit)
                for pk in self.partners.partners_of_unit.get(place.pk, [])
            ]
            for pk in rng.sample(partners, min(len(partners), rng.randint(1, 2))):
                attendance = Attendance.PRESENT if held else Attendance.INVITED
                rows.append(
                    common | {"user_id": pk, "is_partner_attendee": True, "attendance": attendance}
                )
        return rows

    def _reminder(self, meeting: Meeting) -> dict:
        policy = self.policies[(meeting.unit.kind, meeting.kind)]
        due_at = meeting.starts_at - datetime.timedelta(hours=policy.reminder_hours)
        return {
            "meeting_id": meeting.pk,
            "due_at": due_at,
            "sent_at": due_at + datetime.timedelta(minutes=1) if due_at <= self.now else None,
        }
