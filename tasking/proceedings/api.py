"""The meetings API: meetings (list, read, reschedule, invite, take back, open, current item,
attendance, decisions, the ST&CG's decisions on its control strategy and requirement at the
sitting, minutes, commission, escalate, close), their agenda items (add, change,
move, remove) and escalations (inbox and outbox, adopt, return).

Thin like the pages: reads go through the selectors (tasking.meetings.selectors,
tasking.proceedings.selectors; missing and forbidden give the same 404), writes through the services
(tasking.proceedings; rescheduling and invitations through tasking.meetings.services); what is shown
and accepted is in tasking.proceedings.serializers. A service's PermissionDenied becomes 403 with
its message, its ValidationError 400, and minutes saved over a stale `minutes_version` 409 with the
version and text saved now. Partner users get 404 on all of it.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from nim_portal.api.inputs import validated_input
from nim_portal.api.refusals import conflict_answer
from nim_portal.ids import ID_PATTERN
from tasking.meetings import selectors as meeting_selectors
from tasking.meetings import services as meeting_services
from tasking.meetings.models import AgendaItem, Meeting
from tasking.proceedings import escalations, selectors, services
from tasking.proceedings.choices import SittingVerdict
from tasking.proceedings.serializers import (
    AgendaItemAddInput,
    AgendaItemEditInput,
    AgendaItemSerializer,
    AttendanceInput,
    CommissionInput,
    CommissionSerializer,
    DecisionInput,
    DecisionSerializer,
    DecisionTextInput,
    EscalateInput,
    EscalationBoxesSerializer,
    EscalationSerializer,
    InviteeInput,
    InviteInput,
    ItemInput,
    MeetingDetailSerializer,
    MeetingSerializer,
    MinutesInput,
    MoveInput,
    RescheduleInput,
    SittingDecisionInput,
)
from tasking.proceedings.strategy import SITTING_DECIDERS
from tasking.strategy.selectors import control_strategies_visible_to

MOVED_SINCE = {
    409: OpenApiResponse(
        description="The meeting was moved by somebody else since the `sequence` you sent: "
        "nothing was changed."
    )
}
STALE = {
    409: OpenApiResponse(
        description="The minutes were saved by somebody else since your `minutes_version`: "
        "nothing was saved. The answer carries the version and text saved now."
    )
}


@conflict_answer(services.MinutesConflict)
def _minutes_conflict(conflict: services.MinutesConflict, context: dict) -> dict:
    """Minutes saved over a stale version: nothing was saved; the version and text saved now."""
    return {
        "detail": conflict.messages[0],
        "code": "minutes_conflict",
        "minutes_version": conflict.current_version,
        "minutes": conflict.current_text,
    }


AGENDA_ITEM_REFUSAL = "Choose an item of this meeting's agenda."


def _row_of(rows, pk, field: str, refusal: str):
    """The row of the meeting's `rows` (its agenda items, its invitees) the input names under
    `field`; another meeting's is refused like an unknown one."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise ValidationError({field: refusal})
    return row


def _agenda_item(meeting: Meeting, pk) -> AgendaItem | None:
    """An item of the meeting's agenda, or None when none was named."""
    if pk is None:
        return None
    return _row_of(meeting.agenda_items, pk, "agenda_item", AGENDA_ITEM_REFUSAL)


# Meetings.


@extend_schema_view(
    list=extend_schema(
        summary="Your meetings",
        description="Meetings of the units you hold a role in or above, and those you are "
        "invited to: sitting first, then upcoming, then those held.",
    ),
    retrieve=extend_schema(
        summary="One meeting",
        description="Its agenda, attendance, decisions, commissions and escalations; what is "
        "above your vetting is left out and counted in `hidden`.",
        responses={200: MeetingDetailSerializer},
    ),
)
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Meetings, through the same services and selectors as the pages."""

    serializer_class = MeetingSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []

    def get_queryset(self):
        return meeting_selectors.meetings_for_user(self.request.user)

    def get_object(self) -> Meeting:
        return meeting_selectors.meeting_for_user(self.request.user, self.kwargs["pk"])

    def _detail(self, meeting: Meeting, status_code=status.HTTP_200_OK) -> Response:
        meeting = meeting_selectors.meeting_for_user(self.request.user, meeting.pk)
        meeting.proceedings = selectors.meeting_proceedings(self.request.user, meeting)
        data = MeetingDetailSerializer(meeting, context={"request": self.request}).data
        return Response(data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def _changed(self, service, meeting: Meeting, **keywords) -> Response:
        """The meeting changed by `service` (`keywords`: the input, named as its keywords)."""
        service(acting_user=self.request.user, meeting=meeting, request=self.request, **keywords)
        return self._detail(meeting)

    def _recorded(self, input_class, service, answer) -> Response:
        """A record made at the meeting from the request's input (named as the service's
        keywords, the agenda item it names read from the meeting's agenda): 201 with it."""
        meeting = self.get_object()
        data = validated_input(self.request, input_class)
        data["agenda_item"] = _agenda_item(meeting, data.get("agenda_item"))
        made = service(acting_user=self.request.user, meeting=meeting, request=self.request, **data)
        return Response(answer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Open the meeting",
        request=None,
        responses={200: MeetingDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._changed(services.meeting_open, self.get_object())

    @extend_schema(
        summary="Move to an agenda item",
        request=ItemInput,
        responses={200: MeetingDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="current-item")
    def current_item(self, request, pk=None):
        meeting = self.get_object()
        data = validated_input(request, ItemInput)
        item = _row_of(meeting.agenda_items, data["item"], "item", AGENDA_ITEM_REFUSAL)
        return self._changed(services.meeting_current_item_set, meeting, item=item)

    @extend_schema(
        summary="Record attendance",
        request=AttendanceInput,
        responses={200: MeetingDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        meeting = self.get_object()
        data = validated_input(request, AttendanceInput)
        invitee = _row_of(
            meeting.invitees, data["invitee"], "invitee", "Choose somebody invited to this meeting."
        )
        return self._changed(
            services.attendance_record, meeting, invitee=invitee, attendance=data["attendance"]
        )

    @extend_schema(
        summary="Record a decision",
        request=DecisionInput,
        responses={201: DecisionSerializer},
    )
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        return self._recorded(DecisionInput, services.decision_record, DecisionSerializer)

    @extend_schema(
        summary="Approve or return the control strategy or requirement at the sitting",
        description="The ST&CG, while it sits, approves or returns (with its reason in `note`) "
        "its unit's draft control strategy (`subject` control-strategy) or the intelligence "
        "requirement of its approved one (intelligence-requirement); the decision is recorded "
        "under its agenda item and an approval carries the sitting. Chairs only; refused with "
        "nothing changed outside a sitting or at a TT&CG.",
        request=SittingDecisionInput,
        responses={201: DecisionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="sitting-decisions")
    def sitting_decisions(self, request, pk=None):
        meeting = self.get_object()
        data = validated_input(request, SittingDecisionInput)
        strategy = control_strategies_visible_to(request.user).filter(pk=data["strategy"]).first()
        if strategy is None:
            raise ValidationError({"strategy": "Choose a control strategy you may read."})
        decision = SITTING_DECIDERS[data["subject"]](
            acting_user=request.user,
            meeting=meeting,
            strategy=strategy,
            approve=data["decision"] == SittingVerdict.APPROVE,
            note=data["note"],
            request=request,
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Save the minutes",
        description="Over the `minutes_version` you loaded; frozen once the meeting closes.",
        request=MinutesInput,
        responses={200: MeetingDetailSerializer, **STALE},
    )
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        meeting = self.get_object()
        return self._changed(
            services.minutes_save, meeting, **validated_input(request, MinutesInput)
        )

    @extend_schema(
        summary="Invite a police colleague",
        description="Someone of the meeting's unit, a unit beside or below it, or a unit above "
        "it, not invited yet; they are sent the invitation. Chairs only.",
        request=InviteInput,
        responses={200: MeetingDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        meeting = self.get_object()
        data = validated_input(request, InviteInput)
        return self._changed(meeting_services.police_invitee_add, meeting, **data)

    @extend_schema(
        summary="Take back a police invitation",
        description="Not of someone recorded present, nor of a partner attendee. Chairs only.",
        request=InviteeInput,
        responses={200: MeetingDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="take-back")
    def take_back(self, request, pk=None):
        meeting = self.get_object()
        data = validated_input(request, InviteeInput)
        invitee = meeting.invitees.filter(pk=data["invitee"]).first()
        if invitee is None:
            raise Http404("No such invitee of this meeting.")
        meeting_services.police_invitee_remove(
            acting_user=request.user,
            invitee=invitee,
            request=request,
        )
        return self._detail(meeting)

    @extend_schema(
        summary="Move a scheduled meeting",
        description="A new time, length, place or call link; the invitations go out again with "
        "a higher iCalendar SEQUENCE and the reminder moves with the meeting. Chairs only.",
        request=RescheduleInput,
        responses={200: MeetingDetailSerializer, **MOVED_SINCE},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        meeting = self.get_object()
        data = validated_input(request, RescheduleInput)
        return self._changed(meeting_services.meeting_reschedule, meeting, **data)

    @extend_schema(
        summary="Commission a profile",
        description="A problem or subject profile, with the chair as requester and draft terms "
        "of reference; later meetings of the unit follow its progress.",
        request=CommissionInput,
        responses={201: CommissionSerializer},
    )
    @action(detail=True, methods=["post"])
    def commission(self, request, pk=None):
        return self._recorded(CommissionInput, services.profile_commission, CommissionSerializer)

    @extend_schema(
        summary="Escalate an issue",
        description="To the T&CG of the unit directly above (BCU to force, force to region, "
        "region to national); refused at the top.",
        request=EscalateInput,
        responses={201: EscalationSerializer},
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._recorded(EscalateInput, escalations.escalation_raise, EscalationSerializer)

    @extend_schema(
        summary="Close the meeting",
        description="Freezes its minutes (a version whose PDF is rendered); never reopened.",
        request=None,
        responses={200: MeetingDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._changed(services.meeting_close, self.get_object())


# Agenda items.


@extend_schema_view(
    create=extend_schema(
        summary="Add an agenda item",
        description="At the end of the agenda of a meeting that is not closed (chair only).",
        request=AgendaItemAddInput,
        responses={201: AgendaItemSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an agenda item",
        request=AgendaItemEditInput,
        responses={200: AgendaItemSerializer},
    ),
    destroy=extend_schema(
        summary="Remove an agenda item",
        description="Never one with decisions recorded under it; the items after it move up.",
        responses={204: None},
    ),
)
class AgendaItemViewSet(viewsets.GenericViewSet):
    serializer_class = AgendaItemSerializer
    lookup_value_regex = ID_PATTERN
    http_method_names = ["post", "patch", "delete", "options"]
    filter_backends = []

    def get_queryset(self):
        return AgendaItem.objects.filter(
            meeting__in=meeting_selectors.meetings_visible_to(self.request.user)
        )

    def get_object(self) -> AgendaItem:
        item = self.get_queryset().select_related("meeting__unit").filter(pk=self.kwargs["pk"])
        item = item.first()
        if item is None:
            raise Http404("No such agenda item.")
        return item

    def create(self, request, *args, **kwargs):
        data = validated_input(request, AgendaItemAddInput)
        meeting = meeting_selectors.meeting_for_user(request.user, data.pop("meeting"))
        item = services.agenda_item_add(
            acting_user=request.user, meeting=meeting, request=request, **data
        )
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        data = validated_input(request, AgendaItemEditInput)
        item = services.agenda_item_edit(
            acting_user=request.user, item=item, request=request, **data
        )
        return Response(AgendaItemSerializer(item).data)

    def destroy(self, request, *args, **kwargs):
        services.agenda_item_delete(
            acting_user=request.user, item=self.get_object(), request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move an agenda item up or down",
        request=MoveInput,
        responses={200: AgendaItemSerializer},
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        item = self.get_object()
        data = validated_input(request, MoveInput)
        item = services.agenda_item_move(
            acting_user=request.user, item=item, direction=data["direction"], request=request
        )
        return Response(AgendaItemSerializer(item).data)


# Escalations.


class EscalationBoxesView(GenericAPIView):
    serializer_class = EscalationBoxesSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(
        operation_id="escalations_list",
        summary="Escalations to and from your units",
        description="Within your vetting: those to the units you hold a role in or above "
        "(inbox) and from them (outbox).",
    )
    def get(self, request):
        boxes = selectors.escalation_boxes(request.user)
        return Response(
            EscalationBoxesSerializer({"inbox": boxes.inbox, "outbox": boxes.outbox}).data
        )


@extend_schema_view(
    retrieve=extend_schema(summary="One escalation", responses={200: EscalationSerializer}),
)
class EscalationViewSet(viewsets.GenericViewSet):
    serializer_class = EscalationSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []
    pagination_class = None

    def retrieve(self, request, *args, **kwargs):
        escalation = selectors.escalation_for_user(request.user, kwargs["pk"])
        return Response(EscalationSerializer(escalation).data)

    def _decide(self, request, pk, service) -> Response:
        escalation = selectors.escalation_for_user(request.user, pk)
        data = validated_input(request, DecisionTextInput)
        escalation = service(
            acting_user=request.user,
            escalation=escalation,
            decision_text=data["decision_text"],
            request=request,
        )
        return Response(EscalationSerializer(escalation).data)

    @extend_schema(
        summary="Adopt an escalation",
        description="A chair of the receiving unit: it owns the threat from now.",
        request=DecisionTextInput,
        responses={200: EscalationSerializer},
    )
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        return self._decide(request, pk, escalations.escalation_adopt)

    @extend_schema(
        summary="Return an escalation",
        description="A chair of the receiving unit: the raising unit keeps the threat.",
        request=DecisionTextInput,
        responses={200: EscalationSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._decide(request, pk, escalations.escalation_return)


def register(router) -> None:
    """Add the meeting resources to the tasking API's router."""
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
    router.register("escalations", EscalationViewSet, basename="escalation")
