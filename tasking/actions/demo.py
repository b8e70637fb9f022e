"""The demo's action logs: Birmingham East's actions raised at its past TT&CGs, updated by their
owners between sittings and closed at a later one, the recent ones still open; and two of the
neighbouring force's (Staffordshire Police), one closed and one open."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from products.demo import ASB_TITLE, BCU, BURGLARY_TITLE
from products.models import Product
from tasking.actions import services as action_services
from tasking.actions.choices import ActionType, Rag
from tasking.actions.models import TacticalAction
from tasking.demo_cast import EAST_ANALYST, DemoCast
from tasking.meetings.models import Meeting
from tasking.safeguards.choices import AuthorityType
from tasking.strategy.choices import ControlStrategyStatus
from tasking.strategy.demo import (
    BURGLARY,
    COUNTY_LINES,
    CROSS_BORDER_LINES,
    CUCKOOING,
    STREET_DEALING,
    YOUTH_VIOLENCE,
)
from tasking.strategy.models import Priority


@dataclass(frozen=True)
class DemoUpdate:
    author: str  # username
    text: str
    rag: str


@dataclass(frozen=True)
class DemoAction:
    theme: str  # of the priority of its unit's control strategy it serves
    action_type: str
    description: str
    raised_at: int  # which past TT&CG of its unit raised it (0 the oldest)
    due_days: int  # from the day the demo is seeded: negative when due before
    owner: str = ""  # username of the owning person
    owner_unit: str = ""  # or the code of the owning unit
    # Progress updates, each written before the sitting of its index.
    updates: tuple[tuple[int, DemoUpdate], ...] = ()
    closed_at: int | None = None  # the sitting that closed it
    outcome: str = ""
    justified_by: str = ""  # the title of the product of its unit that justifies it
    authority: dict | None = None  # a covert action's authority (tasking.safeguards)


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
        justified_by=BURGLARY_TITLE,
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
        justified_by=ASB_TITLE,
        authority={
            "authority_type": AuthorityType.DIRECTED_SURVEILLANCE,
            "authority_reference": "BE/DS/2026/017",
            "authorising_officer": "Superintendent R. Bains",
            "necessity_and_proportionality": (
                "Open patrols have not shown who sells on the road; test purchases by trained "
                "officers over two weeks are the least intrusive way to evidence it."
            ),
        },
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

# Staffordshire Police's, raised at its past TT&CGs.
NEIGHBOUR_ACTIONS = (
    DemoAction(
        CUCKOOING,
        ActionType.PREVENTION,
        "Visit the fourteen cuckooed addresses in Stoke-on-Trent with adult social care.",
        raised_at=0,
        due_days=-12,
        owner="staffsmember",
        updates=(
            (
                1,
                DemoUpdate(
                    "staffsmember", "Nine addresses seen; three moved to safety.", Rag.AMBER
                ),
            ),
        ),
        closed_at=2,
        outcome="All fourteen addresses seen; six occupants safeguarded, two flats closed.",
    ),
    DemoAction(
        CROSS_BORDER_LINES,
        ActionType.INTELLIGENCE,
        "Check the A5 cameras at Tamworth for the runners' cars of the Wolverhampton lines.",
        raised_at=1,
        due_days=9,
        owner="staffsanalyst",
        updates=(
            (
                2,
                DemoUpdate(
                    "staffsanalyst", "Two cars identified; their keepers researched.", Rag.GREEN
                ),
            ),
        ),
    ),
)


def _action_raise(demo: DemoAction, meeting: Meeting, people: dict, cast: DemoCast):
    unit = meeting.unit
    priority = Priority.objects.get(
        control_strategy__unit=unit,
        control_strategy__status=ControlStrategyStatus.APPROVED,
        theme=demo.theme,
    )
    return action_services.action_raise(
        acting_user=meeting.chair,
        unit=unit,
        priority=priority,
        action_type=demo.action_type,
        description=demo.description,
        owner_user=people[demo.owner] if demo.owner else None,
        owner_unit=cast.unit(demo.owner_unit) if demo.owner_unit else None,
        due_date=timezone.localdate() + datetime.timedelta(days=demo.due_days),
        meeting=meeting,
        product=(
            Product.objects.get(unit=unit, title=demo.justified_by) if demo.justified_by else None
        ),
        covert=demo.authority is not None,
        **(demo.authority or {}),
    )


def actions_at_sitting(
    index: int, meeting: Meeting, people: dict, cast: DemoCast, demos=DEMO_ACTIONS
) -> None:
    """The action log of the meeting's unit at its past sitting `index` (Birmingham East's, or
    `demos` for another unit): owners' updates written before it, the actions it closed, then
    those it raised."""
    actions = {
        action.description: action
        for action in TacticalAction.objects.filter(
            unit=meeting.unit, raised_at_meeting__isnull=False
        )
    }
    for demo in demos:
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
    for demo in demos:
        if demo.raised_at == index:
            _action_raise(demo, meeting, people, cast)
