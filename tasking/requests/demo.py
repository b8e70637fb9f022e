"""The demo's sideways request: at its first past TT&CG, West Midlands Police asks the TT&CG of
its neighbour, Staffordshire Police, to act on the Stoke-on-Trent end of the Wolverhampton county
lines; Staffordshire's next TT&CG accepts it, each side's decision recorded in its own minutes.
Run within the past sittings (tasking.proceedings.demo.hold_past_meetings)."""

from tasking.demo_cast import DemoCast
from tasking.meetings.choices import AgendaItemKind
from tasking.meetings.models import Meeting
from tasking.requests import services as requests
from tasking.requests.choices import RequestStatus
from tasking.requests.models import SidewaysRequest

DEMO_REQUEST_TITLE = "Disrupt the Stoke-on-Trent end of the Wolverhampton county lines"
DEMO_REQUEST_DETAILS = (
    "Two lines run from Wolverhampton supply Stoke-on-Trent and Tamworth, using cuckooed flats in "
    "Hanley and Bentilee. Identify and safeguard the occupants, and plan joint warrants with "
    "Operation Harrier so that both ends of the lines are hit on the same day."
)
DEMO_ACCEPTANCE = (
    "Staffordshire's neighbourhood teams visit the cuckooed flats with adult social care, and "
    "its Harrier lead fixes the joint warrant dates with West Midlands Police."
)


def sideways_business(cast: DemoCast):
    """The sitting hook of the past TT&CGs: the force's first asks its neighbour; the
    neighbour's TT&CG that receives the request accepts it."""

    def business(meeting: Meeting, index: int) -> None:
        if meeting.unit_id == cast.force.pk and index == 0:
            requests.request_send(
                acting_user=meeting.chair,
                meeting=meeting,
                to_unit=cast.neighbour,
                title=DEMO_REQUEST_TITLE,
                details=DEMO_REQUEST_DETAILS,
                agenda_item=meeting.agenda_items.filter(kind=AgendaItemKind.ESCALATIONS).first(),
            )
        if meeting.unit_id != cast.neighbour.pk:
            return
        for received in SidewaysRequest.objects.filter(
            receiving_meeting=meeting, status=RequestStatus.SENT
        ):
            requests.request_accept(
                acting_user=meeting.chair, sideways_request=received, decision_text=DEMO_ACCEPTANCE
            )

    return business
