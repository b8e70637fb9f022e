"""The partner information API, for police triage staff: list and read the submissions they may
triage (with their conversation, attachments and 3x5x2 grading), accept, ask for more, decline
and grade them.

Thin like the pages: reads go through tasking.submissions.selectors (missing and forbidden give
the same 404), writes through tasking.submissions.services. A service's ValidationError becomes
400 with its message; a decision sent over a stale `revision` 409 with the current revision.
Partner users get 404 on all of it (nim_portal.api.permissions): partners use the partner area's
pages, which never show a grading.
"""

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from nim_portal.api.fields import IdField
from nim_portal.api.inputs import validated_input
from nim_portal.api.refusals import conflict_answer
from nim_portal.ids import ID_PATTERN
from tasking.strategy.models import Priority
from tasking.submissions import selectors, services
from tasking.submissions.choices import (
    HandlingCode,
    IntelligenceAssessment,
    SourceEvaluation,
    SubmissionStatus,
)
from tasking.submissions.models import (
    PartnerSubmission,
    SubmissionAttachment,
    SubmissionEntry,
    SubmissionGrading,
)

# What a write answers when somebody changed the record since it was read.
CHANGED_SINCE = {
    409: OpenApiResponse(
        description="Changed by somebody else since your `revision`: nothing changed. The "
        "answer carries the current revision."
    ),
}

OTHER_STRATEGY = "Choose a priority of the control strategy the question belongs to."


@conflict_answer(services.SubmissionChanged)
def _submission_changed(changed: services.SubmissionChanged, context: dict) -> dict:
    """A decision sent over a stale revision: nothing changed; the submission's revision and
    status now."""
    current = PartnerSubmission.objects.filter(pk=context["kwargs"]["pk"])
    current = current.values("revision", "status").first() or {}
    return {
        "detail": changed.messages[0],
        "code": "submission_changed",
        "current_revision": current.get("revision"),
        "current_status": current.get("status"),
    }


# What the API shows.


class SubmissionGradingSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text='As written on the record, e.g. "2B P".')
    graded_by = serializers.CharField(source="graded_by.get_full_name", read_only=True)

    class Meta:
        model = SubmissionGrading
        fields = [
            "code",
            "source_evaluation",
            "intelligence_assessment",
            "handling_code",
            "handling_conditions",
            "graded_by",
            "graded_at",
        ]
        read_only_fields = fields


class SubmissionAttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    download_url = serializers.SerializerMethodField(help_text="The audited download.")

    class Meta:
        model = SubmissionAttachment
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: SubmissionAttachment) -> str:
        return reverse(
            "tasking:submission_attachment", args=[attachment.submission_id, attachment.pk]
        )


class SubmissionEntrySerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", read_only=True)
    attachments = SubmissionAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = SubmissionEntry
        fields = ["id", "kind", "text", "author", "at", "attachments"]
        read_only_fields = fields


class PartnerSubmissionSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True)
    question = serializers.CharField(source="item.question", read_only=True)
    priority = serializers.IntegerField(
        source="item.priority_id", read_only=True, help_text="The question's own priority."
    )
    unit = serializers.CharField(
        source="item.requirement.control_strategy.unit.name", read_only=True
    )
    submitted_by = serializers.CharField(source="submitted_by.get_full_name", read_only=True)
    grading = serializers.SerializerMethodField()

    class Meta:
        model = PartnerSubmission
        fields = [
            "id",
            "reference",
            "status",
            "revision",
            "agency",
            "item",
            "question",
            "priority",
            "unit",
            "what",
            "occurred_on",
            "occurred_time",
            "occurred_until",
            "where",
            "source_type",
            "submitted_by",
            "submitted_at",
            "accepted_priority",
            "triaged_at",
            "grading",
        ]
        read_only_fields = fields

    @extend_schema_field(SubmissionGradingSerializer(allow_null=True))
    def get_grading(self, submission: PartnerSubmission):
        grading = getattr(submission, "grading", None)
        return SubmissionGradingSerializer(grading).data if grading else None


class PartnerSubmissionDetailSerializer(PartnerSubmissionSerializer):
    attachments = serializers.SerializerMethodField()
    entries = SubmissionEntrySerializer(many=True, read_only=True)

    class Meta(PartnerSubmissionSerializer.Meta):
        fields = [*PartnerSubmissionSerializer.Meta.fields, "attachments", "entries"]
        read_only_fields = fields

    @extend_schema_field(SubmissionAttachmentSerializer(many=True))
    def get_attachments(self, submission: PartnerSubmission):
        own = [a for a in submission.attachments.all() if a.entry_id is None]
        return SubmissionAttachmentSerializer(own, many=True).data


# What the API accepts.


class SubmissionDecisionSerializer(serializers.Serializer):
    revision = IdField(help_text="The revision you read: a stale one is refused (409).")


class SubmissionAcceptSerializer(SubmissionDecisionSerializer):
    priority = IdField(
        required=False,
        help_text="A priority of the question's control strategy (default: its own).",
    )
    message = serializers.CharField(required=False, allow_blank=True, default="")


class SubmissionRequestMoreSerializer(SubmissionDecisionSerializer):
    message = serializers.CharField(help_text="What more you need: the partner reads it.")


class SubmissionDeclineSerializer(SubmissionDecisionSerializer):
    reason = serializers.CharField(help_text="Why: the partner reads it.")


class SubmissionGradeSerializer(SubmissionDecisionSerializer):
    source_evaluation = serializers.ChoiceField(choices=SourceEvaluation.choices)
    intelligence_assessment = serializers.ChoiceField(choices=IntelligenceAssessment.choices)
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices)
    handling_conditions = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="Partner information to triage",
        description="The submissions of the units you triage for (analyst, chair or admin in the "
        "unit tree of the question's control strategy), newest first.",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=SubmissionStatus.values, required=False
            )
        ],
    ),
    retrieve=extend_schema(
        summary="One partner submission, with its conversation, files and grading",
        responses={200: PartnerSubmissionDetailSerializer},
    ),
)
class PartnerSubmissionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Partner information for triage staff, through tasking.submissions.services."""

    serializer_class = PartnerSubmissionSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []

    def get_queryset(self):
        wanted = self.request.query_params.get("status", "")
        if self.action == "list" and wanted and wanted not in SubmissionStatus.values:
            raise ValidationError({"status": "Give one of the submission statuses."})
        return selectors.submissions_for_triage(self.request.user).filter(
            **({"status": wanted} if self.action == "list" and wanted else {})
        )

    def get_object(self) -> PartnerSubmission:
        return selectors.get_submission_for_triage(self.request.user, self.kwargs["pk"])

    def _detail(self, submission: PartnerSubmission) -> Response:
        attachments = SubmissionAttachment.objects.order_by("uploaded_at", "id")
        submission = (
            selectors.submissions_for_triage(self.request.user)
            .prefetch_related(
                Prefetch("attachments", queryset=attachments),
                Prefetch(
                    "entries",
                    queryset=SubmissionEntry.objects.select_related("author").prefetch_related(
                        Prefetch("attachments", queryset=attachments)
                    ),
                ),
            )
            .get(pk=submission.pk)
        )
        return Response(PartnerSubmissionDetailSerializer(submission).data)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(
        summary="Accept into a priority",
        request=SubmissionAcceptSerializer,
        responses={200: PartnerSubmissionDetailSerializer, **CHANGED_SINCE},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        submission = self.get_object()
        data = validated_input(request, SubmissionAcceptSerializer)
        priority = None
        if "priority" in data:
            priority = Priority.objects.filter(
                pk=data["priority"],
                control_strategy_id=submission.item.requirement.control_strategy_id,
            ).first()
            if priority is None:
                raise ValidationError({"priority": OTHER_STRATEGY})
        services.submission_accept(
            submission=submission,
            acting_user=request.user,
            loaded_revision=data["revision"],
            priority=priority,
            message=data["message"],
            request=request,
        )
        return self._detail(submission)

    @extend_schema(
        summary="Ask the partner for more",
        request=SubmissionRequestMoreSerializer,
        responses={200: PartnerSubmissionDetailSerializer, **CHANGED_SINCE},
    )
    @action(detail=True, methods=["post"], url_path="request-more")
    def request_more(self, request, pk=None):
        submission = self.get_object()
        data = validated_input(request, SubmissionRequestMoreSerializer)
        services.submission_request_more(
            submission=submission,
            acting_user=request.user,
            loaded_revision=data["revision"],
            message=data["message"],
            request=request,
        )
        return self._detail(submission)

    @extend_schema(
        summary="Decline, with a reason",
        request=SubmissionDeclineSerializer,
        responses={200: PartnerSubmissionDetailSerializer, **CHANGED_SINCE},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        submission = self.get_object()
        data = validated_input(request, SubmissionDeclineSerializer)
        services.submission_decline(
            submission=submission,
            acting_user=request.user,
            loaded_revision=data["revision"],
            reason=data["reason"],
            request=request,
        )
        return self._detail(submission)

    @extend_schema(
        summary="Grade with 3x5x2",
        description="Never shown to the partner.",
        request=SubmissionGradeSerializer,
        responses={200: PartnerSubmissionDetailSerializer, **CHANGED_SINCE},
    )
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        submission = self.get_object()
        data = validated_input(request, SubmissionGradeSerializer)
        revision = data.pop("revision")
        services.submission_grade(
            submission=submission,
            acting_user=request.user,
            loaded_revision=revision,
            request=request,
            **data,
        )
        return self._detail(submission)


def register(router) -> None:
    """Add the partner information resources to the tasking API's router."""
    router.register("partner-submissions", PartnerSubmissionViewSet, basename="partner-submission")
