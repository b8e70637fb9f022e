"""The demo's bids: proposed activity submitted to Birmingham East's TT&CG of today, before it
sits, by its officers and analyst, two of them ranked by the chair and one asking more of the
proactive team than it has (the chair can escalate the shortfall at the sitting). What is present
(by title at that meeting) is left as it is. Run after the meetings and the register."""

from dataclasses import dataclass

from django.utils import timezone

from nim_portal.choices import GSCMarking
from products.selectors import visible_products
from tasking.actions.choices import ActionType
from tasking.bids import services
from tasking.bids.models import Bid
from tasking.demo_cast import DemoCast, DemoResult
from tasking.meetings.choices import MeetingKind, MeetingStatus
from tasking.meetings.models import Meeting
from tasking.resources.demo import DRUGS_DOG, NEIGHBOURHOOD_TEAM, PROACTIVE_TEAM
from tasking.resources.models import Capability
from tasking.strategy.demo import BURGLARY, COUNTY_LINES, STREET_DEALING
from tasking.strategy.selectors import priorities_for_unit


@dataclass(frozen=True)
class DemoBid:
    proposer: str  # the demo person: member or analyst
    theme: str
    title: str
    activity: str
    action_type: str
    justification: str
    capability: str
    hours: int
    rank: int | None = None
    with_product: bool = False


DEMO_BIDS = (
    DemoBid(
        "member",
        COUNTY_LINES,
        "Cuckooed addresses, Hodge Hill",
        "Welfare visits to the six addresses the tactical assessment names as cuckooed, with "
        "the drugs dog at the two with recent sightings of the line's runners.",
        ActionType.PREVENTION,
        "The tactical assessment names six addresses; two had runners seen this fortnight.",
        DRUGS_DOG,
        12,
        rank=1,
        with_product=True,
    ),
    DemoBid(
        "analyst",
        BURGLARY,
        "Key-safe advice after the car key burglaries",
        "Door-to-door advice in the three streets of last fortnight's car key burglaries.",
        ActionType.PREVENTION,
        "Three repeat burglaries in a fortnight, all for car keys.",
        NEIGHBOURHOOD_TEAM,
        40,
        rank=2,
    ),
    DemoBid(
        "member",
        STREET_DEALING,
        "Disruption of the Alum Rock Road market",
        "A fortnight of plain-clothes patrols and test purchases on Alum Rock Road.",
        ActionType.ENFORCEMENT,
        "Community reports of open dealing doubled since the last TT&CG.",
        PROACTIVE_TEAM,
        100,
    ),
)


def _todays_ttcg(cast: DemoCast) -> Meeting | None:
    return (
        Meeting.objects.filter(
            unit=cast.bcu,
            kind=MeetingKind.TACTICAL,
            status=MeetingStatus.SCHEDULED,
            starts_at__date=timezone.localdate(),
        )
        .order_by("starts_at")
        .first()
    )


def seed_bids(cast: DemoCast, result: DemoResult) -> None:
    """The bids to Birmingham East's TT&CG of today, if it has not sat yet."""
    meeting = _todays_ttcg(cast)
    if meeting is None:
        result.present.append("Bids: Birmingham East's TT&CG of today has sat already")
        return
    present = set(Bid.objects.filter(meeting=meeting).values_list("title", flat=True))
    capabilities = {c.name: c for c in Capability.objects.filter(unit=cast.bcu)}
    for demo in DEMO_BIDS:
        if demo.title in present:
            result.present.append(f"Bid: {demo.title}")
            continue
        proposer = getattr(cast, demo.proposer)
        priority = priorities_for_unit(proposer, cast.bcu).filter(theme=demo.theme).first()
        product = None
        if demo.with_product:
            product = visible_products(proposer).filter(unit=cast.bcu).order_by("-pk").first()
        bid = services.bid_submit(
            acting_user=proposer,
            meeting=meeting,
            priority=priority,
            title=demo.title,
            activity=demo.activity,
            action_type=demo.action_type,
            justification=demo.justification,
            capability=capabilities[demo.capability],
            hours=demo.hours,
            marking=GSCMarking.OFFICIAL_SENSITIVE,
            product=product,
        )
        if demo.rank is not None:
            services.bid_rank(
                acting_user=cast.chair, bid=bid, rank=demo.rank, expected_version=bid.version
            )
        result.created.append(f"Bid: {demo.title}")
