"""Every change of a sideways request: a sitting T&CG sends it to a neighbouring unit's T&CG
(tasking.requests.policy.neighbours_of), whose chair accepts or declines it.

Both sides' decisions are decisions of a meeting (tasking.proceedings.services.decision_record):
sending is recorded in the asking meeting's minutes, and the answer in those of the neighbour's
receiving meeting when it sits (tasking.proceedings.escalations.receiving_meeting_of, as for an
escalation). Each function takes `acting_user=` and everything else by keyword, moves the status
only through REQUEST_LIFECYCLE, and refuses with PermissionDenied or ValidationError (a message
fit to show), changing nothing.
"""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking, NotificationKind
from nim_portal.lifecycle import Lifecycle, save_with_history
from nim_portal.models import Unit, User
from nim_portal.services import audit_record, notify
from nim_portal.validation import required_text
from tasking.meetings.choices import AgendaItemKind, MeetingStatus
from tasking.meetings.models import AgendaItem, Meeting
from tasking.meetings.services import meeting_locked, meeting_screen_changed
from tasking.proceedings.escalations import receiving_meeting_of
from tasking.proceedings.services import (
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    clean_marking,
    decision_record,
    require_in_session,
    require_item_of,
)
from tasking.requests.choices import REQUEST_TRANSITIONS, RequestStatus
from tasking.requests.models import SidewaysRequest
from tasking.requests.policy import require_neighbour, require_request_decider, require_sender

REQUEST_LIFECYCLE = Lifecycle(REQUEST_TRANSITIONS, subject=lambda r: f"Request {r.reference} is")
REQUESTS_PAGE = "/tasking/requests/"


@transaction.atomic
def request_send(
    *,
    acting_user: User,
    meeting: Meeting,
    to_unit: Unit | None,
    title: str,
    details: str,
    marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    agenda_item: AgendaItem | None = None,
    request: HttpRequest | None = None,
) -> SidewaysRequest:
    """The sitting meeting asks the T&CG of a neighbouring unit for help: recorded as its
    decision, under `agenda_item`; the neighbour's next T&CG receives it."""
    meeting = meeting_locked(meeting.pk)
    require_sender(acting_user, meeting)
    require_in_session(meeting, "send a request to a neighbour")
    require_item_of(meeting, agenda_item)
    require_neighbour(meeting.unit, to_unit)
    sideways_request = SidewaysRequest(
        from_unit=meeting.unit,
        from_meeting=meeting,
        to_unit=to_unit,
        receiving_meeting=receiving_meeting_of(to_unit),
        title=required_text(
            title, field="title", message="Enter what is asked.", max_length=TITLE_MAX_LENGTH
        ),
        details=required_text(
            details,
            field="details",
            message="Say what the neighbour is asked to do, and why.",
            max_length=TEXT_MAX_LENGTH,
        ),
        marking=clean_marking(marking, acting_user),
        sent_by=acting_user,
    )
    save_with_history(sideways_request, acting_user=acting_user, reason=f"Sent to {to_unit}")
    decision_record(
        acting_user=acting_user,
        meeting=meeting,
        agenda_item=agenda_item,
        text=f"Request {sideways_request.reference} sent to the T&CG of {to_unit}: "
        f"{sideways_request.title}.",
        marking=sideways_request.marking,
        request=request,
    )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=sideways_request,
        request=request,
        detail={"from_meeting": meeting.pk, "to": to_unit.pk},
    )
    notify(
        [*access.chairs_of(to_unit), getattr(sideways_request.receiving_meeting, "chair", None)],
        kind=NotificationKind.REQUEST_RECEIVED,
        message=f"The T&CG of {meeting.unit} asks the T&CG of {to_unit} for help.",
        link=REQUESTS_PAGE,
    )
    if sideways_request.receiving_meeting_id:
        meeting_screen_changed(sideways_request.receiving_meeting_id)
    return sideways_request


def _decide(
    acting_user: User,
    sideways_request: SidewaysRequest,
    decision_text: str,
    target: str,
    verb: str,
    request: HttpRequest | None,
) -> SidewaysRequest:
    sideways_request = (
        SidewaysRequest.objects.select_for_update(of=("self",))
        .select_related(
            "to_unit", "from_unit", "receiving_meeting", "sent_by", "from_meeting__chair"
        )
        .get(pk=sideways_request.pk)
    )
    label = RequestStatus(target).label
    require_request_decider(acting_user, sideways_request, verb)
    REQUEST_LIFECYCLE.check(sideways_request, target)
    sideways_request.decision_text = required_text(
        decision_text,
        field="decision_text",
        message="Enter the decision: what the T&CG will do, or why it cannot.",
        max_length=TEXT_MAX_LENGTH,
    )
    sideways_request.decided_by = acting_user
    sideways_request.decided_at = timezone.now()
    REQUEST_LIFECYCLE.move(
        sideways_request,
        target,
        acting_user=acting_user,
        reason=f"{label} by {sideways_request.to_unit}",
        request=request,
    )
    receiving = sideways_request.receiving_meeting
    if receiving is not None and receiving.status == MeetingStatus.IN_SESSION:
        # The neighbour's side of the decision, in the minutes of the T&CG that triaged it.
        decision_record(
            acting_user=acting_user,
            meeting=receiving,
            agenda_item=receiving.agenda_items.filter(kind=AgendaItemKind.ESCALATIONS).first(),
            text=f"Request {sideways_request.reference} of {sideways_request.from_unit} "
            f"{label.lower()}: {sideways_request.title}. {sideways_request.decision_text}",
            marking=sideways_request.marking,
            request=request,
        )
    notify(
        [sideways_request.sent_by, sideways_request.from_meeting.chair],
        kind=NotificationKind.REQUEST_DECIDED,
        message=f"The T&CG of {sideways_request.to_unit} {label.lower()} a request of "
        f"{sideways_request.from_unit}.",
        link=REQUESTS_PAGE,
    )
    meeting_screen_changed(sideways_request.from_meeting_id)
    return sideways_request


@transaction.atomic
def request_accept(
    *,
    acting_user: User,
    sideways_request: SidewaysRequest,
    decision_text: str,
    request: HttpRequest | None = None,
) -> SidewaysRequest:
    """The neighbour's T&CG takes the request on, saying what it will do."""
    return _decide(
        acting_user, sideways_request, decision_text, RequestStatus.ACCEPTED, "accept", request
    )


@transaction.atomic
def request_decline(
    *,
    acting_user: User,
    sideways_request: SidewaysRequest,
    decision_text: str,
    request: HttpRequest | None = None,
) -> SidewaysRequest:
    """The neighbour's T&CG declines the request, saying why."""
    return _decide(
        acting_user, sideways_request, decision_text, RequestStatus.DECLINED, "decline", request
    )
