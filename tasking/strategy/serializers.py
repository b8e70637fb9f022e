"""What the control strategy API shows of strategies, priorities and intelligence requirements,
and the shape of what it accepts (the services check the rules)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nim_portal.api.fields import IdField, MarkingLabelField, RowField
from nim_portal.choices import GSCMarking
from nim_portal.models import Unit, User
from products.models import ProductVersion
from tasking.safeguards.api import AuthorityInputSerializer, AuthoritySerializer
from tasking.strategy import selectors, services
from tasking.strategy.choices import EvaluationOutcome, RequirementLinkRole
from tasking.strategy.models import (
    ControlStrategy,
    IntelligenceRequirement,
    IntelligenceRequirementItem,
    Priority,
    PriorityEvaluation,
    RequirementItemProduct,
)

# Reads.


def _person(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


class PrioritySerializer(serializers.ModelSerializer):
    owner_name = serializers.SerializerMethodField()
    override_by_name = serializers.SerializerMethodField()
    scores = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="The value given to each dimension of the strategy's MoRiLE matrix.",
    )
    edit_token = serializers.SerializerMethodField(
        help_text="Send it back with a change: a change over a stale token is refused (409)."
    )

    class Meta:
        model = Priority
        fields = [
            "id",
            "control_strategy",
            *services.PRIORITY_FIELDS,
            "owner_name",
            "scores",
            "score",
            "score_rank",
            "rank",
            "override_rank",
            "override_reason",
            "override_by",
            "override_by_name",
            "override_at",
            "edit_token",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_owner_name(self, priority: Priority) -> str:
        return _person(priority.owner)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_override_by_name(self, priority: Priority) -> str | None:
        return _person(priority.override_by)

    @extend_schema_field(serializers.CharField())
    def get_edit_token(self, priority: Priority) -> str:
        return services.edit_token(priority)


class RequirementItemSerializer(serializers.ModelSerializer):
    control_strategy = serializers.IntegerField(
        source="requirement.control_strategy_id", read_only=True
    )
    owner_name = serializers.SerializerMethodField()
    closed_by_name = serializers.SerializerMethodField()
    edit_token = serializers.SerializerMethodField(
        help_text="Send it back with a change: a change over a stale token is refused (409)."
    )
    covert = serializers.BooleanField(source="is_covert", read_only=True)
    authority = AuthoritySerializer(
        read_only=True, allow_null=True, help_text="A covert item's authority, else null."
    )

    class Meta:
        model = IntelligenceRequirementItem
        fields = [
            "id",
            "control_strategy",
            "priority",
            "question",
            "sources_to_task",
            "owner",
            "owner_name",
            "review_date",
            "open_to_partners",
            "status",
            "closing_note",
            "closed_by",
            "closed_by_name",
            "closed_at",
            "edit_token",
            "covert",
            "authority",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_owner_name(self, item) -> str:
        return _person(item.owner)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_closed_by_name(self, item) -> str | None:
        return _person(item.closed_by)

    @extend_schema_field(serializers.CharField())
    def get_edit_token(self, item) -> str:
        return services.edit_token(item)


class RequirementSerializer(serializers.ModelSerializer):
    approved_by_name = serializers.SerializerMethodField()
    items = RequirementItemSerializer(many=True, read_only=True, source="visible_items")

    class Meta:
        model = IntelligenceRequirement
        fields = [
            "id",
            "control_strategy",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "items",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_approved_by_name(self, requirement) -> str | None:
        return _person(requirement.approved_by)


class ControlStrategySerializer(serializers.ModelSerializer):
    """A control strategy as the list shows it."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    marking_label = MarkingLabelField()
    informed_by_product = serializers.IntegerField(source="informed_by.product_id", read_only=True)
    informed_by_version = serializers.IntegerField(source="informed_by.number", read_only=True)
    priority_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ControlStrategy
        fields = [
            "id",
            "unit",
            "unit_name",
            "title",
            "period_start",
            "period_end",
            "marking",
            "marking_label",
            "status",
            "informed_by",
            "informed_by_product",
            "informed_by_version",
            "approved_at",
            "superseded_by",
            "superseded_at",
            "priority_count",
        ]
        read_only_fields = fields


class ControlStrategyDetailSerializer(ControlStrategySerializer):
    """A control strategy with its priorities in rank order."""

    priorities = PrioritySerializer(many=True, read_only=True)

    class Meta(ControlStrategySerializer.Meta):
        fields = [*ControlStrategySerializer.Meta.fields, "matrix", "drafted_by", "priorities"]
        read_only_fields = fields


class RequirementItemProductSerializer(serializers.ModelSerializer):
    """A link of an item to a product the reader may read (the others are never listed)."""

    product_title = serializers.CharField(source="product.title", read_only=True)
    product_kind = serializers.CharField(source="product.kind", read_only=True)
    product_marking = serializers.CharField(
        source="product.get_envelope_marking_display",
        read_only=True,
        help_text="The marking of its title and summary.",
    )
    linked_by_name = serializers.SerializerMethodField()

    class Meta:
        model = RequirementItemProduct
        fields = [
            "id",
            "item",
            "product",
            "product_title",
            "product_kind",
            "product_marking",
            "role",
            "linked_by",
            "linked_by_name",
            "linked_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_linked_by_name(self, link) -> str:
        return _person(link.linked_by)


class ItemProductsSerializer(serializers.Serializer):
    """An item's links to products the reader may read, and how many others are withheld."""

    gap_sources = RequirementItemProductSerializer(many=True)
    answers = RequirementItemProductSerializer(many=True)
    withheld = serializers.IntegerField(
        help_text="Links to products you may not read: counted, never named."
    )


class PriorityEvaluationSerializer(serializers.ModelSerializer):
    control_strategy = serializers.IntegerField(
        source="priority.control_strategy_id", read_only=True
    )
    priority_theme = serializers.CharField(source="priority.theme", read_only=True)
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = PriorityEvaluation
        fields = [
            "id",
            "control_strategy",
            "priority",
            "priority_theme",
            "sitting",
            "activity",
            "results",
            "outcome",
            "measures",
            "actions_raised",
            "actions_closed",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_recorded_by_name(self, evaluation) -> str:
        return _person(evaluation.recorded_by)


# Input: the shape of a request only; the services check the rules.


class ControlStrategyDraftSerializer(serializers.Serializer):
    unit = RowField(queryset=Unit.objects.all())
    title = serializers.CharField(max_length=200)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    informed_by = RowField(
        queryset=ProductVersion.objects.none(),
        help_text="A published strategic assessment version you may read.",
    )
    marking = serializers.ChoiceField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A version the user may not read is refused like one that does not exist.
        request = self.context.get("request")
        if request is not None:
            self.fields["informed_by"].queryset = selectors.strategic_assessment_versions_for(
                request.user
            )


class PriorityFieldsSerializer(serializers.Serializer):
    theme = serializers.CharField(max_length=200)
    rationale = serializers.CharField()
    objective_intelligence = serializers.CharField(required=False, allow_blank=True)
    objective_prevention = serializers.CharField(required=False, allow_blank=True)
    objective_enforcement = serializers.CharField(required=False, allow_blank=True)
    objective_reassurance = serializers.CharField(required=False, allow_blank=True)
    organised_crime = serializers.BooleanField(required=False)
    plan_pursue = serializers.CharField(required=False, allow_blank=True)
    plan_prepare = serializers.CharField(required=False, allow_blank=True)
    plan_protect = serializers.CharField(required=False, allow_blank=True)
    plan_prevent = serializers.CharField(required=False, allow_blank=True)
    owner = RowField(queryset=User.objects.filter(is_active=True))


class PriorityAddSerializer(PriorityFieldsSerializer):
    scores = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="A value for every dimension of the matrix, to score it at once.",
    )


class EditTokenSerializer(serializers.Serializer):
    """A change over the state its sender loaded (the services' `loaded_token`)."""

    edit_token = serializers.CharField(
        source="loaded_token",
        max_length=64,
        help_text="The `edit_token` of the record as you loaded it.",
    )


class PriorityUpdateSerializer(PriorityFieldsSerializer, EditTokenSerializer):
    pass


class PriorityScoreSerializer(EditTokenSerializer):
    scores = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="A value for every dimension of the strategy's matrix, within its scale.",
    )


class PriorityOverrideSerializer(EditTokenSerializer):
    rank = IdField(allow_null=True, help_text="The rank to place it at; null clears the override.")
    reason = serializers.CharField(help_text="Why: kept with the ranking and in its history.")


class RequirementItemFieldsSerializer(serializers.Serializer):
    question = serializers.CharField()
    sources_to_task = serializers.CharField(required=False, allow_blank=True)
    owner = RowField(queryset=User.objects.filter(is_active=True))
    review_date = serializers.DateField()
    open_to_partners = serializers.BooleanField(required=False)


class RequirementItemAddSerializer(RequirementItemFieldsSerializer, AuthorityInputSerializer):
    """A new item; a covert collection item with its authority, refused without it."""


class RequirementItemUpdateSerializer(RequirementItemFieldsSerializer, EditTokenSerializer):
    pass


class RequirementItemCloseSerializer(EditTokenSerializer):
    note = serializers.CharField(help_text="What answered it, or why it is no longer needed.")


class ItemProductLinkSerializer(serializers.Serializer):
    product = IdField(help_text="A product you may read (any other is refused as unknown).")
    role = serializers.ChoiceField(
        choices=RequirementLinkRole.choices,
        help_text="gap_source: its intelligence gaps are answered by the item; answer: it "
        "answers the item.",
    )


class PriorityEvaluationInputSerializer(serializers.Serializer):
    meeting = IdField(help_text="The ST&CG sitting now, of the priority's unit.")
    priority = IdField()
    activity = serializers.CharField(allow_blank=True)
    results = serializers.CharField(allow_blank=True)
    outcome = serializers.ChoiceField(choices=EvaluationOutcome.choices)
    measures = serializers.CharField(required=False, allow_blank=True)
