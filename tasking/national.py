"""The national dataset's tasking, for `manage.py seed_national` (benchmarks): control
strategies, their priorities and intelligence requirements, meetings at every level on their
cadence, and the action log.

Every unit has a control strategy for each year of the dataset (the past ones superseded, the
current one approved, a few drafts for next year), informed by a published strategic assessment
of the unit or above it, its priorities scored on the active MoRiLE matrix and ranked (now and
then overridden by the chair, with the reason). Meetings fill the cadence slots of every unit
(TT&CG and ST&CG, national included) from the start of the dataset to the scheduler's horizon:
past ones held and closed with their minutes frozen (MinutesVersion, as meeting_close writes it,
with the job that prints its PDF waiting for a worker), upcoming ones scheduled with their
invitations sent,
each with the standard agenda, the unit's chairs and members invited, and a reminder. TT&CGs
carry the unit's tactical assessments. Actions are raised at the TT&CGs, tied to a priority of
the strategy the unit worked under that day, updated by their owners and closed at a later
sitting; the recent ones are still open. A few profiles are commissioned and issues escalated to
the unit above. The bench chair's TT&CG sits today; the bench member owns about fifty actions.
"""

import bisect
import datetime
import itertools
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from nim_portal.choices import GSCMarking, Role, UnitKind
from nim_portal.models import Job, Unit
from nim_portal.national import (
    BENCH_CHAIR,
    BENCH_MEMBER,
    Hierarchy,
    Person,
    Run,
    bulk_insert,
    dates_as_given,
    fields_of,
    weighted,
)
from partners.national import PartnersBuilt
from products.choices import ProductKind, ProductStatus
from products.national import THEMES, ProductRef, ProductsBuilt, Writer
from tasking.actions.choices import ActionStatus, ActionType, Rag
from tasking.actions.models import ActionUpdate, TacticalAction
from tasking.actions.search import refresh_action_vectors
from tasking.meetings.cadence import cadence_policies_default
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
from tasking.meetings.search import refresh_meeting_vectors
from tasking.proceedings.choices import CommissionKind, EscalationStatus
from tasking.proceedings.minutes_pdf import MINUTES_PDF_JOB
from tasking.proceedings.models import Commission, Decision, Escalation, MinutesVersion
from tasking.proceedings.services import _snapshot_digest
from tasking.strategy.choices import ControlStrategyStatus, MoRiLEDimension, RequirementItemStatus
from tasking.strategy.models import (
    ControlStrategy,
    IntelligenceRequirement,
    IntelligenceRequirementItem,
    Priority,
)
from tasking.strategy.morile import morile_matrix_default, morile_score
from tasking.strategy.search import refresh_strategy_vectors
from tasking.strategy.services import ranks_with_overrides

# The schedule keeps this many days of meetings ahead (CadencePolicy.horizon_days).
HORIZON_DAYS = 90


@dataclass(frozen=True)
class NationalSize:
    """How much the dataset holds (the command's options)."""

    regions: int = 9
    forces: int = 43
    bcus: int = 250
    people: int = 5_000
    products: int = 100_000
    meetings: int = 30_000
    actions: int = 300_000
    releases: int = 20_000


DEFAULT_SIZE = NationalSize()
SMALL_SIZE = NationalSize(
    regions=1,
    forces=4,
    bcus=20,
    people=200,
    products=1_000,
    meetings=300,
    actions=3_000,
    releases=200,
)


def _per_day(unit_kind: str, meeting_kind: str) -> float:
    count, interval_unit, _ = DEFAULT_CADENCES[(unit_kind, meeting_kind)]
    return 1 / count if interval_unit == IntervalUnit.DAYS else 12 / (365.25 * count)


def history_start(today: datetime.date, size: NationalSize) -> datetime.date:
    """The first day of the dataset: far enough back for `size.meetings` meetings on the
    default cadence (every unit, both kinds, up to the horizon ahead)."""
    units = {
        UnitKind.NATIONAL: 1,
        UnitKind.REGION: size.regions,
        UnitKind.FORCE: size.forces,
        UnitKind.BCU: size.bcus,
    }
    per_day = sum(
        count * _per_day(kind, meeting_kind)
        for kind, count in units.items()
        for meeting_kind in MeetingKind.values
    )
    days = size.meetings / per_day - HORIZON_DAYS
    return today - datetime.timedelta(days=max(int(days), 60))


@dataclass
class TaskingBuilt:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    bench_meeting: Meeting | None = None


# Control strategies.

OBJECTIVES = {
    "objective_intelligence": "Map who directs the activity and how it moves.",
    "objective_prevention": "Work with partners to protect the people most at risk.",
    "objective_enforcement": "Disrupt the people causing the most harm.",
    "objective_reassurance": "Tell the affected neighbourhoods what has been done.",
}
FOUR_P = {
    "plan_pursue": "Target the group's controllers.",
    "plan_prevent": "Divert young people at risk of recruitment.",
    "plan_protect": "Identify and protect the vulnerable addresses used.",
    "plan_prepare": "Plans for the violence expected when control changes.",
}
QUESTIONS = (
    "Who directs {theme} in {unit}, and from where?",
    "Which places and times drive {theme} in {unit}?",
    "How do the proceeds of {theme} leave {unit}?",
    "Which partners hold information on {theme} that we lack?",
)
SOURCES = (
    "Neighbourhood teams; partner data; covert sources.",
    "ANPR; CCTV; the regional organised crime unit.",
    "Schools' safeguarding leads; youth services; housing providers.",
)


def _period_starts(since: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The first days (1 April) of every strategy year from the one holding `since` to the
    current one."""
    first = since.year if since >= datetime.date(since.year, 4, 1) else since.year - 1
    current = today.year if today >= datetime.date(today.year, 4, 1) else today.year - 1
    return [datetime.date(year, 4, 1) for year in range(first, current + 1)]


@dataclass
class StrategyPlan:
    strategy: ControlStrategy
    priorities: list[Priority]


class TaskingBuilder:
    """Strategies and meetings; the action log is ActionLogBuilder's."""

    def __init__(
        self, run: Run, hierarchy: Hierarchy, products: ProductsBuilt, partners: PartnersBuilt
    ):
        self.run, self.hierarchy, self.products, self.partners = run, hierarchy, products, partners
        self.rng, self.since, self.now, self.today = run.rng, run.since, run.now, run.today
        self.writer = Writer(run.rng)
        self.built = TaskingBuilt()
        self.matrix = morile_matrix_default()
        self.scales = self.matrix.scales_as_data()
        cadence_policies_default()
        self.policies = {(p.unit_kind, p.meeting_kind): p for p in CadencePolicy.objects.all()}
        # unit pk -> its approved and superseded strategies, oldest first; their start dates
        self.strategies: dict[int, list[StrategyPlan]] = {}
        self.strategy_starts: dict[int, list[datetime.date]] = {}
        self.themes: dict[int, str] = {}  # priority pk -> theme
        # unit pk -> its meetings by date; meeting pk -> what happened at it
        self.meetings: dict[int, list[Meeting]] = defaultdict(list)
        self.agenda: dict[int, list[dict]] = {}
        self.invitees: dict[int, list[dict]] = {}
        self.decisions: dict[int, list[dict]] = defaultdict(list)
        self.escalations_raised: dict[int, list[dict]] = defaultdict(list)
        self.escalations_decided: dict[int, list[dict]] = defaultdict(list)
        self.commissions: dict[int, list[tuple[dict, ProductRef]]] = defaultdict(list)
        self.people = {**hierarchy.people, **partners.people}
        self.chairs: dict[tuple[int, int], Person] = {}
        self.owners: dict[tuple[int, int], list[Person]] = {}

    # People.

    def chair_of(self, unit: Unit, marking: int = GSCMarking.OFFICIAL) -> Person:
        """The unit's first chair (the schedule's choice: the bench chair at the bench BCU) who
        may read `marking`, else the nearest such chair above it."""
        key = (unit.pk, marking)
        if key not in self.chairs:
            chairs = self.hierarchy.holders_over(unit, (Role.CHAIR,), marking=marking)
            chairs = chairs or self.hierarchy.holders_over(unit, (Role.CHAIR,))
            bench = self.hierarchy.bench.get(BENCH_CHAIR)
            self.chairs[key] = bench if bench in chairs else chairs[0]
        return self.chairs[key]

    def owners_around(self, unit: Unit, marking: int) -> list[Person]:
        """People working in `unit`, above or below it who may read `marking` (cached)."""
        key = (unit.pk, marking)
        if key not in self.owners:
            self.owners[key] = self.hierarchy.workers_around(unit, marking=marking)
        return self.owners[key]

    # Strategies.

    def _informing_version(self, unit: Unit):
        for place in self.hierarchy.lineage(unit):
            versions = self.products.strategic.get(place.pk)
            if versions:
                return versions[-1]
        raise ValueError(f"No published strategic assessment of {unit} or above it.")

    def _scores(self) -> dict[str, int]:
        rng = self.rng
        return {
            dimension: rng.choice((1, 2, 2, 3, 3, 4) if "harm" in dimension else (0, 1, 2, 3, 4))
            for dimension in MoRiLEDimension.values
        }

    def _priorities(self, strategy: ControlStrategy, *, scored: bool) -> list[Priority]:
        """Four to six priorities, scored on the matrix and ranked as the service ranks them (by
        score, ties to the earlier added, a chair's override kept), or not yet scored."""
        rng = self.rng
        unit = strategy.unit
        chair = self.hierarchy.people[strategy.drafted_by_id]
        owners = self.owners_around(unit, strategy.marking) or [chair]
        rows = []
        for theme in rng.sample(THEMES, rng.randint(4, 6)):
            organised = rng.random() < 0.3
            objectives = dict(rng.sample(sorted(OBJECTIVES.items()), rng.randint(1, 4)))
            scores = self._scores() if scored else {}
            rows.append(
                Priority(
                    control_strategy=strategy,
                    theme=theme.capitalize(),
                    rationale=f"Ranked high in the strategic assessment of {unit.name}: "
                    f"{theme} rose and causes serious harm.",
                    organised_crime=organised,
                    owner_id=rng.choice(owners).pk,
                    scores=scores,
                    score=morile_score(scores, self.scales) if scored else None,
                    created_at=strategy.created_at,
                    **objectives,
                    **(FOUR_P if organised else {}),
                )
            )
        if not scored:
            return rows
        by_score = sorted(range(len(rows)), key=lambda i: (-rows[i].score, i))
        overrides = {}
        if rng.random() < 0.25:
            chosen = rng.randrange(len(rows))
            overrides[chosen] = rng.randint(1, len(rows))
            rows[chosen].override_rank = overrides[chosen]
            rows[chosen].override_reason = "Community confidence: residents' first concern."
            rows[chosen].override_by_id = strategy.drafted_by_id
            rows[chosen].override_at = strategy.approved_at or strategy.created_at
        ranks = ranks_with_overrides(by_score, overrides)
        for position, index in enumerate(by_score, start=1):
            rows[index].score_rank = position
            rows[index].rank = ranks[index]
        return rows

    def _strategy_marking(self, unit: Unit) -> int:
        marking = weighted(
            self.rng,
            (
                (GSCMarking.OFFICIAL_SENSITIVE, 75),
                (GSCMarking.OFFICIAL, 20),
                (GSCMarking.SECRET, 5),
            ),
        )
        chair = self.chair_of(unit, marking)
        return marking if chair.may_read(marking) else GSCMarking.OFFICIAL_SENSITIVE

    def plan_strategies(self) -> list[StrategyPlan]:
        """Per unit, a strategy for each year of the dataset (1 April to 31 March): approved
        ten days before its year, superseded by the next; a draft for next year now and then."""
        rng = self.rng
        starts = _period_starts(self.since, self.today)
        plans = []
        for unit in self.hierarchy.units:
            informed_by = self._informing_version(unit)
            marking = self._strategy_marking(unit)
            chair = self.chair_of(unit, marking)
            unit_plans = []
            for index, start in enumerate(starts):
                approved_at = timezone.make_aware(
                    datetime.datetime.combine(
                        start - datetime.timedelta(days=10), datetime.time(11)
                    )
                )
                current = index == len(starts) - 1
                strategy = ControlStrategy(
                    unit=unit,
                    title=f"{unit.name} control strategy {start.year} to {start.year + 1}",
                    period_start=start,
                    period_end=datetime.date(start.year + 1, 3, 31),
                    informed_by_id=informed_by.pk,
                    matrix=self.matrix,
                    marking=marking,
                    status=(
                        ControlStrategyStatus.APPROVED
                        if current
                        else ControlStrategyStatus.SUPERSEDED
                    ),
                    drafted_by_id=chair.pk,
                    approved_by_id=chair.pk,
                    approved_at=approved_at,
                    created_at=approved_at - datetime.timedelta(days=30),
                )
                unit_plans.append(StrategyPlan(strategy, []))
            self.strategies[unit.pk] = list(unit_plans)
            self.strategy_starts[unit.pk] = [p.strategy.period_start for p in unit_plans]
            if rng.random() < 0.2:
                start = datetime.date(starts[-1].year + 1, 4, 1)
                unit_plans.append(
                    StrategyPlan(
                        ControlStrategy(
                            unit=unit,
                            title=f"{unit.name} control strategy {start.year} to "
                            f"{start.year + 1} (draft)",
                            period_start=start,
                            period_end=datetime.date(start.year + 1, 3, 31),
                            informed_by_id=informed_by.pk,
                            matrix=self.matrix,
                            marking=marking,
                            drafted_by_id=chair.pk,
                            created_at=self.now - datetime.timedelta(days=rng.randint(1, 30)),
                        ),
                        [],
                    )
                )
            plans += unit_plans
        return plans

    def write_strategies(self) -> None:
        plans = self.plan_strategies()
        self.run.progress.stage("Control strategies", len(plans))
        with dates_as_given(
            ControlStrategy, Priority, IntelligenceRequirement, IntelligenceRequirementItem
        ):
            bulk_insert(ControlStrategy, [p.strategy for p in plans], self.run.progress)
            superseded = []
            for plans_of_unit in self.strategies.values():
                for older, newer in itertools.pairwise(plans_of_unit):
                    older.strategy.superseded_by = newer.strategy
                    older.strategy.superseded_at = newer.strategy.approved_at
                    superseded.append(older.strategy)
            ControlStrategy.objects.bulk_update(
                superseded, ["superseded_by", "superseded_at"], batch_size=1000
            )
            for plan in plans:
                draft = plan.strategy.status == ControlStrategyStatus.DRAFT
                plan.priorities = self._priorities(
                    plan.strategy, scored=not draft or self.rng.random() < 0.5
                )
            bulk_insert(Priority, [p for plan in plans for p in plan.priorities])
            requirements, items = self._requirements(plans)
        self.themes = {p.pk: p.theme for plan in plans for p in plan.priorities}
        counts = self.built.counts
        counts["control strategies"] = len(plans)
        counts["priorities"] = len(self.themes)
        counts["intelligence requirements"] = requirements
        counts["requirement items"] = items

    def _requirements(self, plans: list[StrategyPlan]) -> tuple[int, int]:
        """The approved intelligence requirement of each strategy no longer a draft: items on
        its priorities, most of a superseded strategy's closed."""
        rng = self.rng
        requirements, items = [], []
        for plan in plans:
            strategy = plan.strategy
            if strategy.status == ControlStrategyStatus.DRAFT:
                continue
            requirement = IntelligenceRequirement(
                control_strategy=strategy,
                approved_by_id=strategy.approved_by_id,
                approved_at=strategy.approved_at,
                created_at=strategy.approved_at,
            )
            requirements.append(requirement)
            owners = self.owners_around(strategy.unit, strategy.marking) or [
                self.hierarchy.people[strategy.drafted_by_id]
            ]
            superseded = strategy.status == ControlStrategyStatus.SUPERSEDED
            for priority in rng.sample(plan.priorities, rng.randint(2, len(plan.priorities))):
                owner = rng.choice(owners)
                closed = rng.random() < (0.85 if superseded else 0.25)
                closed_at = strategy.approved_at + datetime.timedelta(days=rng.randint(20, 300))
                items.append(
                    IntelligenceRequirementItem(
                        requirement=requirement,
                        priority=priority,
                        question=rng.choice(QUESTIONS).format(
                            theme=priority.theme.lower(), unit=strategy.unit.name
                        ),
                        sources_to_task=rng.choice(SOURCES),
                        owner_id=owner.pk,
                        review_date=strategy.period_start
                        + datetime.timedelta(days=rng.randint(30, 330)),
                        open_to_partners=rng.random() < 0.3,
                        status=RequirementItemStatus.CLOSED
                        if closed
                        else RequirementItemStatus.OPEN,
                        closing_note="Answered: the findings went into the assessment."
                        if closed
                        else "",
                        closed_by_id=owner.pk if closed else None,
                        closed_at=min(closed_at, self.now) if closed else None,
                        created_at=strategy.approved_at,
                    )
                )
        bulk_insert(IntelligenceRequirement, requirements)
        bulk_insert(IntelligenceRequirementItem, items)
        return len(requirements), len(items)

    def priority_on(self, unit: Unit, day: datetime.date) -> Priority:
        """A priority of the strategy `unit` worked under on `day`."""
        plans = self.strategies[unit.pk]
        index = max(bisect.bisect_right(self.strategy_starts[unit.pk], day) - 1, 0)
        return self.rng.choice(plans[index].priorities)

    # Meetings.

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


def build_tasking(
    run: Run,
    hierarchy: Hierarchy,
    products: ProductsBuilt,
    partners: PartnersBuilt,
    *,
    actions: int,
) -> TaskingBuilt:
    builder = TaskingBuilder(run, hierarchy, products, partners)
    builder.write_strategies()
    meetings = builder.plan_meetings()
    builder.plan_meeting_rows(meetings)
    builder.write_meeting_rows(meetings)
    ActionLogBuilder(builder, total=actions).write()
    run.progress.stage("Meetings", len(meetings))
    run.writer.write(Meeting, [fields_of(meeting) for meeting in meetings], run.progress)
    run.progress.stage("Tasking: search vectors", 3)
    for refresh, rows in (
        (refresh_meeting_vectors, Meeting.objects.all()),
        (refresh_action_vectors, TacticalAction.objects.all()),
        (refresh_strategy_vectors, ControlStrategy.objects.all()),
    ):
        refresh(rows)
        run.progress.advance()
    counts = builder.built.counts
    counts["meetings"] = len(meetings)
    for meeting in meetings:
        counts[f"meetings {MeetingStatus(meeting.status).label.lower()}"] += 1
    return builder.built


# The action log, and what the meetings did at the table.

DESCRIPTIONS = (
    "Patrol {place} at the times the analysis shows, for {few} weeks.",
    "Visit the repeat victims of {theme} with crime prevention advice.",
    "Develop the intelligence on {theme} around {place} with partners.",
    "Warrant at the address near {place} linked to {theme}.",
    "Joint visits with the council to premises near {place}.",
    "Brief the ward meeting on what was done about {theme}.",
    "Analyse the calls for service about {theme} near {place}.",
    "Safeguarding referrals for the young people seen around {place}.",
)
UPDATES = (
    ("Started; half of the visits done.", Rag.GREEN),
    ("Delayed: no team available before the due date.", Rag.RED),
    ("Partners have agreed to help; on track.", Rag.GREEN),
    ("Waiting for the warrant to be granted.", Rag.AMBER),
)
OUTCOMES = (
    "Done: no further offences at the addresses visited.",
    "Two arrests; the activity has moved on.",
    "Completed with partners; reviewed at the sitting.",
    "Overtaken by events: closed by the chair.",
)
DECISIONS = {
    MeetingKind.TACTICAL: "The tactical assessment's recommendations accepted.",
    MeetingKind.STRATEGIC: "The control strategy and intelligence requirement approved.",
}
MINUTES = {
    MeetingKind.TACTICAL: "The tactical assessment was presented; the action log reviewed.",
    MeetingKind.STRATEGIC: "The strategic assessment presented; priorities ranked with MoRiLE.",
}
ACTION_MARKINGS = (
    (GSCMarking.OFFICIAL, 35),
    (GSCMarking.OFFICIAL_SENSITIVE, 55),
    (GSCMarking.SECRET, 10),
)


@dataclass
class ActionPlan:
    row: dict
    raised_index: int  # the unit's sitting that raised it
    closed_index: int | None  # the sitting that closed it (None: still open)


class ActionLogBuilder:
    """Per unit, deepest units first (so that an escalation reaches its parent's minutes):
    actions and their updates, decisions, commissions, escalations, then the frozen minutes."""

    def __init__(self, tasking: TaskingBuilder, *, total: int):
        self.t = tasking
        self.rng = tasking.rng
        self.total = total

    def write(self) -> None:
        t = self.t
        sittings = {
            unit.pk: [
                m
                for m in t.meetings[unit.pk]
                if m.kind == MeetingKind.TACTICAL and m.status != MeetingStatus.SCHEDULED
            ]
            for unit in t.hierarchy.units
        }
        per_sitting = self.total / max(sum(len(s) for s in sittings.values()), 1)
        t.run.progress.stage("Actions and minutes", self.total)
        for unit in sorted(t.hierarchy.units, key=lambda u: -u.depth):
            plans = self._actions(unit, sittings[unit.pk], per_sitting)
            self._table(unit)
            self._minutes(unit, sittings[unit.pk], plans)
            t.run.progress.advance(len(plans))

    # Actions.

    def _actions(self, unit: Unit, sittings: list[Meeting], per_sitting: float):
        t, writer = self.t, self.t.run.writer
        plans: list[ActionPlan] = []
        carry = 0.0
        for index in range(len(sittings)):
            carry += per_sitting
            count, carry = int(carry), carry - int(carry)
            plans += [self._action(unit, sittings, index) for _ in range(count)]
        if unit.pk == t.hierarchy.bench_bcu.pk:
            self._bench_owner(plans)
        for plan, pk in zip(plans, writer.ids(TacticalAction, len(plans)), strict=True):
            plan.row["id"] = pk
        updates = [u for plan in plans for u in self._updates(plan)]
        writer.write(TacticalAction, [plan.row for plan in plans])
        writer.write(ActionUpdate, updates)
        counts = t.built.counts
        counts["actions"] += len(plans)
        counts["actions open"] += sum(1 for p in plans if p.closed_index is None)
        counts["action updates"] += len(updates)
        return plans

    def _action(self, unit: Unit, sittings: list[Meeting], index: int) -> ActionPlan:
        """An action raised at sitting `index` (now and then by the chair between sittings),
        closed one to four sittings later if those were held."""
        rng, t = self.rng, self.t
        meeting = sittings[index]
        chair = t.people[meeting.chair_id]
        marking = weighted(rng, ACTION_MARKINGS)
        if not chair.may_read(marking):
            marking = GSCMarking.OFFICIAL_SENSITIVE
        day = timezone.localtime(meeting.starts_at).date()
        raised_at = meeting.opened_at + datetime.timedelta(minutes=rng.randint(10, 100))
        at_meeting = rng.random() < 0.9 or meeting.status != MeetingStatus.CLOSED
        if not at_meeting:
            raised_at = meeting.closed_at + datetime.timedelta(days=rng.randint(1, 10))
        raised_at = min(raised_at, t.now - datetime.timedelta(minutes=1))
        owners = t.owners_around(unit, marking)
        owner = rng.choice(owners) if owners and rng.random() < 0.8 else None
        lifetime = rng.choice((1, 1, 2, 2, 3, 4))
        closed_index = index + lifetime
        # A few stay open long past their date; the rest close at a later sitting, if held.
        if (
            rng.random() < 0.01
            or closed_index >= len(sittings)
            or sittings[closed_index].status != MeetingStatus.CLOSED
        ):
            closed_index = None
        row = {
            "unit_id": unit.pk,
            "priority_id": t.priority_on(unit, day).pk,
            "action_type": rng.choice(ActionType.values),
            "description": t.writer.fill(rng.choice(DESCRIPTIONS), unit),
            "marking": marking,
            "owner_user_id": owner.pk if owner else None,
            "owner_unit_id": None
            if owner
            else rng.choice([unit, *t.hierarchy.children.get(unit.pk, [])]).pk,
            "due_date": day + datetime.timedelta(days=rng.randint(10, 45)),
            "raised_by_id": chair.pk,
            "raised_at_meeting_id": meeting.pk if at_meeting else None,
            "created_at": raised_at,
            "status": ActionStatus.OPEN,
            "outcome": "",
            "closed_by_id": None,
            "closed_at": None,
            "closed_at_meeting_id": None,
        }
        if closed_index is not None:
            closing = sittings[closed_index]
            row |= {
                "status": ActionStatus.CLOSED,
                "outcome": rng.choice(OUTCOMES),
                "closed_by_id": closing.chair_id,
                "closed_at": closing.opened_at + datetime.timedelta(minutes=rng.randint(5, 90)),
                "closed_at_meeting_id": closing.pk,
                "rag": Rag.GREEN,
            }
        elif row["due_date"] < t.today:
            row["rag"] = rng.choice((Rag.RED, Rag.AMBER))
        else:
            row["rag"] = rng.choice(Rag.values)
        return ActionPlan(row, index, closed_index)

    def _bench_owner(self, plans: list[ActionPlan]) -> None:
        """The bench member owns about fifty of the bench BCU's actions, open and closed."""
        member = self.t.hierarchy.bench.get(BENCH_MEMBER)
        if member is None:
            return
        readable = [p for p in plans if member.may_read(p.row["marking"])]
        open_ = [p for p in readable if p.closed_index is None]
        closed = [p for p in readable if p.closed_index is not None]
        chosen = self.rng.sample(open_, min(len(open_), 20))
        chosen += self.rng.sample(closed, min(len(closed), 50 - len(chosen)))
        for plan in chosen:
            plan.row["owner_user_id"], plan.row["owner_unit_id"] = member.pk, None

    def _updates(self, plan: ActionPlan) -> list[dict]:
        """The owner's progress updates (a unit's: its chair's), in date order; the action's
        version counts every change and its RAG follows the last update while open."""
        rng, t = self.rng, self.t
        row = plan.row
        author = row["owner_user_id"] or row["raised_by_id"]
        end = row["closed_at"] or t.now
        updates = []
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            text, rag = rng.choice(UPDATES)
            written = row["created_at"] + (end - row["created_at"]) * rng.uniform(0.1, 0.9)
            updates.append(
                {
                    "action_id": row["id"],
                    "author_id": author,
                    "written_at": written,
                    "text": text,
                    "rag": rag,
                }
            )
        updates.sort(key=lambda u: u["written_at"])
        row["version"] = 1 + len(updates) + (1 if row["closed_at"] else 0)
        if updates and row["status"] == ActionStatus.OPEN:
            row["rag"] = updates[-1]["rag"]
        return updates

    # Decisions, commissions, escalations.

    def _item(self, meeting: Meeting, kind: str) -> dict:
        return next(item for item in self.t.agenda[meeting.pk] if item["kind"] == kind)

    def _table(self, unit: Unit) -> None:
        """A decision at every sitting; at a few closed TT&CGs, a profile commissioned or an
        issue escalated to the unit above (decided at its next TT&CG if that was held)."""
        rng, t = self.rng, self.t
        decisions, commissions, escalations = [], [], []
        parent = t.hierarchy.parent(unit)
        parent_sittings = [
            m for m in t.meetings.get(parent.pk, []) if m.kind == MeetingKind.TACTICAL
        ] if parent else []  # fmt: skip
        profiles = sorted(t.products.profiles.get(unit.pk, []), key=lambda r: r.created_at)
        for meeting in t.meetings[unit.pk]:
            if meeting.status == MeetingStatus.SCHEDULED:
                continue
            chair = t.people[meeting.chair_id]
            item_kind = (
                AgendaItemKind.TACTICAL_ASSESSMENT
                if meeting.kind == MeetingKind.TACTICAL
                else AgendaItemKind.CONTROL_STRATEGY
            )
            marking = rng.choice(
                (GSCMarking.OFFICIAL, GSCMarking.OFFICIAL, GSCMarking.OFFICIAL_SENSITIVE)
            )
            decision = {
                "meeting_id": meeting.pk,
                "agenda_item_id": self._item(meeting, item_kind)["id"],
                "text": DECISIONS[meeting.kind],
                "marking": marking if chair.may_read(marking) else GSCMarking.OFFICIAL,
                "escalation_id": None,
                "recorded_by_id": chair.pk,
                "recorded_at": meeting.opened_at + datetime.timedelta(minutes=30),
            }
            decisions.append(decision)
            t.decisions[meeting.pk].append(decision)
            if meeting.status != MeetingStatus.CLOSED or meeting.kind != MeetingKind.TACTICAL:
                continue
            if rng.random() < 0.05:
                commission = self._commission(meeting, profiles)
                if commission is not None:
                    commissions.append(commission)
            if parent_sittings and rng.random() < 0.02:
                escalations.append(self._escalation(meeting, parent, parent_sittings, decisions))
        writer = t.run.writer
        writer.write(Escalation, escalations)
        writer.write(Decision, decisions)
        writer.write(Commission, commissions)
        counts = t.built.counts
        counts["decisions"] += len(decisions)
        counts["commissions"] += len(commissions)
        counts["escalations"] += len(escalations)

    def _commission(self, meeting: Meeting, profiles: list[ProductRef]) -> dict | None:
        """A profile of the unit commissioned at this sitting: one created in the days after
        it that no other sitting commissioned."""
        for ref in profiles:
            if meeting.starts_at <= ref.created_at <= meeting.starts_at + datetime.timedelta(20):
                profiles.remove(ref)
                commission = {
                    "meeting_id": meeting.pk,
                    "agenda_item_id": self._item(meeting, AgendaItemKind.BIDS_AND_COMMISSIONS)[
                        "id"
                    ],
                    "kind": CommissionKind(ref.kind),
                    "product_id": ref.pk,
                    "commissioned_by_id": meeting.chair_id,
                    "commissioned_at": meeting.opened_at + datetime.timedelta(minutes=45),
                }
                self.t.commissions[meeting.pk].append((commission, ref))
                return commission
        return None

    def _escalation(self, meeting: Meeting, parent: Unit, parent_sittings, decisions) -> dict:
        rng, t = self.rng, self.t
        later = [m for m in parent_sittings if m.starts_at > meeting.closed_at]
        receiving = later[0] if later else None
        escalation = {
            "id": t.run.writer.ids(Escalation, 1)[0],
            "from_unit_id": meeting.unit.pk,
            "from_meeting_id": meeting.pk,
            "agenda_item_id": self._item(meeting, AgendaItemKind.ESCALATIONS)["id"],
            "to_unit_id": parent.pk,
            "receiving_meeting_id": receiving.pk if receiving else None,
            "title": f"{rng.choice(THEMES).capitalize()} reaching beyond {meeting.unit.name}",
            "reason": "The activity is directed from outside the unit: beyond its resources.",
            "marking": GSCMarking.OFFICIAL_SENSITIVE,
            "status": EscalationStatus.RAISED,
            "raised_by_id": meeting.chair_id,
            "raised_at": meeting.opened_at + datetime.timedelta(minutes=60),
            "decision_text": "",
        }
        t.escalations_raised[meeting.pk].append(escalation)
        if receiving is None or receiving.status != MeetingStatus.CLOSED:
            return escalation
        adopted = rng.random() < 0.6
        escalation |= {
            "status": EscalationStatus.ADOPTED if adopted else EscalationStatus.RETURNED,
            "decision_text": "Adopted: the unit above takes it on."
            if adopted
            else "Returned: to be dealt with locally.",
            "decided_by_id": receiving.chair_id,
            "decided_at": receiving.opened_at + datetime.timedelta(minutes=40),
            "owner_unit_id": parent.pk if adopted else meeting.unit.pk,
        }
        decision = {
            "meeting_id": receiving.pk,
            "agenda_item_id": self._item(receiving, AgendaItemKind.ESCALATIONS)["id"],
            "text": escalation["decision_text"],
            "marking": GSCMarking.OFFICIAL,
            "escalation_id": escalation["id"],
            "recorded_by_id": receiving.chair_id,
            "recorded_at": escalation["decided_at"],
        }
        decisions.append(decision)
        t.decisions[receiving.pk].append(decision)
        t.escalations_decided[receiving.pk].append(escalation)
        return escalation

    # Minutes.

    def _minutes(self, unit: Unit, sittings: list[Meeting], plans: list[ActionPlan]) -> None:
        """The minutes of each closed meeting of the unit, frozen as meeting_close freezes them:
        at a TT&CG, the actions reviewed (carried open, raised or closed there); marked at the
        highest of what they record."""
        t = self.t
        reviewed: dict[int, list[dict]] = defaultdict(list)
        for plan in plans:
            last = plan.closed_index if plan.closed_index is not None else len(sittings) - 1
            for index in range(plan.raised_index, last + 1):
                reviewed[sittings[index].pk].append(plan.row)
        rows, print_jobs = [], []
        for meeting in t.meetings[unit.pk]:
            if meeting.status != MeetingStatus.CLOSED:
                continue
            content = self._snapshot(meeting, reviewed.get(meeting.pk, []))
            marking = max(meeting.minutes_marking, content["marking"])
            content["marking"] = meeting.minutes_marking = marking
            rows.append(
                {
                    "meeting_id": meeting.pk,
                    "number": meeting.minutes_version,
                    "marking": marking,
                    "content": content,
                    "sha256": _snapshot_digest(content),
                    "frozen_by_id": meeting.chair_id,
                    "frozen_at": meeting.minutes_frozen_at,
                }
            )
        for row, pk in zip(rows, t.run.writer.ids(MinutesVersion, len(rows)), strict=True):
            row["id"] = pk
            print_jobs.append(
                {
                    "kind": MINUTES_PDF_JOB,
                    "object_id": pk,
                    "created_at": row["frozen_at"],
                    "run_after": row["frozen_at"],
                }
            )
        t.run.writer.write(MinutesVersion, rows)
        # As meeting_close asks for it: the PDF's job, for a worker (none runs while seeding).
        t.run.writer.write(Job, print_jobs)
        t.built.counts["minutes versions"] += len(rows)

    def _snapshot(self, meeting: Meeting, actions: list[dict]) -> dict:
        """As tasking.proceedings.selectors.minutes_snapshot takes it."""
        t = self.t
        people, units = t.people, t.hierarchy.by_pk
        invitees = sorted(t.invitees[meeting.pk], key=lambda i: people[i["user_id"]].sort_key)
        decisions = sorted(t.decisions[meeting.pk], key=lambda d: d["recorded_at"])
        commissions = t.commissions[meeting.pk]
        raised = t.escalations_raised[meeting.pk]
        titles = {item["id"]: item["title"] for item in t.agenda[meeting.pk]}
        markings = [GSCMarking.OFFICIAL]
        markings += [d["marking"] for d in decisions]
        markings += [ref.marking for _, ref in commissions]
        markings += [e["marking"] for e in raised]
        markings += [a["marking"] for a in actions]
        starts = timezone.localtime(meeting.starts_at)
        kind = MeetingKind(meeting.kind).label
        return {
            "title": f"Minutes of the {kind} of {meeting.unit}, {starts:%d %B %Y}",
            "unit": meeting.unit.name,
            "kind": kind,
            "starts_at": starts.isoformat(),
            "place": meeting.location,
            "chair": people[meeting.chair_id].name,
            "opened_at": meeting.opened_at.astimezone(datetime.UTC).isoformat(),
            "minutes": meeting.minutes,
            "minutes_version": meeting.minutes_version,
            "attendance": [
                {
                    "name": people[i["user_id"]].name,
                    "attendance": Attendance(i["attendance"]).label,
                    "partner": i["is_partner_attendee"],
                }
                for i in invitees
            ],
            "agenda": [
                {"position": i["position"], "title": i["title"], "notes": i["notes"]}
                for i in t.agenda[meeting.pk]
            ],
            "decisions": [
                {
                    "item": titles.get(d["agenda_item_id"], ""),
                    "text": d["text"],
                    "marking": GSCMarking(d["marking"]).label,
                }
                for d in decisions
            ],
            "commissions": [
                {
                    "kind": CommissionKind(c["kind"]).label,
                    "title": f"Product {ref.pk} (need-to-know)"
                    if ref.kind == ProductKind.SUBJECT_PROFILE
                    else ref.title,
                    "owner": people[ref.owner_id].name,
                    "marking": GSCMarking(ref.marking).label,
                }
                for c, ref in commissions
            ],
            "escalations_raised": [
                {
                    "title": e["title"],
                    "to": units[e["to_unit_id"]].name,
                    "reason": e["reason"],
                    "marking": GSCMarking(e["marking"]).label,
                }
                for e in raised
            ],
            "escalations_decided": [
                {
                    "title": e["title"],
                    "from": units[e["from_unit_id"]].name,
                    "status": EscalationStatus(e["status"]).label,
                    "decision": e["decision_text"],
                }
                for e in t.escalations_decided[meeting.pk]
            ],
            "actions": [self._action_line(a, meeting) for a in _in_log_order(actions)],
            "marking": max(markings),
        }

    def _action_line(self, action: dict, meeting: Meeting) -> dict:
        t = self.t
        closed = action["closed_at"] is not None and action["closed_at"] <= meeting.closed_at
        owner = (
            t.people[action["owner_user_id"]].name
            if action["owner_user_id"]
            else t.hierarchy.by_pk[action["owner_unit_id"]].name
        )
        return {
            "reference": action["id"],
            "description": action["description"],
            "priority": t.themes[action["priority_id"]],
            "status": (ActionStatus.CLOSED if closed else ActionStatus.OPEN).label,
            "rag": Rag(action["rag"]).label,
            "owner": owner,
            "due": action["due_date"].isoformat(),
            "marking": GSCMarking(action["marking"]).label,
        }


def _in_log_order(actions: list[dict]) -> list[dict]:
    """Open first, then by due date (tasking.actions.selectors.actions_for_meeting)."""
    return sorted(actions, key=lambda a: (a["status"] != ActionStatus.OPEN, a["due_date"], a["id"]))
