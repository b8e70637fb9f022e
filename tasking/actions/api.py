"""The action log API: actions (list a unit's log or all you may read, read one, raise one, your
own open actions) and their progress updates (list, add), RAG changes and closing.

Thin like the pages: reads go through tasking.actions.selectors (missing and forbidden give the
same 404), writes through tasking.actions.services. A service's PermissionDenied becomes 403 with
its message, its ValidationError 400 (an action with no priority among them), and a change sent
over an older `version` than the one saved 409 with the version saved now.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from nim_portal.api.fields import IdField, MarkingLabelField, RowField
from nim_portal.api.inputs import id_param, validated_input
from nim_portal.choices import GSCMarking
from nim_portal.ids import ID_PATTERN
from nim_portal.models import Unit, User
from products.models import Product
from products.selectors import visible_products
from tasking.actions import selectors, services
from tasking.actions.choices import ActionStatus, ActionType, Rag
from tasking.actions.models import ActionUpdate, TacticalAction
from tasking.meetings.models import Meeting
from tasking.meetings.selectors import meetings_visible_to
from tasking.safeguards.api import AuthorityInputSerializer, AuthoritySerializer
from tasking.strategy.models import Priority
from tasking.strategy.selectors import priorities_visible_to

# What a write answers when somebody changed the record since it was read.
CHANGED_SINCE = {
    409: OpenApiResponse(
        description="Changed by somebody else since the `version` you sent: nothing was saved. "
        "The answer carries the version saved now."
    ),
}


def _person(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


# Reads.


class ActionUpdateSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = ActionUpdate
        fields = ["id", "action", "author", "author_name", "written_at", "text", "rag"]
        read_only_fields = fields

    def get_author_name(self, update) -> str:
        return _person(update.author)


class ActionSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    reference = serializers.CharField(read_only=True)
    priority_theme = serializers.CharField(source="priority.theme", read_only=True)
    marking_label = MarkingLabelField()
    owner_user_name = serializers.SerializerMethodField()
    owner_unit_name = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)
    last_update_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = TacticalAction
        fields = [
            "id",
            "reference",
            "unit",
            "unit_name",
            "priority",
            "priority_theme",
            "action_type",
            "description",
            "marking",
            "marking_label",
            "owner_user",
            "owner_user_name",
            "owner_unit",
            "owner_unit_name",
            "due_date",
            "is_overdue",
            "rag",
            "status",
            "outcome",
            "raised_at_meeting",
            "closed_at_meeting",
            "closed_at",
            "created_at",
            "last_update_at",
            "version",
        ]
        read_only_fields = fields

    def get_owner_user_name(self, action) -> str | None:
        return _person(action.owner_user)

    def get_owner_unit_name(self, action) -> str | None:
        return action.owner_unit.name if action.owner_unit else None


class ActionDetailSerializer(ActionSerializer):
    updates = ActionUpdateSerializer(many=True, read_only=True, source="update_list")
    product = serializers.SerializerMethodField()
    covert = serializers.BooleanField(source="is_covert", read_only=True)
    authority = serializers.SerializerMethodField()

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "product", "covert", "authority", "updates"]
        read_only_fields = fields

    def get_product(self, action) -> int | None:
        """The justifying product, named only to a reader who may read it."""
        return action.product_id if getattr(action, "product_readable", False) else None

    @extend_schema_field(AuthoritySerializer(allow_null=True))
    def get_authority(self, action) -> dict | None:
        """A covert action's authority, for whoever may read the action."""
        return AuthoritySerializer(action.authority).data if action.is_covert else None


# Input: the shape of a request only; the services check the rules.


class ActionRaiseSerializer(AuthorityInputSerializer):
    unit = IdField(help_text="The unit whose log the action goes on.")
    priority = RowField(
        queryset=Priority.objects.none(),
        required=False,
        allow_null=True,
        help_text="A priority of the control strategy the unit works under today (required).",
    )
    action_type = serializers.ChoiceField(choices=ActionType.choices)
    description = serializers.CharField()
    owner_user = RowField(queryset=User.objects.filter(is_active=True), required=False)
    owner_unit = RowField(queryset=Unit.objects.filter(is_active=True), required=False)
    due_date = serializers.DateField()
    marking = serializers.ChoiceField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )

    meeting = RowField(
        queryset=Meeting.objects.none(),
        required=False,
        allow_null=True,
        help_text="The sitting meeting of the unit it is raised at (its chair only).",
    )
    product = RowField(
        queryset=Product.objects.none(),
        required=False,
        allow_null=True,
        help_text="The product or commissioned profile that justifies the action: one you may "
        "read.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A priority, meeting or product the user may not read is refused like one that does not
        # exist (without a user, as when the schema is generated, none is accepted).
        if user is not None:
            self.fields["priority"].queryset = priorities_visible_to(user)
            self.fields["meeting"].queryset = meetings_visible_to(user)
            self.fields["product"].queryset = visible_products(user)


class VersionSerializer(serializers.Serializer):
    version = IdField(help_text="The `version` of the action as you loaded it.")


class ActionUpdateAddSerializer(VersionSerializer):
    text = serializers.CharField()
    rag = serializers.ChoiceField(choices=Rag.choices)


class ActionRagSerializer(VersionSerializer):
    rag = serializers.ChoiceField(choices=Rag.choices)
    note = serializers.CharField(required=False, allow_blank=True)


class ActionLoadedSerializer(VersionSerializer):
    id = IdField(help_text="The action's id.")


class ActionRagManySerializer(serializers.Serializer):
    actions = ActionLoadedSerializer(
        many=True, allow_empty=False, max_length=services.RAG_SET_MANY_LIMIT
    )
    rag = serializers.ChoiceField(choices=Rag.choices)
    note = serializers.CharField(help_text="Why they move to this rating (required).")


class ActionCloseSerializer(VersionSerializer):
    outcome = serializers.CharField(help_text="What was done and what it achieved.")
    meeting = RowField(
        queryset=Meeting.objects.none(),
        required=False,
        allow_null=True,
        help_text="The sitting meeting of the unit it is closed at (its chair only).",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["meeting"].queryset = meetings_visible_to(user)


LIST_PARAMETERS = [
    OpenApiParameter("unit", OpenApiTypes.INT, description="One unit's log (404 if not yours)."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=ActionStatus.values),
    OpenApiParameter("rag", OpenApiTypes.STR, enum=Rag.values),
    OpenApiParameter("priority", OpenApiTypes.INT),
    OpenApiParameter("owner_user", OpenApiTypes.INT),
    OpenApiParameter("owner_unit", OpenApiTypes.INT),
]


def _choice_param(request, name: str, choices) -> str:
    value = request.query_params.get(name, "")
    if value and value not in choices:
        raise ValidationError({name: f"Choose one of: {', '.join(choices)}."})
    return value


@extend_schema_view(
    list=extend_schema(
        summary="Actions",
        description="A unit's action log (`unit`), or every action you may read: of your units "
        "and the units below them, and those you own. Open actions first, then by due date; "
        "none marked above your vetting.",
        parameters=LIST_PARAMETERS,
        responses={200: ActionSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="One action",
        description="With its dated progress updates, newest first.",
        responses={200: ActionDetailSerializer},
    ),
    create=extend_schema(
        summary="Raise an action",
        description="Tied to a priority of the control strategy the unit works under today. At a "
        "sitting meeting (`meeting`) its chair raises it; between meetings a chair or "
        "administrator over the unit.",
        request=ActionRaiseSerializer,
        responses={201: ActionDetailSerializer},
    ),
)
class ActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Tactical actions, through the same services and selectors as the pages."""

    serializer_class = ActionSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []

    def get_queryset(self):
        request = self.request
        unit_id = id_param(request, "unit", "Give the id of a unit.")
        if unit_id is not None:
            actions = selectors.action_log_for_unit(request.user, unit_id).actions
        else:
            actions = selectors.with_log_columns(selectors.actions_visible_to(request.user))
        return selectors.filter_action_log(
            actions,
            status=_choice_param(request, "status", ActionStatus.values),
            rag=_choice_param(request, "rag", Rag.values),
            priority=id_param(request, "priority", "Give the id of a priority."),
            owner_user_id=id_param(request, "owner_user", "Give the id of a person."),
            owner_unit_id=id_param(request, "owner_unit", "Give the id of a unit."),
        )

    def get_object(self) -> TacticalAction:
        return selectors.get_action_for(self.request.user, self.kwargs["pk"])

    def _detail(self, action: TacticalAction, status_code=status.HTTP_200_OK) -> Response:
        action = selectors.get_action_for(self.request.user, action.pk)
        action.update_list = list(selectors.action_updates(action))
        return Response(ActionDetailSerializer(action).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        # A unit whose log the user may not read is a 404 before anything else is looked at;
        # without a unit, the input's check answers 400.
        unit_id = request.data.get("unit")
        log = None if unit_id is None else selectors.action_log_for_unit(request.user, unit_id)
        data = validated_input(request, ActionRaiseSerializer, user=request.user)
        del data["unit"]
        data.setdefault("priority", None)
        action = services.action_raise(
            acting_user=request.user, unit=log.unit, request=request, **data
        )
        return self._detail(action, status.HTTP_201_CREATED)

    @extend_schema(
        summary="My actions",
        description="The open actions you own, in person or as a member of the owning unit, "
        "soonest due first.",
        responses={200: ActionSerializer(many=True)},
    )
    @route(detail=False, methods=["get"])
    def mine(self, request):
        page = self.paginate_queryset(selectors.my_actions(request.user))
        return self.get_paginated_response(ActionSerializer(page, many=True).data)

    @extend_schema(
        methods=["get"],
        summary="The action's progress updates",
        responses={200: ActionUpdateSerializer(many=True)},
    )
    @extend_schema(
        methods=["post"],
        summary="Add a progress update",
        description="The owner (or a chair or administrator over the unit) records progress and "
        "the RAG rating it leaves the action at, over the `version` loaded.",
        request=ActionUpdateAddSerializer,
        responses={201: ActionDetailSerializer, **CHANGED_SINCE},
    )
    @route(detail=True, methods=["get", "post"])
    def updates(self, request, pk=None):
        action = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.action_updates(action))
            return self.get_paginated_response(ActionUpdateSerializer(page, many=True).data)
        data = validated_input(request, ActionUpdateAddSerializer)
        action = services.action_update_add(
            acting_user=request.user,
            action=action,
            text=data["text"],
            rag=data["rag"],
            expected_version=data["version"],
            request=request,
        )
        return self._detail(action, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the RAG rating",
        description="Kept among the dated updates, with `note` when given.",
        request=ActionRagSerializer,
        responses={200: ActionDetailSerializer, **CHANGED_SINCE},
    )
    @route(detail=True, methods=["post"])
    def rag(self, request, pk=None):
        action = self.get_object()
        data = validated_input(request, ActionRagSerializer)
        action = services.action_rag_set(
            acting_user=request.user,
            action=action,
            rag=data["rag"],
            note=data.get("note", ""),
            expected_version=data["version"],
            request=request,
        )
        return self._detail(action)

    @extend_schema(
        operation_id="actions_rag_many",
        summary="Change the RAG rating of several actions",
        description="All or none, each over the `version` loaded and by the same rules as one "
        "action's change: when any is refused nothing changes, and the answer (400) names each "
        "refused action and why, under `actions`.",
        request=ActionRagManySerializer,
        responses={200: ActionSerializer(many=True)},
    )
    @route(detail=False, methods=["post"], url_path="rag")
    def rag_many(self, request):
        data = validated_input(request, ActionRagManySerializer)
        loaded = data["actions"]
        actions = selectors.get_actions_for(request.user, [one["id"] for one in loaded])
        changed = services.action_rag_set_many(
            acting_user=request.user,
            actions=[(action, one["version"]) for action, one in zip(actions, loaded, strict=True)],
            rag=data["rag"],
            note=data["note"],
            request=request,
        )
        rows = selectors.with_log_columns(selectors.actions_visible_to(request.user))
        rows = rows.filter(pk__in=[action.pk for action in changed])
        return Response(ActionSerializer(rows, many=True).data)

    @extend_schema(
        summary="Close the action",
        description="With its outcome (required): at a sitting meeting (`meeting`) by its chair; "
        "between meetings by a chair or administrator over the unit.",
        request=ActionCloseSerializer,
        responses={200: ActionDetailSerializer, **CHANGED_SINCE},
    )
    @route(detail=True, methods=["post"])
    def close(self, request, pk=None):
        action = self.get_object()
        data = validated_input(request, ActionCloseSerializer, user=request.user)
        action = services.action_close(
            acting_user=request.user,
            action=action,
            outcome=data["outcome"],
            meeting=data.get("meeting"),
            expected_version=data["version"],
            request=request,
        )
        return self._detail(action)


def register(router) -> None:
    """Add the action log's resources to the tasking API's router."""
    router.register("actions", ActionViewSet, basename="action")
