"""Patrol briefings in the API: the briefings you may open (of one unit), one briefing as you may
read it (audited, as its page), and generating a unit's briefing for a shift.

Thin like the pages: reads go through tasking.briefings.selectors (missing and forbidden give the
same 404; each item filtered by the access policy at the read), writes through
tasking.briefings.services. A service's PermissionDenied becomes 403 with its message, its
ValidationError 400.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from nim_portal.api.fields import IdField
from nim_portal.api.inputs import id_param, validated_input
from nim_portal.ids import ID_PATTERN
from tasking.actions.selectors import action_log_for_unit
from tasking.briefings import selectors, services
from tasking.briefings.choices import Shift
from tasking.briefings.models import Briefing


class BriefingSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Briefing
        fields = ["id", "unit", "unit_name", "shift", "shift_date", "previous", "generated_at"]
        read_only_fields = fields


class BriefingActionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    description = serializers.CharField()
    action_type = serializers.CharField()
    priority = serializers.CharField(source="priority.theme")
    owner = serializers.CharField()
    due_date = serializers.DateField()
    rag = serializers.CharField()
    marking = serializers.CharField(source="marking_label")
    is_new = serializers.BooleanField(required=False)


class BriefingPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    subject_kind = serializers.CharField()
    subject_role = serializers.CharField()
    subject_description = serializers.CharField()
    warning_markers = serializers.CharField()
    marking = serializers.CharField(source="get_envelope_marking_display")
    is_new = serializers.BooleanField()


class BriefingHotspotsSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="tactical_assessment.product_id")
    version = serializers.IntegerField(source="tactical_assessment.number")
    marking = serializers.CharField(source="hotspots.marking_label")
    withheld = serializers.BooleanField(source="hotspots.withheld")
    text = serializers.CharField(source="hotspots.body")


class BriefingChangesSerializer(serializers.Serializer):
    new_actions = serializers.SerializerMethodField()
    closed_actions = BriefingActionSerializer(many=True)
    new_people = serializers.SerializerMethodField()
    new_hotspots = serializers.ListField(child=serializers.CharField())

    def get_new_actions(self, shown) -> list[int]:
        return [action.pk for action in shown.new_actions]

    def get_new_people(self, shown) -> list[int]:
        return [person.pk for person in shown.new_people]


class BriefingReadSerializer(serializers.Serializer):
    """A briefing as its reader may read it: only what they may read, marked as the highest."""

    briefing = BriefingSerializer()
    marking = serializers.SerializerMethodField()
    actions = BriefingActionSerializer(many=True)
    people_of_interest = BriefingPersonSerializer(many=True, source="people")
    hotspots = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    def get_marking(self, shown) -> str:
        return shown.marking.label()

    def get_hotspots(self, shown) -> dict | None:
        if shown.hotspots is None:
            return None
        data = BriefingHotspotsSerializer(shown).data
        if shown.hotspots.withheld:
            data["text"] = ""
        return data

    def get_changes(self, shown) -> dict:
        return BriefingChangesSerializer(shown).data


class BriefingGenerateSerializer(serializers.Serializer):
    unit = IdField(help_text="The unit briefed.")
    shift = serializers.ChoiceField(choices=Shift.choices)
    shift_date = serializers.DateField()


@extend_schema_view(
    list=extend_schema(
        summary="Patrol briefings",
        description="The briefings you may open (of one `unit`), newest shift first: dates, units "
        "and shifts only.",
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.INT, description="One unit's briefings.")
        ],
        responses={200: BriefingSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="One patrol briefing",
        description="The live taskings, people of interest and hotspots you may read, and what "
        "changed since the last briefing of the shift. Every read is audited.",
        responses={200: BriefingReadSerializer},
    ),
    create=extend_schema(
        summary="Generate a patrol briefing",
        description="A chair or administrator over the unit generates its briefing for a shift "
        "from what is live now.",
        request=BriefingGenerateSerializer,
        responses={201: BriefingSerializer},
    ),
)
class BriefingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Patrol briefings, through the same services and selectors as the pages."""

    serializer_class = BriefingSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        unit_id = id_param(self.request, "unit", "Give the id of a unit.")
        unit = None
        if unit_id is not None:
            unit = action_log_for_unit(self.request.user, unit_id).unit
        return selectors.recent_briefings(self.request.user, unit)

    def retrieve(self, request, *args, **kwargs):
        shown = selectors.briefing_read(request.user, kwargs["pk"], request=request)
        return Response(BriefingReadSerializer(shown).data)

    def create(self, request, *args, **kwargs):
        data = validated_input(request, BriefingGenerateSerializer)
        unit = action_log_for_unit(request.user, data.pop("unit")).unit
        briefing = services.briefing_generate(
            acting_user=request.user, unit=unit, request=request, **data
        )
        return Response(BriefingSerializer(briefing).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Add the patrol briefings to the tasking API's router."""
    router.register("briefings", BriefingViewSet, basename="briefing")
