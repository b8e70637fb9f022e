"""What the products API shows and accepts. Every serializer names its fields; input serializers
only check the shape of a request, whose data then goes to a service in products.services."""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nim_portal.api.fields import IdField, MarkingLabelField, RowField
from nim_portal.choices import GSCMarking
from nim_portal.models import Unit, User
from products import selectors
from products.choices import (
    ClosureReason,
    FeedbackUsefulness,
    ReviewStandard,
    SubjectKind,
    SubjectRole,
)
from products.models import (
    Product,
    ProductFeedback,
    ProductUnitShare,
    ProductVersion,
    ReviewComment,
    Section,
    TermsOfReference,
)
from products.services import DETAIL_FIELDS

# Reads.

WITHHELD_HELP = (
    "True when the section is marked above your vetting: only its place and marking are given, "
    "its other fields are null (docs/access.md, Portion marking)."
)


def _reader(serializer: serializers.Serializer):
    """Who the answer is for: the request's user (nobody, so everything withheld, without one)."""
    request = serializer.context.get("request")
    return request.user if request is not None else AnonymousUser()


class SectionSerializer(serializers.ModelSerializer):
    marking_label = MarkingLabelField()
    updated_by = serializers.CharField(
        source="updated_by.get_full_name", read_only=True, allow_null=True, default=None
    )
    withheld = serializers.SerializerMethodField(help_text=WITHHELD_HELP)

    class Meta:
        model = Section
        fields = [
            "id",
            "position",
            "title",
            "marking",
            "marking_label",
            "body",
            "releasable_to_partners",
            "revision",
            "updated_by",
            "updated_at",
            "withheld",
        ]
        read_only_fields = fields
        extra_kwargs = {
            name: {"allow_null": True}
            for name in ("title", "body", "releasable_to_partners", "revision", "updated_at")
        }

    def get_withheld(self, section: Section) -> bool:
        return False

    def to_representation(self, section: Section) -> dict:
        if selectors.withheld_from(_reader(self), section.marking):
            shown = dict.fromkeys(self.Meta.fields)
            shown.update(
                id=section.pk,
                position=section.position,
                marking=section.marking,
                marking_label=section.get_marking_display(),
                withheld=True,
            )
            return shown
        return super().to_representation(section)


class ProductSerializer(serializers.ModelSerializer):
    """A product as the register lists it."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    owner_name = serializers.CharField(source="owner.get_full_name", read_only=True)
    marking_label = serializers.CharField(read_only=True, help_text="With its descriptor.")
    overdue = serializers.SerializerMethodField(
        help_text="Past its due date and neither published nor closed."
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "kind",
            "title",
            "unit",
            "unit_name",
            "status",
            "marking",
            "descriptor",
            "marking_label",
            "owner",
            "owner_name",
            "requester",
            "due_date",
            "overdue",
            "need_to_know",
            "current_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, product: Product) -> bool:
        return product.is_overdue_on(timezone.localdate())


class ProductDetailSerializer(ProductSerializer):
    """One product with its details and its sections in order."""

    requester_name = serializers.CharField(source="requester.get_full_name", read_only=True)
    terms_agreed = serializers.BooleanField(source="terms.is_agreed", read_only=True)
    sections = SectionSerializer(many=True, read_only=True)
    # Empty until set: read-only model fields lose `allow_blank`, and the schema its "" value.
    subject_kind = serializers.ChoiceField(SubjectKind.choices, allow_blank=True, read_only=True)
    subject_role = serializers.ChoiceField(SubjectRole.choices, allow_blank=True, read_only=True)
    closed_reason = serializers.ChoiceField(ClosureReason.choices, allow_blank=True, read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = [
            *ProductSerializer.Meta.fields,
            "requester_name",
            "terms_agreed",
            # The details an editor sets that the list does not show already.
            *(name for name in DETAIL_FIELDS if name not in ProductSerializer.Meta.fields),
            "closed_reason",
            "closed_reason_text",
            "closed_at",
            "sections",
        ]
        read_only_fields = fields


class EmptySectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    title = serializers.CharField(read_only=True)


class ProductSubmittedSerializer(ProductDetailSerializer):
    """The product just submitted, with the sections it went with empty (the warning the page
    gives before submitting: they do not stop the submission)."""

    empty_sections = EmptySectionSerializer(many=True, read_only=True)

    class Meta(ProductDetailSerializer.Meta):
        fields = [*ProductDetailSerializer.Meta.fields, "empty_sections"]
        read_only_fields = fields


class TermsSerializer(serializers.ModelSerializer):
    marking_label = MarkingLabelField()
    is_agreed = serializers.BooleanField(read_only=True)

    class Meta:
        model = TermsOfReference
        fields = [
            "requester",
            "developer",
            "purpose",
            "questions",
            "scope",
            "sources_and_methods",
            "deadline",
            "marking",
            "marking_label",
            "distribution",
            "review_date",
            "agreed_by_requester",
            "agreed_by_requester_at",
            "agreed_by_developer",
            "agreed_by_developer_at",
            "is_agreed",
            "updated_at",
        ]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    """A published version's record, without its content."""

    marking_label = MarkingLabelField()
    author = serializers.CharField(source="author.get_username", read_only=True)
    reviewer = serializers.CharField(source="reviewer.get_username", read_only=True)

    class Meta:
        model = ProductVersion
        fields = [
            "number",
            "published_at",
            "marking",
            "marking_label",
            "author",
            "reviewer",
            "sha256",
        ]
        read_only_fields = fields


class VersionSectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    title = serializers.CharField(allow_null=True)
    marking = serializers.ChoiceField(choices=GSCMarking.choices)
    body = serializers.CharField(allow_null=True)
    releasable = serializers.BooleanField(allow_null=True)
    withheld = serializers.BooleanField(help_text=WITHHELD_HELP)


class VersionContentSerializer(serializers.Serializer):
    """The snapshot approved by the reviewer, whose canonical JSON the SHA-256 digests."""

    product = serializers.IntegerField()
    kind = serializers.CharField()
    version = serializers.IntegerField()
    published_at = serializers.CharField()
    author = serializers.CharField()
    reviewer = serializers.CharField()
    title = serializers.CharField()
    marking = serializers.ChoiceField(choices=GSCMarking.choices)
    descriptor = serializers.CharField()
    handling_instructions = serializers.CharField()
    sections = VersionSectionSerializer(many=True)


class VersionDetailSerializer(VersionSerializer):
    content = serializers.SerializerMethodField(
        help_text="The snapshot; each section above your vetting withheld (its marking only)."
    )

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "content"]
        read_only_fields = fields

    @extend_schema_field(VersionContentSerializer)
    def get_content(self, version: ProductVersion) -> dict:
        sections = selectors.version_sections_for(_reader(self), version)
        shown = [
            {
                "id": section.id,
                "position": section.position,
                "marking": section.marking,
                "withheld": section.withheld,
                "title": None if section.withheld else section.title,
                "body": None if section.withheld else section.body,
                "releasable": None if section.withheld else section.releasable,
            }
            for section in sections
        ]
        return VersionContentSerializer({**version.content, "sections": shown}).data


class FieldChangeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="title, marking, descriptor or handling_instructions.")
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class SideBySideRowSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="equal, replace, delete or insert.")
    left_number = serializers.IntegerField(allow_null=True)
    left = serializers.CharField()
    right_number = serializers.IntegerField(allow_null=True)
    right = serializers.CharField()


class SectionDifferenceSerializer(serializers.Serializer):
    section_id = serializers.IntegerField()
    status = serializers.CharField(
        help_text="added, removed, changed or unchanged; withheld when the section is marked "
        "above your vetting in either version (its markings only, its text never compared)."
    )
    title_before = serializers.CharField(allow_null=True)
    title_after = serializers.CharField(allow_null=True)
    marking_before = serializers.IntegerField(allow_null=True)
    marking_after = serializers.IntegerField(allow_null=True)
    releasable_before = serializers.BooleanField(allow_null=True)
    releasable_after = serializers.BooleanField(allow_null=True)
    unified = serializers.ListField(child=serializers.CharField())
    side_by_side = SideBySideRowSerializer(many=True)


class ComparisonSerializer(serializers.Serializer):
    before = VersionSerializer()
    after = VersionSerializer()
    changed_fields = serializers.SerializerMethodField()
    sections = SectionDifferenceSerializer(many=True)

    @extend_schema_field(FieldChangeSerializer(many=True))
    def get_changed_fields(self, comparison) -> list[dict]:
        return [
            {"name": name, "before": before, "after": after}
            for name, (before, after) in comparison.changed_fields.items()
        ]


class ReviewCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)

    class Meta:
        model = ReviewComment
        fields = [
            "id",
            "section",
            "version_number",
            "author",
            "author_name",
            "text",
            "created_at",
            "resolved",
        ]
        read_only_fields = fields


class ShareSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ProductUnitShare
        fields = ["unit", "unit_name", "granted_by", "granted_at"]
        read_only_fields = fields


class SectionSavedSerializer(serializers.Serializer):
    section = SectionSerializer()
    notice = serializers.CharField(help_text="Set when the product's marking was raised.")


class SectionEditConflictSerializer(serializers.Serializer):
    """Somebody saved the section after you loaded it: nothing was saved; here are both texts."""

    detail = serializers.CharField()
    code = serializers.CharField()
    section = serializers.IntegerField()
    loaded_revision = serializers.IntegerField()
    current_revision = serializers.IntegerField()
    current_body = serializers.CharField()
    your_body = serializers.CharField()


class NeedToKnowGrantedSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    granted = serializers.BooleanField(help_text="False when the person already held it.")


# Input.


class ProductCommissionSerializer(serializers.ModelSerializer):
    unit = RowField(queryset=Unit.objects.all())
    owner = RowField(queryset=User.objects.all(), help_text="The developing analyst.")
    requester = RowField(queryset=User.objects.all())

    class Meta:
        model = Product
        fields = ["unit", "kind", "owner", "requester", "marking", *DETAIL_FIELDS]
        extra_kwargs = {name: {"required": False} for name in ("marking", *DETAIL_FIELDS)}
        extra_kwargs["title"] = {"required": True}


class ProductUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = list(DETAIL_FIELDS)
        extra_kwargs = {name: {"required": False} for name in DETAIL_FIELDS}


class TermsUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = TermsOfReference
        fields = list(TermsOfReference.EDITABLE_FIELDS)
        extra_kwargs = {name: {"required": False} for name in TermsOfReference.EDITABLE_FIELDS}


class SectionUpdateSerializer(serializers.Serializer):
    revision = IdField(help_text="The section's revision when you loaded it.")
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False)
    marking = serializers.ChoiceField(choices=GSCMarking.choices, required=False)
    releasable_to_partners = serializers.BooleanField(required=False)


class SectionAddSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    marking = serializers.ChoiceField(
        choices=GSCMarking.choices, required=False, help_text="The product's marking if not given."
    )


class SectionReorderSerializer(serializers.Serializer):
    sections = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        help_text="Ids of every section of the product, in their new order.",
    )


class ReviewCommentCreateSerializer(serializers.Serializer):
    text = serializers.CharField()
    section = IdField(
        required=False, allow_null=True, help_text="Id of the section it is about, if one."
    )


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="What needs changing (may be left out if comments were already added).",
    )
    section = IdField(
        required=False, allow_null=True, help_text="Id of the section the comment is about."
    )


class ProfileDueForReviewSerializer(serializers.ModelSerializer):
    """A profile due for review, as the TT&CG lists it."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    owner_name = serializers.CharField(source="owner.get_full_name", read_only=True)
    review_date = serializers.DateField(source="terms.review_date", read_only=True)
    requester_name = serializers.CharField(source="requester.get_full_name", read_only=True)
    envelope_marking_label = serializers.CharField(
        read_only=True, help_text="The marking of its title and summary, with its descriptor."
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "kind",
            "title",
            "unit",
            "unit_name",
            "status",
            "envelope_marking",
            "envelope_marking_label",
            "owner",
            "owner_name",
            "requester",
            "requester_name",
            "review_date",
        ]
        read_only_fields = fields


class ProfilesDueForReviewQuerySerializer(serializers.Serializer):
    unit = RowField(queryset=Unit.objects.all(), help_text="Id of the TT&CG's unit.")
    on = serializers.DateField(
        required=False, help_text="Due for review by this day (today if not given)."
    )


class FeedbackSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)

    class Meta:
        model = ProductFeedback
        fields = [
            "id",
            "version_number",
            "author",
            "author_name",
            "usefulness",
            "comment",
            "created_at",
        ]
        read_only_fields = fields


class FeedbackCreateSerializer(serializers.Serializer):
    usefulness = serializers.ChoiceField(choices=FeedbackUsefulness.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ApproveSerializer(serializers.Serializer):
    standards = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=len(ReviewStandard.values),
        required=False,
        default=list,
        help_text="The standards of the checklist confirmed: every one of "
        + ", ".join(ReviewStandard.values)
        + ".",
    )


class CloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    reason_text = serializers.CharField(required=False, allow_blank=True, default="")


class ShareInputSerializer(serializers.Serializer):
    unit = RowField(
        queryset=Unit.objects.all(), help_text="Id of the unit to share the product with."
    )


class GrantNeedToKnowSerializer(serializers.Serializer):
    user = RowField(
        queryset=User.objects.all(), help_text="Id of the police user given the need to know."
    )
