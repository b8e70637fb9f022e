"""The register of tactical capability in the API: a unit's capabilities (or all you may read),
one capability, adding, changing and retiring one, and committed against available in the cycle
of a TT&CG.

Thin like the pages: reads go through tasking.resources.selectors (missing and forbidden give the
same 404), writes through tasking.resources.services. A service's PermissionDenied becomes 403
with its message, its ValidationError 400, and a change sent over an older `version` than the
one saved 409 with the version saved now.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from nim_portal.api.fields import IdField
from nim_portal.api.inputs import id_param, validated_input
from nim_portal.ids import ID_PATTERN
from tasking.meetings.selectors import meeting_for_user
from tasking.resources import selectors, services
from tasking.resources.choices import CapabilityKind
from tasking.resources.models import MAX_HOURS, Capability

CHANGED_SINCE = {
    409: OpenApiResponse(
        description="Changed by somebody else since the `version` you sent: nothing was saved. "
        "The answer carries the version saved now."
    ),
}


class CapabilitySerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Capability
        fields = [
            "id",
            "unit",
            "unit_name",
            "kind",
            "name",
            "hours_per_cycle",
            "status",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class CapabilityInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CapabilityKind.choices)
    name = serializers.CharField(max_length=200)
    hours_per_cycle = serializers.IntegerField(min_value=1, max_value=MAX_HOURS)


class CapabilityAddSerializer(CapabilityInputSerializer):
    unit = IdField(help_text="The unit whose register it goes on.")


class CapabilityEditSerializer(CapabilityInputSerializer):
    version = IdField(help_text="The `version` of the capability as you loaded it.")


class CapabilityRetireSerializer(serializers.Serializer):
    version = IdField(help_text="The `version` of the capability as you loaded it.")


class CapabilityLoadSerializer(serializers.Serializer):
    capability = CapabilitySerializer()
    available = serializers.IntegerField()
    committed = serializers.IntegerField()
    asked = serializers.IntegerField()
    remaining = serializers.IntegerField()
    shortfall = serializers.IntegerField()


class CycleLoadSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(source="meeting.pk")
    available = serializers.IntegerField()
    committed = serializers.IntegerField()
    asked = serializers.IntegerField()
    rows = CapabilityLoadSerializer(many=True)


@extend_schema_view(
    list=extend_schema(
        summary="Capabilities",
        description="A unit's register of tactical capability (`unit`), or every capability "
        "you may read: of your units and the units below them. Active first, then by name.",
        parameters=[OpenApiParameter("unit", OpenApiTypes.INT, description="One unit's register.")],
        responses={200: CapabilitySerializer(many=True)},
    ),
    retrieve=extend_schema(summary="One capability", responses={200: CapabilitySerializer}),
    create=extend_schema(
        summary="Add a capability",
        description="A chair or administrator over the unit puts a team or specialist asset "
        "on its register, with its hours per TT&CG cycle.",
        request=CapabilityAddSerializer,
        responses={201: CapabilitySerializer},
    ),
    update=extend_schema(
        summary="Change a capability",
        description="Its kind, name and hours, over the `version` loaded.",
        request=CapabilityEditSerializer,
        responses={200: CapabilitySerializer, **CHANGED_SINCE},
    ),
)
class CapabilityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Tactical capability, through the same services and selectors as the pages."""

    serializer_class = CapabilitySerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        unit_id = id_param(self.request, "unit", "Give the id of a unit.")
        if unit_id is not None:
            unit = selectors.register_unit_for(self.request.user, unit_id)
            return selectors.capability_register(unit).select_related("unit")
        return (
            selectors.capabilities_visible_to(self.request.user)
            .select_related("unit")
            .order_by("unit__path", "status", "name", "pk")
        )

    def get_object(self) -> Capability:
        return selectors.get_capability_for(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        unit_id = request.data.get("unit")
        unit = None if unit_id is None else selectors.register_unit_for(request.user, unit_id)
        data = validated_input(request, CapabilityAddSerializer)
        del data["unit"]
        capability = services.capability_add(
            acting_user=request.user, unit=unit, request=request, **data
        )
        return Response(CapabilitySerializer(capability).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        capability = self.get_object()
        data = validated_input(request, CapabilityEditSerializer)
        capability = services.capability_edit(
            acting_user=request.user,
            capability=capability,
            expected_version=data.pop("version"),
            request=request,
            **data,
        )
        return Response(CapabilitySerializer(capability).data)

    @extend_schema(
        summary="Retire a capability",
        description="No bid asks for it from then on; its commitments stay on record.",
        request=CapabilityRetireSerializer,
        responses={200: CapabilitySerializer, **CHANGED_SINCE},
    )
    @route(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        capability = self.get_object()
        data = validated_input(request, CapabilityRetireSerializer)
        capability = services.capability_retire(
            acting_user=request.user,
            capability=capability,
            expected_version=data["version"],
            request=request,
        )
        return Response(CapabilitySerializer(capability).data)

    @extend_schema(
        summary="Committed against available",
        description="For each capability of the meeting's unit, in the cycle of that TT&CG: "
        "its hours, those committed to actions and those asked by bids not yet decided.",
        parameters=[OpenApiParameter("meeting", OpenApiTypes.INT, required=True)],
        responses={200: CycleLoadSerializer},
    )
    @route(detail=False, methods=["get"])
    def load(self, request):
        meeting_id = id_param(request, "meeting", "Give the id of a meeting.", required=True)
        meeting = meeting_for_user(request.user, meeting_id)
        return Response(CycleLoadSerializer(selectors.cycle_load(meeting)).data)


def register(router) -> None:
    """Add the register of capability to the tasking API's router."""
    router.register("capabilities", CapabilityViewSet, basename="capability")
