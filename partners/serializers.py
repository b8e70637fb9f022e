"""What the partners API shows and accepts. Every serializer names its fields; input serializers
only check the shape of a request, whose data then goes to a service in partners.services.

`PartnerReleaseSerializer` is what leaves for partner users: an explicit allow-list of the
release's own handling facts and its frozen partner title, never the product, its version, its
sections or any id of a police record."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nim_portal.api.fields import IdField, MarkingLabelField, RowField
from nim_portal.choices import GSCMarking
from nim_portal.models import Unit
from partners.choices import AgencyKind, ReleaseStatus
from partners.models import PartnerAgency, Release, ReleaseDocument
from partners.services import NPPV_LEVELS

# Agencies.


class AgencySerializer(serializers.ModelSerializer):
    lapsed_reason = serializers.SerializerMethodField(
        help_text="Why the agency may receive no new release today (empty when none)."
    )

    class Meta:
        model = PartnerAgency
        fields = [
            "id",
            "name",
            "kind",
            "units",
            "agreement_reference",
            "agreement_purpose",
            "agreement_starts_on",
            "agreement_review_on",
            "is_active",
            "lapsed_reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_lapsed_reason(self, agency: PartnerAgency) -> str:
        return agency.lapsed_reason()


class AgencyMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="Id of the membership.")
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    vetting_level = serializers.CharField(source="user.vetting_level", read_only=True)
    added_at = serializers.DateTimeField(read_only=True)


class AgencyDetailSerializer(AgencySerializer):
    people = AgencyMemberSerializer(source="memberships", many=True, read_only=True)

    class Meta(AgencySerializer.Meta):
        fields = [*AgencySerializer.Meta.fields, "people"]
        read_only_fields = fields


class AgencyWriteSerializer(serializers.Serializer):
    """An agency's details and its information sharing agreement (the service checks them)."""

    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=AgencyKind.choices)
    units = RowField(queryset=Unit.objects.all(), many=True)
    agreement_reference = serializers.CharField(max_length=100)
    agreement_purpose = serializers.CharField()
    agreement_starts_on = serializers.DateField()
    agreement_review_on = serializers.DateField()


class AgencyUpdateSerializer(AgencyWriteSerializer):
    is_active = serializers.BooleanField()


class AgencyUserAddSerializer(serializers.Serializer):
    """A new partner user of the agency, holding NPPV vetting."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    job_title = serializers.CharField(max_length=120, required=False, default="")
    vetting_level = serializers.ChoiceField(choices=[(v.value, v.label) for v in NPPV_LEVELS])
    vetting_expires_on = serializers.DateField(required=False, allow_null=True, default=None)


# Releases, for police staff.


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerAgency
        fields = ["id", "name"]
        read_only_fields = fields


class ReleaseDocumentSerializer(serializers.ModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)

    class Meta:
        model = ReleaseDocument
        fields = ["id", "agency", "status", "last_error", "sha256", "rendered_at"]
        read_only_fields = fields


class ReleaseSerializer(serializers.ModelSerializer):
    product = serializers.IntegerField(source="version.product_id", read_only=True)
    product_title = serializers.CharField(source="version.product.title", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    marking_label = MarkingLabelField()
    agencies = AgencyBriefSerializer(many=True, read_only=True)
    handling_conditions = serializers.ListField(child=serializers.CharField(), read_only=True)
    prepared_by = serializers.CharField(source="prepared_by.get_username", read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.get_username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Release
        fields = [
            "id",
            "reference",
            "status",
            "product",
            "product_title",
            "version_number",
            "section_ids",
            "marking",
            "marking_label",
            "agencies",
            "purpose",
            "retention_months",
            "expires_on",
            "handling_conditions",
            "prepared_by",
            "prepared_at",
            "approved_by",
            "approved_at",
            "available_at",
            "withdrawn_at",
            "withdrawn_reason",
        ]
        read_only_fields = fields


class ReleaseDetailSerializer(ReleaseSerializer):
    documents = ReleaseDocumentSerializer(many=True, read_only=True)
    acknowledged_warning_ids = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "acknowledged_warning_ids", "documents"]
        read_only_fields = fields


class ReleasePrepareSerializer(serializers.Serializer):
    """A draft release of one published version (the service checks every rule)."""

    product = IdField(help_text="Id of the product.")
    version_number = IdField(help_text="Number of its published version.")
    sections = serializers.ListField(child=IdField(), help_text="Ids of the sections to release.")
    agencies = RowField(queryset=PartnerAgency.objects.all(), many=True)
    marking = serializers.ChoiceField(
        choices=GSCMarking.choices, help_text="OFFICIAL or OFFICIAL-SENSITIVE."
    )
    purpose = serializers.CharField()
    retention_months = serializers.IntegerField()
    expires_on = serializers.DateField()


class WarningsAcknowledgeSerializer(serializers.Serializer):
    warnings = serializers.ListField(
        child=serializers.CharField(max_length=64), help_text="Ids of the warnings that may stand."
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Shown to partner users who try to download it.")


# Releases, for partner users: the allow-list.

# What a partner is told became of a release (past its expiry date it reads as expired).
PARTNER_RELEASE_STATUS_CHOICES = [
    (s.value, s.label)
    for s in (ReleaseStatus.AVAILABLE, ReleaseStatus.WITHDRAWN, ReleaseStatus.EXPIRED)
]


class PartnerReleaseSerializer(serializers.Serializer):
    """A release as its partner readers see it, and nothing more."""

    reference = serializers.CharField(read_only=True)
    title = serializers.SerializerMethodField(help_text="The title frozen at approval.")
    marking = serializers.CharField(source="marking_label", read_only=True)
    status = serializers.SerializerMethodField()
    expires_on = serializers.DateField(read_only=True)
    handling_conditions = serializers.ListField(child=serializers.CharField(), read_only=True)
    agency = serializers.SerializerMethodField(help_text="Your agency, the recipient.")
    download_url = serializers.SerializerMethodField(
        help_text="Where to download your own copy of the PDF, naming you and your agency, "
        "while it is available (once you accepted the handling conditions, which has it "
        "rendered); null once withdrawn or expired."
    )

    def get_title(self, release: Release) -> str:
        return release.partner_content["title"]

    @extend_schema_field(serializers.ChoiceField(choices=PARTNER_RELEASE_STATUS_CHOICES))
    def get_status(self, release: Release) -> str:
        if release.status == ReleaseStatus.WITHDRAWN:
            return ReleaseStatus.WITHDRAWN
        if release.status == ReleaseStatus.EXPIRED or release.expires_on < timezone.localdate():
            return ReleaseStatus.EXPIRED
        return ReleaseStatus.AVAILABLE

    def get_agency(self, release: Release) -> str:
        return self.context["agency"].name

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, release: Release) -> str | None:
        if self.get_status(release) != ReleaseStatus.AVAILABLE:
            return None
        path = reverse("partners:area_download", args=[release.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
