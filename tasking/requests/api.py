"""Sideways requests in the API: the requests to and from your units, one request, sending one
from a sitting meeting, and the neighbour's decision (accept, decline).

Thin like the pages: reads go through tasking.requests.selectors (missing and forbidden give the
same 404), writes through tasking.requests.services; a PermissionDenied becomes 403 with its
message, a ValidationError 400.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from nim_portal.api.fields import MarkingLabelField
from nim_portal.api.inputs import validated_input
from nim_portal.choices import GSCMarking
from nim_portal.ids import ID_PATTERN
from nim_portal.models import Unit
from tasking.meetings.selectors import meeting_for_user
from tasking.requests import selectors, services
from tasking.requests.models import SidewaysRequest


class SidewaysRequestSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    from_unit_name = serializers.CharField(source="from_unit.name", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True)
    marking_label = MarkingLabelField()

    class Meta:
        model = SidewaysRequest
        fields = [
            "id",
            "reference",
            "from_unit",
            "from_unit_name",
            "from_meeting",
            "to_unit",
            "to_unit_name",
            "receiving_meeting",
            "title",
            "details",
            "marking",
            "marking_label",
            "status",
            "sent_at",
            "decision_text",
            "decided_at",
        ]
        read_only_fields = fields


class RequestSendSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(help_text="The sitting meeting that asks.")
    to_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), help_text="A unit of the same level."
    )
    title = serializers.CharField(max_length=200)
    details = serializers.CharField()
    marking = serializers.ChoiceField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )


class RequestDecisionSerializer(serializers.Serializer):
    decision_text = serializers.CharField(help_text="What the T&CG will do, or why it cannot.")


@extend_schema_view(
    list=extend_schema(
        summary="Sideways requests",
        description="Requests to and from your units (and those below them), newest first; "
        "none marked above your vetting.",
        responses={200: SidewaysRequestSerializer(many=True)},
    ),
    retrieve=extend_schema(summary="One sideways request"),
    create=extend_schema(
        summary="Send a request to a neighbour",
        description="At the sitting, its chair: to the T&CG of a unit of the same level.",
        request=RequestSendSerializer,
        responses={201: SidewaysRequestSerializer},
    ),
)
class SidewaysRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Sideways requests, through the same services and selectors as the pages."""

    serializer_class = SidewaysRequestSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []

    def get_queryset(self):
        return selectors.requests_visible_to(self.request.user)

    def get_object(self) -> SidewaysRequest:
        return selectors.get_request_for(self.request.user, self.kwargs["pk"])

    def _answer(self, sideways_request, status_code=status.HTTP_200_OK) -> Response:
        found = selectors.get_request_for(self.request.user, sideways_request.pk)
        return Response(SidewaysRequestSerializer(found).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = validated_input(request, RequestSendSerializer)
        meeting = meeting_for_user(request.user, data.pop("meeting"))
        sent = services.request_send(
            acting_user=request.user, meeting=meeting, request=request, **data
        )
        return self._answer(sent, status.HTTP_201_CREATED)

    def _decide(self, request, service):
        sideways_request = self.get_object()
        data = validated_input(request, RequestDecisionSerializer)
        decided = service(
            acting_user=request.user,
            sideways_request=sideways_request,
            decision_text=data["decision_text"],
            request=request,
        )
        return self._answer(decided)

    @extend_schema(
        summary="Accept a sideways request",
        description="A chair of the asked unit, or of its receiving meeting.",
        request=RequestDecisionSerializer,
        responses={200: SidewaysRequestSerializer},
    )
    @route(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(request, services.request_accept)

    @extend_schema(
        summary="Decline a sideways request",
        description="A chair of the asked unit, or of its receiving meeting.",
        request=RequestDecisionSerializer,
        responses={200: SidewaysRequestSerializer},
    )
    @route(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(request, services.request_decline)


def register(router) -> None:
    """Add sideways requests to the tasking API's router."""
    router.register("requests", SidewaysRequestViewSet, basename="sideways-request")
