"""The control strategy API: strategies (list, read, draft, approve), their priorities (add,
change, MoRiLE score, the chair's rank override) and intelligence requirements with their items
(approve, add, review, close).

Thin like the pages: reads go through tasking.strategy.selectors (missing and forbidden give the
same 404), writes through the services (tasking.strategy.services, tasking.strategy.requirement);
what is shown and accepted is in tasking.strategy.serializers. A service's PermissionDenied becomes
403 with its message, its ValidationError 400, and a change sent over a stale `edit_token` 409 with
the token of what is saved now. Partner users get 404 on all of it (nim_portal.api.permissions).
"""

from django.db.models import Count, F, Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from nim_portal.api.inputs import id_param, validated_input
from nim_portal.api.refusals import conflict_answer
from nim_portal.ids import ID_PATTERN, id_or_404
from products.models import Product
from products.selectors import visible_products
from tasking.strategy import requirement, selectors, services
from tasking.strategy.models import (
    ControlStrategy,
    IntelligenceRequirement,
    IntelligenceRequirementItem,
    Priority,
)
from tasking.strategy.serializers import (
    ControlStrategyDetailSerializer,
    ControlStrategyDraftSerializer,
    ControlStrategySerializer,
    ItemProductLinkSerializer,
    ItemProductsSerializer,
    PriorityAddSerializer,
    PriorityOverrideSerializer,
    PriorityScoreSerializer,
    PrioritySerializer,
    PriorityUpdateSerializer,
    RequirementItemAddSerializer,
    RequirementItemCloseSerializer,
    RequirementItemSerializer,
    RequirementItemUpdateSerializer,
    RequirementSerializer,
)
from tasking.strategy.traceability import item_products_for

STALE = {
    409: OpenApiResponse(
        description="Changed by somebody else since your `edit_token`: nothing was saved. The "
        "answer carries the token of what is saved now."
    )
}
PRIORITY_ORDER = (F("rank").asc(nulls_last=True), "pk")


@conflict_answer(services.StaleEdit)
def _stale_edit(stale: services.StaleEdit, context: dict) -> dict:
    """A change sent over a stale edit token: nothing was saved; the token of what is saved now."""
    return {
        "detail": stale.messages[0],
        "code": "stale_edit",
        "edit_token": services.edit_token(stale.record),
    }


class _ChangedOverLoadedToken:
    """A viewset whose record (the services' keyword `record_keyword`) is changed over the
    `edit_token` its sender loaded (tasking.strategy.services.edited_over)."""

    record_keyword: str

    def _change_over(self, service, input_class, *, partial: bool = False) -> Response:
        record = self.get_object()
        data = validated_input(self.request, input_class, partial=partial)
        if "loaded_token" not in data:
            raise ValidationError({"edit_token": "Send the edit token you loaded."})
        changed = service(
            acting_user=self.request.user,
            request=self.request,
            **{self.record_keyword: record},
            **data,
        )
        return self._answer(changed)


# Control strategies.


@extend_schema_view(
    list=extend_schema(
        summary="Control strategies",
        description=(
            "Every control strategy you may read: approved and superseded ones of your units, "
            "the units above and below them; drafts only to their drafter and the chairs."
        ),
    ),
    retrieve=extend_schema(
        summary="One control strategy",
        description="With its priorities in rank order.",
        responses={200: ControlStrategyDetailSerializer},
    ),
    create=extend_schema(
        summary="Draft a control strategy",
        description="A chair over the unit drafts it, informed by a published strategic "
        "assessment version; it is scored on the active MoRiLE matrix.",
        request=ControlStrategyDraftSerializer,
        responses={201: ControlStrategyDetailSerializer},
    ),
)
class ControlStrategyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Control strategies, through the same services and selectors as the pages."""

    serializer_class = ControlStrategySerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []

    def get_queryset(self):
        return (
            selectors.control_strategies_visible_to(self.request.user)
            .select_related("unit", "informed_by")
            .annotate(priority_count=Count("priorities"))
            .order_by("unit__path", "-period_start", "-pk")
        )

    def get_object(self) -> ControlStrategy:
        return selectors.get_control_strategy_for(self.request.user, self.kwargs["pk"])

    def _detail(self, strategy: ControlStrategy, status_code=status.HTTP_200_OK) -> Response:
        priorities = Priority.objects.select_related("owner", "override_by").order_by(
            *PRIORITY_ORDER
        )
        strategy = (
            self.get_queryset()
            .prefetch_related(Prefetch("priorities", queryset=priorities))
            .get(pk=strategy.pk)
        )
        return Response(ControlStrategyDetailSerializer(strategy).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        data = validated_input(
            request, ControlStrategyDraftSerializer, context={"request": request}
        )
        strategy = services.control_strategy_draft(
            acting_user=request.user, request=request, **data
        )
        return self._detail(strategy, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve the control strategy",
        description="The ST&CG's approval, recorded by a chair over the unit: every priority must "
        "be scored; the unit's approved strategy, if any, is superseded.",
        request=None,
        responses={200: ControlStrategyDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        strategy = services.control_strategy_approve(
            acting_user=request.user,
            strategy=self.get_object(),
            request=request,
        )
        return self._detail(strategy)

    @extend_schema(
        summary="Add a priority",
        description="A chair over the unit adds a priority to a draft strategy, scored now "
        "(`scores`) or later.",
        request=PriorityAddSerializer,
        responses={201: PrioritySerializer},
    )
    @action(detail=True, methods=["post"])
    def priorities(self, request, pk=None):
        strategy = self.get_object()
        data = validated_input(request, PriorityAddSerializer)
        priority = services.priority_add(
            acting_user=request.user,
            strategy=strategy,
            request=request,
            **data,
        )
        return Response(PrioritySerializer(priority).data, status=status.HTTP_201_CREATED)

    def _requirement(self, strategy: ControlStrategy) -> Response:
        items = (
            selectors.requirement_items_visible_to(self.request.user)
            .select_related("owner", "closed_by", "requirement", "authority__recorded_by")
            .order_by(F("status").desc(), "review_date", "pk")
        )
        requirement = (
            IntelligenceRequirement.objects.select_related("approved_by")
            .prefetch_related(Prefetch("items", queryset=items, to_attr="visible_items"))
            .filter(control_strategy=strategy)
            .first()
        )
        if requirement is None:
            raise ValidationError(
                {"detail": "The control strategy has no intelligence requirement yet."}
            )
        return Response(RequirementSerializer(requirement).data)

    @extend_schema(
        summary="The intelligence requirement",
        description="Its items you may read: every item once the ST&CG approved it; before, "
        "those you own, or all of them if you chair over the unit.",
        responses={200: RequirementSerializer},
    )
    @action(detail=True, methods=["get"], url_path="intelligence-requirement")
    def intelligence_requirement(self, request, pk=None):
        return self._requirement(self.get_object())

    @extend_schema(
        summary="Approve the intelligence requirement",
        description="The ST&CG approves the requirement of its approved control strategy.",
        request=None,
        responses={200: RequirementSerializer},
    )
    @action(detail=True, methods=["post"], url_path="intelligence-requirement/approve")
    def intelligence_requirement_approve(self, request, pk=None):
        strategy = self.get_object()
        requirement.intelligence_requirement_approve(
            acting_user=request.user,
            strategy=strategy,
            request=request,
        )
        return self._requirement(strategy)


# Priorities.


@extend_schema_view(
    retrieve=extend_schema(summary="One priority", responses={200: PrioritySerializer}),
    partial_update=extend_schema(
        summary="Change a priority",
        description="Its theme, rationale, objectives, 4P plan or owner (not its score or rank), "
        "over the `edit_token` you loaded.",
        request=PriorityUpdateSerializer,
        responses={200: PrioritySerializer, **STALE},
    ),
)
class PriorityViewSet(_ChangedOverLoadedToken, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PrioritySerializer
    record_keyword = "priority"
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = []

    def get_queryset(self):
        return selectors.priorities_visible_to(self.request.user).select_related(
            "owner", "override_by"
        )

    def get_object(self) -> Priority:
        return selectors.get_priority_for(self.request.user, self.kwargs["pk"])

    def _answer(self, priority: Priority, status_code=status.HTTP_200_OK) -> Response:
        priority = self.get_queryset().get(pk=priority.pk)
        return Response(PrioritySerializer(priority).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return Response(PrioritySerializer(self.get_object()).data)

    def partial_update(self, request, *args, **kwargs):
        return self._change_over(
            services.priority_update_over, PriorityUpdateSerializer, partial=True
        )

    @extend_schema(
        summary="Score a priority",
        description="A value for every dimension of the strategy's MoRiLE matrix; the ranks of "
        "the strategy's priorities follow.",
        request=PriorityScoreSerializer,
        responses={200: PrioritySerializer, **STALE},
    )
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        return self._change_over(services.priority_score_over, PriorityScoreSerializer)

    @extend_schema(
        summary="Override a priority's rank",
        description="The chair places a scored priority at a rank (null: back to its place by "
        "score), with the reason, kept with the ranking and in its history.",
        request=PriorityOverrideSerializer,
        responses={200: PrioritySerializer, **STALE},
    )
    @action(detail=True, methods=["post"], url_path="override-rank")
    def override_rank(self, request, pk=None):
        return self._change_over(services.priority_override_rank_over, PriorityOverrideSerializer)

    @extend_schema(
        summary="Add an intelligence requirement item",
        description="A chair over the unit adds a question or gap for the priority.",
        request=RequirementItemAddSerializer,
        responses={201: RequirementItemSerializer},
    )
    @action(detail=True, methods=["post"], url_path="requirement-items")
    def requirement_items(self, request, pk=None):
        priority = self.get_object()
        data = validated_input(request, RequirementItemAddSerializer)
        item = requirement.ir_item_add(
            acting_user=request.user,
            priority=priority,
            request=request,
            **data,
        )
        item = selectors.get_requirement_item_for(request.user, item.pk)
        return Response(RequirementItemSerializer(item).data, status=status.HTTP_201_CREATED)


# Intelligence requirement items.


@extend_schema_view(
    list=extend_schema(
        summary="Intelligence requirement items",
        description="Every item you may read, optionally of one control strategy.",
        parameters=[
            OpenApiParameter(
                "control_strategy", OpenApiTypes.INT, description="Id of a control strategy."
            )
        ],
    ),
    retrieve=extend_schema(summary="One item", responses={200: RequirementItemSerializer}),
    partial_update=extend_schema(
        summary="Review an item",
        description="Its owner or a chair over the unit; only the chair reassigns it or opens it "
        "to partners. Over the `edit_token` you loaded.",
        request=RequirementItemUpdateSerializer,
        responses={200: RequirementItemSerializer, **STALE},
    ),
)
class RequirementItemViewSet(
    _ChangedOverLoadedToken,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RequirementItemSerializer
    record_keyword = "item"
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = []

    def get_queryset(self):
        items = (
            selectors.requirement_items_visible_to(self.request.user)
            .select_related("owner", "closed_by", "requirement", "authority__recorded_by")
            .order_by("requirement__control_strategy", F("status").desc(), "review_date", "pk")
        )
        if self.action == "list":
            strategy = id_param(
                self.request, "control_strategy", "Give the id of a control strategy."
            )
            if strategy is not None:
                items = items.filter(requirement__control_strategy_id=strategy)
        return items

    def get_object(self) -> IntelligenceRequirementItem:
        return selectors.get_requirement_item_for(self.request.user, self.kwargs["pk"])

    def _answer(self, item) -> Response:
        item = selectors.get_requirement_item_for(self.request.user, item.pk)
        return Response(RequirementItemSerializer(item).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(RequirementItemSerializer(self.get_object()).data)

    def partial_update(self, request, *args, **kwargs):
        return self._change_over(
            requirement.ir_item_update_over, RequirementItemUpdateSerializer, partial=True
        )

    @extend_schema(
        summary="Close an item",
        description="Its owner or a chair over the unit closes it with a note.",
        request=RequirementItemCloseSerializer,
        responses={200: RequirementItemSerializer, **STALE},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._change_over(requirement.ir_item_close_over, RequirementItemCloseSerializer)

    @extend_schema(
        methods=["get"],
        summary="The item's linked products",
        description="The products whose intelligence gaps the item answers and those that "
        "answer it, as far as you may read them; the links to others are only counted.",
        responses={200: ItemProductsSerializer},
    )
    @extend_schema(
        methods=["post"],
        summary="Link a product to the item",
        description="The item's owner or a chair over the unit links a product they may read "
        "to the open item (a withdrawn product is refused).",
        request=ItemProductLinkSerializer,
        responses={201: ItemProductsSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def products(self, request, pk=None):
        item = self.get_object()
        answer = status.HTTP_200_OK
        if request.method == "POST":
            data = validated_input(request, ItemProductLinkSerializer)
            requirement.ir_item_product_link(
                acting_user=request.user,
                item=item,
                product=Product.objects.filter(pk=data["product"]).first(),
                role=data["role"],
                request=request,
            )
            answer = status.HTTP_201_CREATED
        linked = item_products_for(request.user, item)
        return Response(ItemProductsSerializer(linked).data, status=answer)

    @extend_schema(
        summary="Unlink a product from the item",
        description="The item's owner or a chair over the unit removes a link to a product "
        "they may read (any other is a 404).",
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["delete"], url_path=rf"products/(?P<link_pk>{ID_PATTERN})")
    def unlink_product(self, request, pk=None, link_pk=None):
        item = self.get_object()
        link = get_object_or_404(
            item.product_links.filter(product__in=visible_products(request.user).values("pk")),
            pk=id_or_404(link_pk, "link"),
        )
        requirement.ir_item_product_unlink(acting_user=request.user, link=link, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    """Add the control strategy resources to the tasking API's router."""
    router.register("control-strategies", ControlStrategyViewSet, basename="control-strategy")
    router.register("priorities", PriorityViewSet, basename="priority")
    router.register("requirement-items", RequirementItemViewSet, basename="requirement-item")
