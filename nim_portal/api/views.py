"""The core app's API: the unit hierarchy (read for police users, write for admins) and /me.

Writes go through the same services as the staff pages: a service's PermissionDenied becomes 403
and its ValidationError a 400 carrying the service's message (nim_portal.api.refusals).
"""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from nim_portal import access, selectors, services
from nim_portal.api.inputs import id_param, validated_input
from nim_portal.api.serializers import (
    MeSerializer,
    TokenSerializer,
    UnitCreateSerializer,
    UnitDeactivateSerializer,
    UnitMoveSerializer,
    UnitRenameSerializer,
    UnitSerializer,
)
from nim_portal.filters import UnitFilter
from nim_portal.models import Membership, Unit, User

WHOLE_NUMBER = "Give a whole number of 1 or more."


def with_parent_id(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Annotate each unit with its parent's id, found by the path prefix, inside the same query."""
    parent = Unit.objects.filter(
        path=Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * Unit.steplen)
    )
    return units.annotate(parent_id=Subquery(parent.values("pk")[:1]))


@extend_schema_view(
    list=extend_schema(summary="List units", description="Every unit, filtered and paginated."),
    retrieve=extend_schema(summary="One unit"),
    create=extend_schema(
        summary="Add a unit",
        description="Admins of the parent unit add a unit of the kind that sits under it.",
        request=UnitCreateSerializer,
        responses={201: UnitSerializer},
    ),
    partial_update=extend_schema(
        summary="Rename a unit",
        description="Change the code and/or name of a unit you administer.",
        request=UnitRenameSerializer,
        responses={200: UnitSerializer},
    ),
)
class UnitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The policing hierarchy: national > region > force > BCU."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return with_parent_id(selectors.visible_units(self.request.user)).order_by("path")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not hasattr(self, "_administered_paths"):
            self._administered_paths = access.administered_paths(self.request.user)
        context["administered_paths"] = self._administered_paths
        return context

    def _respond(self, unit: Unit, status_code=status.HTTP_200_OK) -> Response:
        unit = self.get_queryset().get(pk=unit.pk)
        return Response(self.get_serializer(unit).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = validated_input(request, UnitCreateSerializer)
        unit = services.unit_create(acting_user=request.user, request=request, **data)
        return self._respond(unit, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        unit = self.get_object()
        data = validated_input(request, UnitRenameSerializer)
        unit = services.unit_rename(
            acting_user=request.user,
            unit=unit,
            code=data.get("code", unit.code),
            name=data.get("name", unit.name),
            request=request,
        )
        return self._respond(unit)

    @extend_schema(
        summary="The hierarchy as a flat tree",
        description=(
            "Units in tree order (each after its parent), with depth and parent id, unpaginated. "
            "Give `parent` for the branch below one unit and `depth` to stop after that many "
            "levels below it (or below the top of the hierarchy)."
        ),
        parameters=[
            OpenApiParameter(
                "parent", OpenApiTypes.INT, description="Id of the branch's top unit."
            ),
            OpenApiParameter(
                "depth", OpenApiTypes.INT, description="Levels to include (1 or more)."
            ),
        ],
        responses={200: UnitSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def tree(self, request, format=None):
        units = self.get_queryset()
        base_depth = 0
        parent = id_param(request, "parent", WHOLE_NUMBER)
        if parent is not None:
            top = selectors.get_unit_for(request.user, parent)
            units = units.filter(access.at_or_below(top, field=None), depth__gt=top.depth)
            base_depth = top.depth
        levels = id_param(request, "depth", WHOLE_NUMBER)
        if levels is not None:
            units = units.filter(depth__lte=base_depth + levels)
        return Response(self.get_serializer(units, many=True).data)

    @extend_schema(
        summary="Move a unit",
        description="Move a unit you administer, with everything below it, under a new parent.",
        request=UnitMoveSerializer,
        responses={200: UnitSerializer},
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None, format=None):
        unit = self.get_object()
        data = validated_input(request, UnitMoveSerializer)
        unit = services.unit_move(
            acting_user=request.user,
            unit=unit,
            new_parent=data["parent"],
            request=request,
        )
        return self._respond(unit)

    @extend_schema(
        summary="Deactivate a unit",
        request=UnitDeactivateSerializer,
        responses={200: UnitSerializer},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None, format=None):
        unit = self.get_object()
        data = validated_input(request, UnitDeactivateSerializer)
        unit = services.unit_deactivate(
            acting_user=request.user,
            unit=unit,
            reason=data["reason"],
            request=request,
        )
        return self._respond(unit)

    @extend_schema(summary="Reactivate a unit", request=None, responses={200: UnitSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None, format=None):
        unit = self.get_object()
        unit = services.unit_reactivate(acting_user=request.user, unit=unit, request=request)
        return self._respond(unit)


class MeView(GenericAPIView):
    """The signed-in user: vetting, the marking they may read, and their roles."""

    serializer_class = MeSerializer

    @extend_schema(summary="Who you are", responses={200: MeSerializer})
    def get(self, request):
        memberships = Membership.objects.select_related("unit").order_by("unit__path", "role")
        user = User.objects.prefetch_related(Prefetch("memberships", queryset=memberships)).get(
            pk=request.user.pk
        )
        return Response(self.get_serializer(user).data)


class MeTokenView(GenericAPIView):
    """Create or replace your own API token: the earlier one stops working at once."""

    serializer_class = TokenSerializer

    @extend_schema(
        summary="Create or replace your API token",
        description=(
            "Issues a new API token; any earlier one stops working at once. The token expires at "
            "`expires_at`, a fixed time after creation (NIM_API_TOKEN_TTL_HOURS, 30 days by "
            "default): create a new one before then. Only a digest of it is stored, so this "
            "response is the one chance to read it."
        ),
        request=None,
        responses={201: TokenSerializer},
    )
    def post(self, request):
        token, text = services.api_token_replace(acting_user=request.user, request=request)
        data = {"token": text, "created": token.created, "expires_at": token.expiry}
        return Response(self.get_serializer(data).data, status=status.HTTP_201_CREATED)


def api_address_not_found(request, address: str) -> JsonResponse:
    """Any address under /api/ that no endpoint answers: a JSON 404 like the API's own, never the
    site's HTML page (an API client reads `detail`)."""
    return JsonResponse({"detail": "No such address in the API."}, status=404)
