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

Each concept builds its part (tasking.<concept>.national), TaskingBuilder holding the state they
share.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from nim_portal.choices import GSCMarking, Role, UnitKind
from nim_portal.models import Unit
from nim_portal.national import (
    BENCH_CHAIR,
    Hierarchy,
    Person,
    Run,
    agency_count,
    fields_of,
)
from partners.national import PartnersBuilt
from products.national import ProductRef, ProductsBuilt, Writer
from tasking.actions.models import TacticalAction
from tasking.actions.national import ActionLogBuilder
from tasking.actions.search import refresh_action_vectors
from tasking.meetings.cadence import cadence_policies_default
from tasking.meetings.choices import MeetingKind, MeetingStatus
from tasking.meetings.models import (
    CadencePolicy,
    Meeting,
)
from tasking.meetings.national import HORIZON_DAYS, MeetingsBuilder, meetings_per_day
from tasking.meetings.search import refresh_meeting_vectors
from tasking.proceedings.national import ProceedingsBuilder
from tasking.strategy.models import (
    ControlStrategy,
)
from tasking.strategy.morile import morile_matrix_default
from tasking.strategy.national import StrategiesBuilder, StrategyPlan
from tasking.strategy.search import refresh_strategy_vectors


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


def history_start(today: datetime.date, size: NationalSize) -> datetime.date:
    """The first day of the dataset: far enough back for `size.meetings` meetings on the
    default cadence (every unit, both kinds, up to the horizon ahead)."""
    units = {
        UnitKind.NATIONAL: 1 + agency_count(size.regions),
        UnitKind.REGION: size.regions,
        UnitKind.FORCE: size.forces,
        UnitKind.BCU: size.bcus,
    }
    per_day = sum(
        count * meetings_per_day(kind, meeting_kind)
        for kind, count in units.items()
        for meeting_kind in MeetingKind.values
    )
    days = size.meetings / per_day - HORIZON_DAYS
    return today - datetime.timedelta(days=max(int(days), 60))


@dataclass
class TaskingBuilt:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    bench_meeting: Meeting | None = None


class TaskingBuilder(StrategiesBuilder, MeetingsBuilder, ActionLogBuilder, ProceedingsBuilder):
    """The national dataset's tasking, concept by concept (each a part of its package's national
    module), over the state they share."""

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
    builder.write_sittings(actions)
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
