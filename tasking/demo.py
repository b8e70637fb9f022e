"""Demo tasking for `manage.py seed_demo_tasking`: control strategies with ranked, scored priorities
and approved intelligence requirements for West Midlands Police and two of its BCUs (Birmingham
East and Birmingham West), their past and upcoming ST&CG and TT&CG meetings, the past ones held
with their minutes, and Birmingham East's action log with actions in every state.

Everything goes through the services, as the demo people would do it: the force strategy is set by
the force's ST&CG chair, each BCU's by its own chair, informed by a published strategic assessment
each can read (the force's own; for the BCUs, one of their own, built here through the products
services, since a BCU's people do not read the force's products). The meetings come from the
cadence: the past sittings of the demo units are created for their past cadence slots, the
upcoming ones of every unit by the schedule itself, as Celery beat would. Each past sitting is
then held by its chair (attendance, a decision, minutes, closed with its minutes frozen and
printed); at Birmingham East's, actions are raised, updated by their owners and closed, a problem
profile is commissioned and an issue escalated to the force. Birmingham East's next TT&CG is moved
to later today, ready for the demo `chair` to open on screen.

What is present is left as it is (a person by username, a product or strategy by title in its
unit, a meeting by its cadence slot, a meeting held once it is no longer scheduled): running the
seed again creates nothing. Run after `seed_demo`, `seed_demo_products` and `seed_demo_partners`.
"""

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role, UnitKind, VettingLevel
from nim_portal.demo.seed import demo_password
from nim_portal.models import Unit, User
from nim_portal.services import user_create
from partners.models import AgencyMembership
from products import services as product_services
from products.choices import ProductKind
from products.demo import BCU, FORCE, STRATEGIC_TITLE
from products.models import Product, ProductVersion
from tasking.actions import services as action_services
from tasking.actions.choices import ActionType, Rag
from tasking.actions.models import TacticalAction
from tasking.meetings import cadence
from tasking.meetings import services as meeting_services
from tasking.meetings.choices import AgendaItemKind, Attendance, MeetingKind, MeetingStatus
from tasking.meetings.models import AgendaItem, CadencePolicy, Meeting, MeetingInvitee
from tasking.proceedings import escalations
from tasking.proceedings import services as proceedings
from tasking.proceedings.choices import CommissionKind, EscalationStatus
from tasking.proceedings.models import Escalation
from tasking.proceedings.partner_attendees import partner_attendee_invite
from tasking.strategy import requirement
from tasking.strategy import services as strategy_services
from tasking.strategy.choices import ControlStrategyStatus, MoRiLEDimension
from tasking.strategy.models import ControlStrategy, Priority

WEST_BCU = "WMP-BW"
DEMO_USERNAMES = ("admin", "analyst", "reviewer", "chair", "member", "partner")
# Past sittings created for each demo unit, by meeting kind.
PAST_SITTINGS = {MeetingKind.TACTICAL: 3, MeetingKind.STRATEGIC: 1}
# When Birmingham East's TT&CG sits today (or the next hour, seeded later in the day).
TTCG_TODAY_AT = datetime.time(11, 0)
TTCG_TODAY_PLACE = "Stechford police station, briefing room 2"


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoCast:
    admin: User
    analyst: User
    reviewer: User
    chair: User
    member: User
    partner: User
    force: Unit
    bcu: Unit
    west: Unit

    def unit(self, code: str) -> Unit:
        return {FORCE: self.force, BCU: self.bcu, WEST_BCU: self.west}[code]


def _cast() -> DemoCast:
    people = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    units = {
        unit.code: unit
        for unit in Unit.objects.filter(kind=UnitKind.FORCE, code=FORCE)
        | Unit.objects.filter(kind=UnitKind.BCU, code__in=(BCU, WEST_BCU))
    }
    missing = [name for name in DEMO_USERNAMES if name not in people] + [
        code for code in (FORCE, BCU, WEST_BCU) if code not in units
    ]
    if missing:
        raise ValidationError(
            f"The demo hierarchy and people are missing ({', '.join(missing)}): "
            "run `manage.py seed_demo` first."
        )
    if not Product.objects.filter(unit=units[FORCE], title=STRATEGIC_TITLE).exists():
        raise ValidationError(
            "The demo strategic assessment is missing: run `manage.py seed_demo_products` first."
        )
    return DemoCast(
        **{name: people[name] for name in DEMO_USERNAMES},
        force=units[FORCE],
        bcu=units[BCU],
        west=units[WEST_BCU],
    )


# The chairs of the force's and Birmingham West's T&CGs (the demo `chair` chairs Birmingham East),
# and Birmingham East's own analyst, who develops the tactical assessment before each of its TT&CGs
# (the schedule commissions it from an analyst of the unit itself).


@dataclass(frozen=True)
class DemoPerson:
    username: str
    unit_code: str
    first_name: str
    last_name: str
    job_title: str
    role: str = Role.CHAIR
    vetting_level: str = VettingLevel.MV


FORCE_CHAIR = DemoPerson(
    "forcechair", FORCE, "James", "Adeyemi", "Assistant Chief Constable, force ST&CG chair"
)
WEST_CHAIR = DemoPerson(
    "westchair", WEST_BCU, "Nadia", "Rahman", "Chief Inspector, Birmingham West TT&CG chair"
)
EAST_ANALYST = DemoPerson(
    "eastanalyst",
    BCU,
    "Tom",
    "Okafor",
    "Intelligence analyst, Birmingham East",
    role=Role.ANALYST,
    vetting_level=VettingLevel.SC,
)


def _person(cast: DemoCast, demo: DemoPerson, result: DemoResult) -> User:
    user = User.objects.filter(username__iexact=demo.username).first()
    if user is not None:
        result.present.append(f"person: {demo.username}")
        return user
    user = user_create(
        acting_user=cast.admin,
        unit=cast.unit(demo.unit_code),
        role=demo.role,
        username=demo.username,
        password=demo_password(),
        first_name=demo.first_name,
        last_name=demo.last_name,
        email=f"{demo.first_name}.{demo.last_name}@wmp.police.example".lower(),
        job_title=demo.job_title,
        vetting_level=demo.vetting_level,
    )
    result.created.append(f"person: {demo.username}")
    return user


# The BCUs' strategic assessments (short: they build on the force's).


@dataclass(frozen=True)
class DemoAssessment:
    unit_code: str
    title: str
    requester: str  # username of the BCU chair who asked for it
    sections: dict[str, str]


BCU_ASSESSMENTS = (
    DemoAssessment(
        BCU,
        "Birmingham East strategic assessment 2026 to 2027",
        "chair",
        {
            "Aim, scope and methodology": (
                "Informs the Birmingham East ST&CG's control strategy for 2026 to 2027. Builds on "
                "the force strategic assessment; twelve months of local crime, intelligence and "
                "partner data; threats ranked with MoRiLE."
            ),
            "Current picture": (
                "Residential burglary rose 14% (Stechford, Shard End, Yardley North), with keys "
                "taken to steal cars. Two county lines run from Hodge Hill into Shropshire and "
                "recruit children from local schools. Knife-enabled offences among under-25s rose "
                "near the Alum Rock Road shops and the Washwood Heath transport hub."
            ),
            "Ranked threats": (
                "1. County lines and child criminal exploitation. 2. Serious youth violence. "
                "3. Residential burglary. 4. Anti-social behaviour and street dealing."
            ),
            "Intelligence gaps": (
                "Who recruits the children; where stolen vehicles are stored; which places and "
                "times drive the youth violence."
            ),
        },
    ),
    DemoAssessment(
        WEST_BCU,
        "Birmingham West strategic assessment 2026 to 2027",
        "westchair",
        {
            "Aim, scope and methodology": (
                "Informs the Birmingham West ST&CG's control strategy for 2026 to 2027, from the "
                "force strategic assessment and twelve months of local data."
            ),
            "Current picture": (
                "The night-time economy around Broad Street drives violence and drink-spiking "
                "reports; robbery of phones and watches rose 18% in the city centre; two "
                "organised groups compete over cannabis supply in Ladywood."
            ),
            "Ranked threats": (
                "1. Violence in the night-time economy. 2. Personal robbery. "
                "3. Organised cannabis supply."
            ),
            "Intelligence gaps": (
                "Where stolen phones are sold on; who finances the cannabis farms."
            ),
        },
    ),
)


def _bcu_assessment(cast: DemoCast, demo: DemoAssessment, result: DemoResult) -> ProductVersion:
    unit = cast.unit(demo.unit_code)
    product = Product.objects.filter(unit=unit, title=demo.title).first()
    if product is not None:
        result.present.append(f"assessment: {demo.title}")
        return product.versions.order_by("-number").first()
    requester = User.objects.get(username=demo.requester)
    product = product_services.product_commission(
        acting_user=requester,
        unit=unit,
        kind=ProductKind.STRATEGIC_ASSESSMENT,
        title=demo.title,
        owner=cast.analyst,
        requester=requester,
        marking=GSCMarking.OFFICIAL_SENSITIVE,
        due_date=timezone.localdate() - datetime.timedelta(days=150),
    )
    product_services.tor_update(
        acting_user=requester,
        terms=product.terms,
        purpose=f"Inform the {unit} ST&CG's control strategy and intelligence requirement.",
        questions="What are the main local threats for the coming year, ranked by harm?",
        scope=f"{unit}; the last twelve months; forecasts for the next twelve.",
    )
    for party in (product.terms.developer, product.terms.requester):
        product_services.tor_agree(acting_user=party, terms=product.terms)
    sections = {section.title: section for section in product.sections.all()}
    for title, body in demo.sections.items():
        section = sections[title]
        product_services.section_update(
            acting_user=cast.analyst, section=section, loaded_revision=section.revision, body=body
        )
    product_services.product_submit(acting_user=cast.analyst, product=product)
    product_services.product_approve(acting_user=cast.reviewer, product=product)
    result.created.append(f"assessment: {demo.title}")
    return product.versions.get()


# Control strategies, priorities and intelligence requirements.


def _scores(*values: int) -> dict[str, int]:
    """MoRiLE scores in the order of MoRiLEDimension (harms, likelihood … capability)."""
    return dict(zip(MoRiLEDimension.values, values, strict=True))


@dataclass(frozen=True)
class DemoPriority:
    theme: str
    rationale: str
    owner: str  # username
    scores: dict[str, int]
    objectives: dict[str, str] = field(default_factory=dict)
    four_p: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoItem:
    theme: str  # of the priority it serves
    question: str
    owner: str  # username
    sources: str
    review_days: int
    open_to_partners: bool = False
    closing_note: str = ""


@dataclass(frozen=True)
class DemoStrategy:
    unit_code: str
    title: str
    chair: str  # username of the chair who drafts and records the ST&CG's approval
    period_start: datetime.date
    period_end: datetime.date
    priorities: tuple[DemoPriority, ...]
    items: tuple[DemoItem, ...]
    # (theme, rank, reason) of the chair's override of the score order.
    override: tuple[str, int, str] | None = None


COUNTY_LINES = "County lines and child criminal exploitation"
YOUTH_VIOLENCE = "Serious youth violence"
DOMESTIC_ABUSE = "High-risk domestic abuse"
BURGLARY = "Residential burglary"
STREET_DEALING = "Anti-social behaviour and street dealing"
NIGHT_TIME = "Violence in the night-time economy"
ROBBERY = "Personal robbery"
CANNABIS = "Organised cannabis supply"

COUNTY_LINES_PRIORITY = DemoPriority(
    COUNTY_LINES,
    "Ranked first in the strategic assessment: 44 lines run from the force area and recruit "
    "children; violence follows each change of control.",
    "reviewer",
    _scores(4, 4, 2, 3, 4, 4, 4, 3, 2, 2),
    objectives={
        "objective_intelligence": "Map the command of the two consolidating supply groups.",
        "objective_prevention": "Identify and safeguard the children the lines exploit.",
        "objective_enforcement": "Disrupt the lines at the top, not only the runners.",
        "objective_reassurance": "Tell the affected neighbourhoods what has been done.",
    },
    four_p={
        "plan_pursue": "Operation Harrier against the two groups' controllers.",
        "plan_prevent": "Schools and youth services divert children at risk of recruitment.",
        "plan_protect": "Cuckooed addresses identified and their occupants protected.",
        "plan_prepare": "Plans for the violence expected when a line changes hands.",
    },
)

START = datetime.date(2026, 7, 1)
END = datetime.date(2027, 6, 30)

DEMO_STRATEGIES = (
    DemoStrategy(
        FORCE,
        "West Midlands Police control strategy 2026 to 2027",
        FORCE_CHAIR.username,
        START,
        END,
        priorities=(
            COUNTY_LINES_PRIORITY,
            DemoPriority(
                YOUTH_VIOLENCE,
                "Knife-enabled offences among under-25s rose 6%, half near schools and hubs.",
                "analyst",
                _scores(4, 3, 1, 3, 2, 4, 4, 3, 2, 3),
                objectives={
                    "objective_prevention": "Violence reduction unit's work in the hotspots.",
                    "objective_enforcement": "Weapons sweeps and stop and search by intelligence.",
                },
            ),
            DemoPriority(
                DOMESTIC_ABUSE,
                "Stable in volume, the highest harm to individual victims.",
                FORCE_CHAIR.username,
                _scores(4, 4, 2, 1, 1, 4, 4, 3, 3, 3),
                objectives={"objective_prevention": "MARAC referrals within 48 hours."},
            ),
            DemoPriority(
                BURGLARY,
                "Up 9%, concentrated in east Birmingham, with keys taken to steal cars.",
                "analyst",
                _scores(2, 3, 3, 2, 2, 4, 2, 4, 3, 3),
            ),
        ),
        items=(
            DemoItem(
                COUNTY_LINES,
                "Who controls the two consolidating supply groups above the runners?",
                "analyst",
                "Covert sources; communications data; the ROCU's tasking.",
                60,
            ),
            DemoItem(
                COUNTY_LINES,
                "Which addresses are being cuckooed, and who lives there?",
                "reviewer",
                "Neighbourhood teams; housing providers; the council's community safety team.",
                45,
                open_to_partners=True,
            ),
            DemoItem(
                YOUTH_VIOLENCE,
                "Where and when are young people carrying knives near schools and hubs?",
                "analyst",
                "Schools' safeguarding leads; transport police; youth services.",
                30,
                open_to_partners=True,
            ),
            DemoItem(
                BURGLARY,
                "How do stolen vehicles leave the force area?",
                "analyst",
                "ANPR; the ROCU's vehicle crime desk.",
                30,
                closing_note=(
                    "Answered by the ROCU's vehicle crime desk: containers through a south-east "
                    "port; taken into the burglary problem profile."
                ),
            ),
        ),
        override=(
            DOMESTIC_ABUSE,
            2,
            "Harm to individual victims outweighs volume: the ST&CG placed it second.",
        ),
    ),
    DemoStrategy(
        BCU,
        "Birmingham East control strategy 2026 to 2027",
        "chair",
        START,
        END,
        priorities=(
            dataclasses.replace(
                COUNTY_LINES_PRIORITY,
                rationale="Two lines run from Hodge Hill into Shropshire and recruit children "
                "from local schools.",
                owner="analyst",
                scores=_scores(4, 4, 2, 3, 3, 4, 4, 3, 2, 2),
            ),
            DemoPriority(
                YOUTH_VIOLENCE,
                "Knife-enabled offences near the Alum Rock Road shops and Washwood Heath.",
                "member",
                _scores(4, 3, 1, 3, 1, 4, 4, 3, 3, 3),
                objectives={
                    "objective_prevention": "Detached youth work at the hotspot after school.",
                    "objective_reassurance": "Visible patrols at the shops from 15:00 to 17:00.",
                },
            ),
            DemoPriority(
                BURGLARY,
                "Up 14%: the Stechford and Shard End series, keys taken to steal cars.",
                "member",
                _scores(2, 3, 3, 2, 1, 4, 2, 4, 3, 3),
                objectives={
                    "objective_enforcement": "Target the group behind the Stechford series.",
                    "objective_prevention": "Key-safe advice to owners of high-value cars.",
                },
            ),
            DemoPriority(
                STREET_DEALING,
                "Complaints about dealing and anti-social behaviour on Alum Rock Road doubled.",
                "chair",
                _scores(1, 2, 1, 3, 1, 4, 2, 3, 3, 3),
            ),
        ),
        items=(
            DemoItem(
                COUNTY_LINES,
                "Who recruits children from the two Hodge Hill schools to run lines?",
                "analyst",
                "The child criminal exploitation team; schools' designated safeguarding leads.",
                28,
            ),
            DemoItem(
                BURGLARY,
                "Where are the stolen cars stored after the Stechford burglaries?",
                "member",
                "ANPR; neighbourhood team; the council's CCTV.",
                21,
                open_to_partners=True,
            ),
            DemoItem(
                STREET_DEALING,
                "Which places and times on Alum Rock Road draw the dealing and complaints?",
                "member",
                "Council anti-social behaviour reports; shopkeepers; neighbourhood team.",
                35,
                open_to_partners=True,
            ),
            DemoItem(
                YOUTH_VIOLENCE,
                "Is the robbery hotspot at the Alum Rock Road shops linked to a local group?",
                "member",
                "Neighbourhood team; school liaison officers.",
                14,
                closing_note=(
                    "Two arrests in October; no group link found. The hotspot has cooled: "
                    "closed, to be reopened if offences rise again."
                ),
            ),
        ),
        override=(
            BURGLARY,
            2,
            "Community confidence: burglary is residents' first concern at every ward meeting.",
        ),
    ),
    DemoStrategy(
        WEST_BCU,
        "Birmingham West control strategy 2026 to 2027",
        WEST_CHAIR.username,
        START,
        END,
        priorities=(
            DemoPriority(
                NIGHT_TIME,
                "Violence and drink-spiking reports around Broad Street at weekends.",
                WEST_CHAIR.username,
                _scores(3, 3, 1, 3, 1, 4, 3, 3, 3, 3),
            ),
            DemoPriority(
                ROBBERY,
                "Robbery of phones and watches rose 18% in the city centre.",
                "analyst",
                _scores(2, 3, 2, 2, 1, 4, 2, 3, 3, 3),
            ),
            DemoPriority(
                CANNABIS,
                "Two organised groups compete over cannabis supply in Ladywood.",
                "analyst",
                _scores(2, 1, 2, 3, 2, 3, 2, 2, 2, 2),
                four_p={"plan_pursue": "Warrants at the farms that finance both groups."},
            ),
        ),
        items=(
            DemoItem(
                ROBBERY,
                "Where are the stolen phones and watches sold on?",
                "analyst",
                "Second-hand dealers' registers; online marketplaces.",
                30,
            ),
            DemoItem(
                NIGHT_TIME,
                "Which venues and hours see the drink-spiking reports?",
                WEST_CHAIR.username,
                "Licensing; venue staff; street pastors.",
                21,
                open_to_partners=True,
            ),
        ),
    ),
)


def _organised(priority: DemoPriority) -> dict:
    return {"organised_crime": True, **priority.four_p} if priority.four_p else {}


def _strategy(
    demo: DemoStrategy, version: ProductVersion, people: dict[str, User], cast: DemoCast
) -> ControlStrategy:
    chair = people[demo.chair]
    strategy = strategy_services.control_strategy_draft(
        acting_user=chair,
        unit=cast.unit(demo.unit_code),
        title=demo.title,
        period_start=demo.period_start,
        period_end=demo.period_end,
        informed_by=version,
    )
    priorities = {}
    for priority in demo.priorities:
        priorities[priority.theme] = strategy_services.priority_add(
            acting_user=chair,
            strategy=strategy,
            theme=priority.theme,
            rationale=priority.rationale,
            owner=people[priority.owner],
            scores=priority.scores,
            **priority.objectives,
            **_organised(priority),
        )
    if demo.override is not None:
        theme, rank, reason = demo.override
        strategy_services.priority_override_rank(
            acting_user=chair, priority=priorities[theme], rank=rank, reason=reason
        )
    strategy_services.control_strategy_approve(acting_user=chair, strategy=strategy)
    today = timezone.localdate()
    items = []
    for item in demo.items:
        items.append(
            requirement.ir_item_add(
                acting_user=chair,
                priority=priorities[item.theme],
                question=item.question,
                owner=people[item.owner],
                review_date=today + datetime.timedelta(days=item.review_days),
                sources_to_task=item.sources,
                open_to_partners=item.open_to_partners,
            )
        )
    requirement.intelligence_requirement_approve(acting_user=chair, strategy=strategy)
    for demo_item, item in zip(demo.items, items, strict=True):
        if demo_item.closing_note:
            requirement.ir_item_close(
                acting_user=people[demo_item.owner], item=item, note=demo_item.closing_note
            )
    return strategy


def _informing_versions(cast: DemoCast, result: DemoResult) -> dict[str, ProductVersion]:
    force_assessment = Product.objects.get(unit=cast.force, title=STRATEGIC_TITLE)
    versions = {FORCE: force_assessment.versions.order_by("-number").first()}
    for demo in BCU_ASSESSMENTS:
        with transaction.atomic():
            versions[demo.unit_code] = _bcu_assessment(cast, demo, result)
    return versions


# Meetings.


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
    for unit in (cast.force, cast.bcu, cast.west):
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


def _partner_at_the_force_stcg(cast: DemoCast, result: DemoResult) -> None:
    """The demo partner is invited to the force's next ST&CG (partners attend the strategic)."""
    meeting = (
        Meeting.objects.filter(
            unit=cast.force, kind=MeetingKind.STRATEGIC, starts_at__gt=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )
    if meeting is None or not AgencyMembership.objects.filter(user=cast.partner).exists():
        return
    if MeetingInvitee.objects.filter(meeting=meeting, user=cast.partner).exists():
        result.present.append(f"partner invited to {meeting}")
        return
    partner_attendee_invite(acting_user=meeting.chair, meeting=meeting, partner_user=cast.partner)
    result.created.append(f"partner invited to {meeting}")


# What the past sittings did: attendance, decisions, actions, commissions, escalations, minutes.


@dataclass(frozen=True)
class DemoUpdate:
    author: str  # username
    text: str
    rag: str


@dataclass(frozen=True)
class DemoAction:
    theme: str  # of the Birmingham East priority it serves
    action_type: str
    description: str
    raised_at: int  # which past TT&CG of Birmingham East raised it (0 the oldest)
    due_days: int  # from the day the demo is seeded: negative when due before
    owner: str = ""  # username of the owning person
    owner_unit: str = ""  # or the code of the owning unit
    # Progress updates, each written before the sitting of its index.
    updates: tuple[tuple[int, DemoUpdate], ...] = ()
    closed_at: int | None = None  # the sitting that closed it
    outcome: str = ""


DEMO_ACTIONS = (
    DemoAction(
        BURGLARY,
        ActionType.PREVENTION,
        "Visit the owners of high-value cars in Stechford and Shard End with key-safe advice.",
        raised_at=0,
        due_days=-10,
        owner="member",
        updates=((1, DemoUpdate("member", "120 of the 300 owners visited.", Rag.AMBER)),),
        closed_at=2,
        outcome="All 300 owners visited; no repeat burglary at a visited address since.",
    ),
    DemoAction(
        STREET_DEALING,
        ActionType.ENFORCEMENT,
        "Test purchases on Alum Rock Road to evidence the street dealing.",
        raised_at=0,
        due_days=-20,
        owner="member",
        closed_at=1,
        outcome="Four test purchases; two dealers charged and remanded.",
    ),
    DemoAction(
        COUNTY_LINES,
        ActionType.ENFORCEMENT,
        "Warrant at the address on Coleshill Road suspected of being cuckooed by the Hodge Hill "
        "line.",
        raised_at=0,
        due_days=-6,
        owner="member",
        updates=(
            (
                1,
                DemoUpdate(
                    "member", "Magistrate's warrant granted; waiting for a search team.", Rag.AMBER
                ),
            ),
            (2, DemoUpdate("member", "Search team not available before the due date.", Rag.RED)),
        ),
    ),
    DemoAction(
        BURGLARY,
        ActionType.INTELLIGENCE,
        "Analyse ANPR hits around the Tyseley industrial estate to find where the stolen cars "
        "are stored.",
        raised_at=1,
        due_days=12,
        owner=EAST_ANALYST.username,
        updates=(
            (
                2,
                DemoUpdate(
                    EAST_ANALYST.username, "Three units on Redfern Road stand out.", Rag.GREEN
                ),
            ),
        ),
    ),
    DemoAction(
        YOUTH_VIOLENCE,
        ActionType.PREVENTION,
        "Detached youth work at the Alum Rock Road shops three afternoons a week after school.",
        raised_at=1,
        due_days=21,
        owner_unit=BCU,
        updates=(
            (
                2,
                DemoUpdate(
                    "chair", "The youth service has staff for two afternoons only.", Rag.AMBER
                ),
            ),
        ),
    ),
    DemoAction(
        COUNTY_LINES,
        ActionType.PREVENTION,
        "Safeguarding referrals for the four children seen running the Hodge Hill lines.",
        raised_at=1,
        due_days=4,
        owner="chair",
        updates=(
            (
                2,
                DemoUpdate(
                    "chair", "Two referrals made; children's services have a backlog.", Rag.RED
                ),
            ),
        ),
    ),
    DemoAction(
        STREET_DEALING,
        ActionType.REASSURANCE,
        "Tell the Alum Rock ward meeting what the test purchases led to.",
        raised_at=2,
        due_days=16,
        owner="member",
    ),
)

# Birmingham East's profile commissioned, and issue escalated to the force, at its last sitting.
DEMO_COMMISSION_TITLE = "Problem profile: storage and export of cars stolen in Stechford burglaries"
DEMO_ESCALATION_TITLE = "Controllers of the Hodge Hill county lines outside Birmingham East"
# Birmingham West's escalation, adopted by the force's TT&CG of the same day.
DEMO_ADOPTED_TITLE = "Cannabis supply groups working across both Birmingham BCUs"


@dataclass(frozen=True)
class DemoSitting:
    decision: str
    minutes: str


TTCG_SITTINGS = (
    DemoSitting(
        "Burglary series in Stechford and Shard End adopted as the BCU's first tactical concern.",
        "The tactical assessment set out the Stechford burglary series and the Hodge Hill lines. "
        "Actions raised against the burglary, county lines and street dealing priorities.",
    ),
    DemoSitting(
        "Youth violence at the Alum Rock Road shops to be tackled by prevention first.",
        "The action log was reviewed; the test purchase action closed with two dealers charged. "
        "New actions raised on youth violence, stolen-car storage and safeguarding.",
    ),
    DemoSitting(
        "The storage of stolen cars to be understood before any enforcement.",
        "The key-safe visits closed. The warrant is overdue for want of a search team. "
        "A problem profile commissioned on the storage and export of stolen cars; the county "
        "lines controllers escalated to the force T&CG.",
    ),
)
STCG_SITTING = DemoSitting(
    "The control strategy and intelligence requirement for 2026 to 2027 approved as presented.",
    "The strategic assessment presented and discussed; priorities ranked with MoRiLE, the chair's "
    "override recorded; the intelligence requirement approved.",
)
OTHER_TTCG_SITTING = DemoSitting(
    "The tactical assessment's recommendations accepted.",
    "The tactical assessment presented; the action log reviewed; no new escalations.",
)


def _item(meeting: Meeting, kind: str) -> AgendaItem | None:
    return meeting.agenda_items.filter(kind=kind).first()


def _action_raise(demo: DemoAction, meeting: Meeting, people: dict, cast: DemoCast):
    priority = Priority.objects.get(
        control_strategy__unit=cast.bcu,
        control_strategy__status=ControlStrategyStatus.APPROVED,
        theme=demo.theme,
    )
    return action_services.action_raise(
        acting_user=meeting.chair,
        unit=cast.bcu,
        priority=priority,
        action_type=demo.action_type,
        description=demo.description,
        owner_user=people[demo.owner] if demo.owner else None,
        owner_unit=cast.unit(demo.owner_unit) if demo.owner_unit else None,
        due_date=timezone.localdate() + datetime.timedelta(days=demo.due_days),
        meeting=meeting,
    )


def _actions_at(index: int, meeting: Meeting, people: dict, cast: DemoCast) -> None:
    """Birmingham East's action log at its past sitting `index`: owners' updates written before
    it, the actions it closed, then those it raised."""
    actions = {
        action.description: action
        for action in TacticalAction.objects.filter(unit=cast.bcu, raised_at_meeting__isnull=False)
    }
    for demo in DEMO_ACTIONS:
        action = actions.get(demo.description)
        for before, update in demo.updates:
            if before == index:
                action = action_services.action_update_add(
                    acting_user=people[update.author],
                    action=action,
                    text=update.text,
                    rag=update.rag,
                    expected_version=action.version,
                )
        if demo.closed_at == index:
            action_services.action_close(
                acting_user=meeting.chair,
                action=action,
                outcome=demo.outcome,
                meeting=meeting,
                expected_version=action.version,
            )
    for demo in DEMO_ACTIONS:
        if demo.raised_at == index:
            _action_raise(demo, meeting, people, cast)


def _sit(meeting: Meeting, sitting: DemoSitting, business=None) -> None:
    """Hold a past meeting: open it, take attendance, record its decision and the `business` of
    the day, write the minutes and close it (freezing them; Celery prints the PDF)."""
    chair = meeting.chair
    meeting = proceedings.meeting_open(acting_user=chair, meeting=meeting)
    for number, invitee in enumerate(meeting.invitees.order_by("user__username")):
        # One invitee sends apologies to every other sitting.
        absent = number == 1 and meeting.starts_at.toordinal() % 2 == 1
        attendance = Attendance.APOLOGIES if absent else Attendance.PRESENT
        proceedings.attendance_record(
            acting_user=chair, meeting=meeting, invitee=invitee, attendance=attendance
        )
    kind = (
        AgendaItemKind.TACTICAL_ASSESSMENT
        if meeting.kind == MeetingKind.TACTICAL
        else AgendaItemKind.CONTROL_STRATEGY
    )
    proceedings.decision_record(
        acting_user=chair, meeting=meeting, agenda_item=_item(meeting, kind), text=sitting.decision
    )
    if business is not None:
        business(meeting)
    meeting = Meeting.objects.get(pk=meeting.pk)
    proceedings.minutes_save(
        acting_user=chair,
        meeting=meeting,
        text=sitting.minutes,
        expected_version=meeting.minutes_version,
    )
    proceedings.meeting_close(acting_user=chair, meeting=meeting)


def _east_business(index: int, people: dict, cast: DemoCast):
    def business(meeting: Meeting) -> None:
        _actions_at(index, meeting, people, cast)
        if index != len(TTCG_SITTINGS) - 1:
            return
        proceedings.profile_commission(
            acting_user=meeting.chair,
            meeting=meeting,
            kind=CommissionKind.PROBLEM_PROFILE,
            title=DEMO_COMMISSION_TITLE,
            owner=people[EAST_ANALYST.username],
            agenda_item=_item(meeting, AgendaItemKind.BIDS_AND_COMMISSIONS),
            purpose="Show where cars stolen in the Stechford burglaries are kept and how they "
            "leave the force area, to target the enforcement.",
        )
        escalations.escalation_raise(
            acting_user=meeting.chair,
            meeting=meeting,
            title=DEMO_ESCALATION_TITLE,
            reason="The lines are run from Wolverhampton and into Shropshire: their controllers "
            "are beyond Birmingham East's resources and reach.",
            agenda_item=_item(meeting, AgendaItemKind.ESCALATIONS),
        )

    return business


def _west_business(meeting: Meeting) -> None:
    escalations.escalation_raise(
        acting_user=meeting.chair,
        meeting=meeting,
        title=DEMO_ADOPTED_TITLE,
        reason="The two groups supply both Birmingham BCUs: one BCU alone cannot disrupt them.",
        agenda_item=_item(meeting, AgendaItemKind.ESCALATIONS),
    )


def _force_business(meeting: Meeting) -> None:
    for escalation in Escalation.objects.filter(
        receiving_meeting=meeting, status=EscalationStatus.RAISED
    ):
        escalations.escalation_adopt(
            acting_user=meeting.chair,
            escalation=escalation,
            decision_text="Adopted: Operation Harrier's team takes both groups on; the BCUs keep "
            "feeding intelligence.",
        )


def _hold_past_meetings(cast: DemoCast, people: dict, result: DemoResult) -> None:
    """Each past meeting of the demo units held and closed, in date order. Birmingham East's
    first TT&CGs tell the story of its action log; on the day of the last of them, Birmingham
    West's TT&CG sits before the force's (which adopts its escalation) and Birmingham East's after
    it (its escalation waits for the force's next TT&CG)."""
    order = {cast.west.pk: 0, cast.force.pk: 1, cast.bcu.pk: 2}
    past = sorted(
        Meeting.objects.filter(unit__in=list(order), starts_at__lt=timezone.now()).select_related(
            "unit", "chair"
        ),
        key=lambda m: (m.starts_at, order[m.unit_id]),
    )
    east = [m for m in past if m.unit_id == cast.bcu.pk and m.kind == MeetingKind.TACTICAL]
    story = {m.pk: index for index, m in enumerate(east[: len(TTCG_SITTINGS)])}
    escalation_day = east[len(TTCG_SITTINGS) - 1].starts_at
    for meeting in past:
        if meeting.status != MeetingStatus.SCHEDULED:
            result.present.append(f"held: {meeting}")
            continue
        sitting, business = STCG_SITTING, None
        if meeting.kind == MeetingKind.TACTICAL:
            sitting = OTHER_TTCG_SITTING
            if meeting.pk in story:
                index = story[meeting.pk]
                sitting, business = TTCG_SITTINGS[index], _east_business(index, people, cast)
            elif meeting.unit_id == cast.force.pk:
                business = _force_business
            elif meeting.starts_at == escalation_day:
                business = _west_business
        with transaction.atomic():
            _sit(meeting, sitting, business)
        result.created.append(f"held: {meeting}")


def _ttcg_today(cast: DemoCast, result: DemoResult) -> Meeting:
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


def seed_demo_tasking() -> DemoResult:
    """Create the demo tasking that is missing (each strategy and meeting whole or not at all)."""
    cast = _cast()
    result = DemoResult()
    cadence.cadence_policies_default()
    with transaction.atomic():
        added = [_person(cast, demo, result) for demo in (FORCE_CHAIR, WEST_CHAIR, EAST_ANALYST)]
    people = {user.username: user for user in (cast.analyst, cast.reviewer, cast.chair)}
    people |= {cast.member.username: cast.member, **{person.username: person for person in added}}
    versions = _informing_versions(cast, result)
    for demo in DEMO_STRATEGIES:
        unit = cast.unit(demo.unit_code)
        with transaction.atomic():
            if ControlStrategy.objects.filter(unit=unit, title=demo.title).exists():
                result.present.append(f"strategy: {demo.title}")
                continue
            _strategy(demo, versions[demo.unit_code], people, cast)
            result.created.append(f"strategy: {demo.title}")
    with transaction.atomic():
        _past_meetings(cast, result)
    # The upcoming meetings of every unit, as beat's first run would schedule them.
    scheduled = cadence.schedule_meetings()
    if scheduled.created:
        result.created.append(f"{len(scheduled.created)} upcoming meetings scheduled")
    with transaction.atomic():
        _partner_at_the_force_stcg(cast, result)
    _hold_past_meetings(cast, people, result)
    with transaction.atomic():
        _ttcg_today(cast, result)
    return result
