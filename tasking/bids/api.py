"""Bids in the API: the bids of a meeting (or all you may read), one bid, submitting one before
the TT&CG sits, and the chair's ranking and decisions (accept, decline, defer).

Thin like the pages: reads go through tasking.bids.selectors (missing and forbidden give the same
404), writes through tasking.bids.services. A service's PermissionDenied becomes 403 with its
message, its ValidationError 400 (a bid beyond the unit's capability without an escalation among
them, under `escalation`), and a change sent over an older `version` than the one saved 409 with
the version saved now.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from nim_portal.api.fields import IdField, MarkingLabelField, RowField
from nim_portal.api.inputs import id_param, validated_input
from nim_portal.choices import GSCMarking
from nim_portal.ids import ID_PATTERN
from nim_portal.models import Unit, User
from products.models import Product
from products.selectors import visible_products
from tasking.actions.choices import ActionType
from tasking.bids import selectors, services
from tasking.bids.models import Bid
from tasking.meetings.selectors import meeting_for_user
from tasking.proceedings.models import Escalation
from tasking.resources.api import CHANGED_SINCE
from tasking.resources.models import MAX_HOURS, Capability
from tasking.resources.selectors import capabilities_visible_to
from tasking.safeguards.api import AuthorityInputSerializer
from tasking.strategy.models import Priority
from tasking.strategy.selectors import priorities_visible_to


class BidSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    priority_theme = serializers.CharField(source="priority.theme", read_only=True)
    marking_label = MarkingLabelField()
    capability = serializers.IntegerField(source="commitment.capability_id", read_only=True)
    capability_name = serializers.CharField(source="commitment.capability.name", read_only=True)
    hours = serializers.IntegerField(source="commitment.hours", read_only=True)
    product = serializers.SerializerMethodField()
    proposed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Bid
        fields = [
            "id",
            "reference",
            "meeting",
            "unit",
            "unit_name",
            "priority",
            "priority_theme",
            "title",
            "activity",
            "action_type",
            "justification",
            "product",
            "capability",
            "capability_name",
            "hours",
            "marking",
            "marking_label",
            "status",
            "rank",
            "proposed_by",
            "proposed_by_name",
            "submitted_at",
            "decision_reason",
            "decided_at",
            "action",
            "escalation",
            "version",
        ]
        read_only_fields = fields

    def get_product(self, bid) -> int | None:
        """The justifying product, named only to a reader who may read it."""
        return bid.product_id if getattr(bid, "product_readable", False) else None

    def get_proposed_by_name(self, bid) -> str:
        return bid.proposed_by.get_full_name() or bid.proposed_by.username


class BidSubmitSerializer(serializers.Serializer):
    meeting = IdField(help_text="The TT&CG the bid goes to, before it sits.")
    priority = RowField(
        queryset=Priority.objects.none(),
        required=False,
        allow_null=True,
        help_text="A priority of the control strategy the unit works under today (required).",
    )
    title = serializers.CharField()
    activity = serializers.CharField()
    action_type = serializers.ChoiceField(choices=ActionType.choices)
    justification = serializers.CharField()
    capability = RowField(queryset=Capability.objects.none(), required=False, allow_null=True)
    hours = serializers.IntegerField(min_value=1, max_value=MAX_HOURS)
    marking = serializers.ChoiceField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    product = RowField(
        queryset=Product.objects.none(),
        required=False,
        allow_null=True,
        help_text="The product that justifies the activity: one you may read.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # What the user may not read is refused like what does not exist (without a user, as
        # when the schema is generated, none is accepted).
        if user is not None:
            self.fields["priority"].queryset = priorities_visible_to(user)
            self.fields["capability"].queryset = capabilities_visible_to(user)
            self.fields["product"].queryset = visible_products(user)


class VersionSerializer(serializers.Serializer):
    version = IdField(help_text="The `version` of the bid as you loaded it.")


class BidRankSerializer(VersionSerializer):
    rank = serializers.IntegerField(min_value=1, max_value=services.MAX_RANK)


class BidAcceptSerializer(VersionSerializer, AuthorityInputSerializer):
    due_date = serializers.DateField(help_text="When the action it becomes is due.")
    owner_user = RowField(queryset=User.objects.filter(is_active=True), required=False)
    owner_unit = RowField(queryset=Unit.objects.filter(is_active=True), required=False)
    escalation = RowField(
        queryset=Escalation.objects.none(),
        required=False,
        allow_null=True,
        help_text="The unit's escalation that carries hours beyond its capability.",
    )

    def __init__(self, *args, bid=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bid is not None:
            self.fields["escalation"].queryset = selectors.escalations_for_bid(user, bid)


class BidReasonSerializer(VersionSerializer):
    reason = serializers.CharField(help_text="Why (required).")


@extend_schema_view(
    list=extend_schema(
        summary="Bids",
        description="The bids of a TT&CG (`meeting`), ranked first, then as submitted; or every "
        "bid you may read: of your units and those below them, and your own. None marked "
        "above your vetting.",
        parameters=[OpenApiParameter("meeting", OpenApiTypes.INT)],
        responses={200: BidSerializer(many=True)},
    ),
    retrieve=extend_schema(summary="One bid", responses={200: BidSerializer}),
    create=extend_schema(
        summary="Submit a bid",
        description="Proposed tactical activity to a TT&CG of the unit before it sits: against "
        "a priority of its control strategy, asking for hours of one of its capabilities.",
        request=BidSubmitSerializer,
        responses={201: BidSerializer},
    ),
)
class BidViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Bids, through the same services and selectors as the pages."""

    serializer_class = BidSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []

    def get_queryset(self):
        user = self.request.user
        meeting_id = id_param(self.request, "meeting", "Give the id of a meeting.")
        if meeting_id is not None:
            return selectors.bids_for_meeting(user, meeting_for_user(user, meeting_id))
        return selectors.with_bid_columns(selectors.bids_visible_to(user), user).order_by(
            "-submitted_at", "-pk"
        )

    def get_object(self) -> Bid:
        return selectors.get_bid_for(self.request.user, self.kwargs["pk"])

    def _answer(self, bid: Bid, status_code=status.HTTP_200_OK) -> Response:
        bid = selectors.get_bid_for(self.request.user, bid.pk)
        return Response(BidSerializer(bid).data, status=status_code)

    def create(self, request, *args, **kwargs):
        meeting_id = request.data.get("meeting")
        meeting = None if meeting_id is None else meeting_for_user(request.user, meeting_id)
        data = validated_input(request, BidSubmitSerializer, user=request.user)
        del data["meeting"]
        data.setdefault("priority", None)
        data.setdefault("capability", None)
        bid = services.bid_submit(
            acting_user=request.user, meeting=meeting, request=request, **data
        )
        return self._answer(bid, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rank a bid",
        description="The meeting's chair places it in the meeting's order (1 first).",
        request=BidRankSerializer,
        responses={200: BidSerializer, **CHANGED_SINCE},
    )
    @route(detail=True, methods=["post"])
    def rank(self, request, pk=None):
        bid = self.get_object()
        data = validated_input(request, BidRankSerializer)
        bid = services.bid_rank(
            acting_user=request.user,
            bid=bid,
            rank=data["rank"],
            expected_version=data["version"],
            request=request,
        )
        return self._answer(bid)

    @extend_schema(
        summary="Accept a bid",
        description="At the sitting, its chair: the bid becomes an action on the unit's log and "
        "the hours it asked for are committed to it. Hours beyond what the unit has left in "
        "the cycle are refused (400 under `escalation`) unless `escalation` carries them.",
        request=BidAcceptSerializer,
        responses={200: BidSerializer, **CHANGED_SINCE},
    )
    @route(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        bid = self.get_object()
        data = validated_input(request, BidAcceptSerializer, bid=bid, user=request.user)
        bid = services.bid_accept(
            acting_user=request.user,
            bid=bid,
            expected_version=data.pop("version"),
            request=request,
            **data,
        )
        return self._answer(bid)

    def _with_reason(self, request, service):
        bid = self.get_object()
        data = validated_input(request, BidReasonSerializer)
        bid = service(
            acting_user=request.user,
            bid=bid,
            reason=data["reason"],
            expected_version=data["version"],
            request=request,
        )
        return self._answer(bid)

    @extend_schema(
        summary="Decline a bid",
        description="At the sitting, its chair, with the reason (required).",
        request=BidReasonSerializer,
        responses={200: BidSerializer, **CHANGED_SINCE},
    )
    @route(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._with_reason(request, services.bid_decline)

    @extend_schema(
        summary="Defer a bid",
        description="At the sitting, its chair, with the reason (required).",
        request=BidReasonSerializer,
        responses={200: BidSerializer, **CHANGED_SINCE},
    )
    @route(detail=True, methods=["post"])
    def defer(self, request, pk=None):
        return self._with_reason(request, services.bid_defer)


def register(router) -> None:
    """Add bids to the tasking API's router."""
    router.register("bids", BidViewSet, basename="bid")
