"""The demo's control strategies: West Midlands Police's, its two BCUs' and its neighbour
Staffordshire Police's, each informed by a published strategic assessment its chair may read (the
force's own; for the BCUs and the neighbour, one of their own, built here through the products
services, since a BCU's people do not read the force's products), its priorities scored on MoRiLE
and ranked (the force chair overriding one), its intelligence requirement's items set and an item
or two closed. They are left as drafts: the
ST&CG of each unit approves its strategy and requirement at its past sitting
(tasking.proceedings.demo), so that each approval is dated at its sitting."""

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from nim_portal.choices import GSCMarking
from nim_portal.models import User
from products import services as product_services
from products.choices import ProductKind, ReviewStandard
from products.demo import BCU, FORCE, STRATEGIC_TITLE
from products.models import Product, ProductVersion
from tasking.demo_cast import (
    FORCE_CHAIR,
    NEIGHBOUR,
    WEST_BCU,
    WEST_CHAIR,
    DemoCast,
    DemoResult,
)
from tasking.strategy import requirement
from tasking.strategy import services as strategy_services
from tasking.strategy.choices import MoRiLEDimension
from tasking.strategy.models import ControlStrategy

# The BCUs' strategic assessments (short: they build on the force's), and the neighbour's.


@dataclass(frozen=True)
class DemoAssessment:
    unit_code: str
    title: str
    requester: str  # username of the unit's chair who asked for it
    sections: dict[str, str]
    analyst: str = "analyst"  # username of who develops it
    reviewer: str = "reviewer"  # and of who approves it


UNIT_ASSESSMENTS = (
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
    DemoAssessment(
        NEIGHBOUR,
        "Staffordshire Police strategic assessment 2026 to 2027",
        "staffschair",
        {
            "Aim, scope and methodology": (
                "Informs the Staffordshire Police ST&CG's control strategy for 2026 to 2027, from "
                "twelve months of force data and the West Midlands ROCU's threat picture."
            ),
            "Current picture": (
                "Lines run from Birmingham and Wolverhampton now supply Stoke-on-Trent and "
                "Tamworth along the M6 and A5; Stoke-on-Trent's cuckooed addresses doubled. "
                "Rural theft of plant and farm machinery rose 22% in the Moorlands."
            ),
            "Ranked threats": (
                "1. Cross-border county lines. 2. Exploitation of vulnerable adults in cuckooed "
                "homes. 3. Rural and plant theft."
            ),
            "Intelligence gaps": (
                "Which West Midlands groups control the lines into Stoke-on-Trent; where the "
                "stolen plant leaves the county."
            ),
        },
        analyst="staffsanalyst",
        reviewer="staffsreviewer",
    ),
)


def _unit_assessment(cast: DemoCast, demo: DemoAssessment, result: DemoResult) -> ProductVersion:
    unit = cast.unit(demo.unit_code)
    product = Product.objects.filter(unit=unit, title=demo.title).first()
    if product is not None:
        result.present.append(f"assessment: {demo.title}")
        return product.versions.order_by("-number").first()
    requester = User.objects.get(username=demo.requester)
    analyst, reviewer = (User.objects.get(username=name) for name in (demo.analyst, demo.reviewer))
    product = product_services.product_commission(
        acting_user=requester,
        unit=unit,
        kind=ProductKind.STRATEGIC_ASSESSMENT,
        title=demo.title,
        owner=analyst,
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
            acting_user=analyst, section=section, loaded_revision=section.revision, body=body
        )
    product_services.product_submit(acting_user=analyst, product=product)
    product_services.product_approve(
        acting_user=reviewer, product=product, standards=ReviewStandard.values
    )
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
CROSS_BORDER_LINES = "Cross-border county lines"
CUCKOOING = "Exploitation of vulnerable adults (cuckooing)"
RURAL_THEFT = "Rural and plant theft"


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
    DemoStrategy(
        NEIGHBOUR,
        "Staffordshire Police control strategy 2026 to 2027",
        "staffschair",
        START,
        END,
        priorities=(
            DemoPriority(
                CROSS_BORDER_LINES,
                "Lines from Birmingham and Wolverhampton supply Stoke-on-Trent and Tamworth.",
                "staffsanalyst",
                _scores(4, 3, 2, 3, 3, 4, 3, 3, 2, 2),
                four_p={
                    "plan_pursue": "Joint warrants with West Midlands Police at the lines' bases.",
                    "plan_protect": "Cuckooed homes closed and their occupants supported.",
                },
            ),
            DemoPriority(
                CUCKOOING,
                "Cuckooed addresses in Stoke-on-Trent doubled in the year.",
                "staffsmember",
                _scores(3, 4, 1, 2, 1, 4, 3, 2, 3, 3),
                objectives={"objective_prevention": "Adult social care visits within a week."},
            ),
            DemoPriority(
                RURAL_THEFT,
                "Theft of plant and farm machinery rose 22% in the Moorlands.",
                "staffschair",
                _scores(1, 2, 3, 1, 1, 3, 2, 3, 3, 3),
            ),
        ),
        items=(
            DemoItem(
                CROSS_BORDER_LINES,
                "Which West Midlands groups control the lines into Stoke-on-Trent?",
                "staffsanalyst",
                "West Midlands Police's T&CG; the ROCU; communications data.",
                45,
            ),
            DemoItem(
                CUCKOOING,
                "Which addresses are taken over, and who lives there?",
                "staffsmember",
                "Housing providers; adult social care; neighbourhood teams.",
                30,
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
    for demo_item, item in zip(demo.items, items, strict=True):
        if demo_item.closing_note:
            requirement.ir_item_close(
                acting_user=people[demo_item.owner], item=item, note=demo_item.closing_note
            )
    return strategy


def _informing_versions(cast: DemoCast, result: DemoResult) -> dict[str, ProductVersion]:
    force_assessment = Product.objects.get(unit=cast.force, title=STRATEGIC_TITLE)
    versions = {FORCE: force_assessment.versions.order_by("-number").first()}
    for demo in UNIT_ASSESSMENTS:
        with transaction.atomic():
            versions[demo.unit_code] = _unit_assessment(cast, demo, result)
    return versions


def seed_strategies(cast: DemoCast, people: dict[str, User], result: DemoResult) -> None:
    """Each demo strategy that is missing, drafted and ranked with its requirement's items, whole
    or not at all (approved later, at its unit's ST&CG sitting)."""
    versions = _informing_versions(cast, result)
    for demo in DEMO_STRATEGIES:
        unit = cast.unit(demo.unit_code)
        with transaction.atomic():
            if ControlStrategy.objects.filter(unit=unit, title=demo.title).exists():
                result.present.append(f"strategy: {demo.title}")
                continue
            _strategy(demo, versions[demo.unit_code], people, cast)
            result.created.append(f"strategy: {demo.title}")
