"""The products API: the register, a product with its sections, terms of reference, drafting,
the lifecycle's transitions, published versions and review comments.

Thin like the pages: every read goes through products.selectors (missing and forbidden give the
same 404) and every write through products.services. A service's PermissionDenied becomes 403
with its message, its ValidationError 400 with its message, and a stale section save 409 with
both texts.
"""

import django_filters
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from nim_portal import access
from nim_portal.api.inputs import id_param, validated_input
from nim_portal.api.refusals import conflict_answer
from nim_portal.choices import GSCMarking
from nim_portal.ids import ID_PATTERN, MAX_DATABASE_ID
from nim_portal.models import User
from products import selectors, services
from products.choices import ProductKind, ProductStatus
from products.models import Product, Section
from products.policy import ProductPolicy
from products.serializers import (
    ApproveSerializer,
    CloseSerializer,
    ComparisonSerializer,
    EmptySectionSerializer,
    FeedbackCreateSerializer,
    FeedbackSerializer,
    GrantNeedToKnowSerializer,
    NeedToKnowGrantedSerializer,
    ProductCommissionSerializer,
    ProductDetailSerializer,
    ProductSerializer,
    ProductSubmittedSerializer,
    ProductUpdateSerializer,
    ProfileDueForReviewSerializer,
    ProfilesDueForReviewQuerySerializer,
    ReturnSerializer,
    ReviewCommentCreateSerializer,
    ReviewCommentSerializer,
    SectionAddSerializer,
    SectionEditConflictSerializer,
    SectionReorderSerializer,
    SectionSavedSerializer,
    SectionSerializer,
    SectionUpdateSerializer,
    ShareInputSerializer,
    ShareSerializer,
    TermsSerializer,
    TermsUpdateSerializer,
    VersionDetailSerializer,
    VersionSerializer,
)

SECTION_PK = OpenApiParameter(
    "section_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id of the section."
)
VERSION_NUMBER = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version number (1, 2 …)."
)
VERSION_NUMBER_REFUSAL = "Give a version number (1 or more)."


@conflict_answer(services.SectionEditConflict)
def _section_edit_conflict(conflict: services.SectionEditConflict, context: dict) -> dict:
    """A stale section save: nothing was saved; both texts, for the editor to merge."""
    return {
        "detail": conflict.messages[0],
        "code": "section_edit_conflict",
        "section": conflict.section.pk,
        "loaded_revision": conflict.loaded_revision,
        "current_revision": conflict.current_revision,
        "current_body": conflict.current_body,
        "your_body": conflict.your_body,
    }


class ProductFilter(django_filters.FilterSet):
    """Narrows the visible products; never widens them."""

    kind = django_filters.ChoiceFilter(choices=ProductKind.choices)
    status = django_filters.ChoiceFilter(choices=ProductStatus.choices)
    unit = django_filters.NumberFilter(
        min_value=1,
        max_value=MAX_DATABASE_ID,
        method="filter_unit",
        label="Id of a unit: its products and those of the units below it",
    )
    marking = django_filters.TypedChoiceFilter(
        choices=GSCMarking.choices, coerce=int, label="GSC marking"
    )
    owner = django_filters.NumberFilter(
        field_name="owner", min_value=1, max_value=MAX_DATABASE_ID, label="Id of the owning analyst"
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="Past the due date and neither published nor closed"
    )

    class Meta:
        model = Product
        fields = ["kind", "status", "unit", "marking", "owner", "overdue"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(access.at_or_below_unit_id(value))

    def filter_overdue(self, queryset, name, value):
        late = selectors.overdue_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


@extend_schema_view(
    list=extend_schema(
        summary="The product register",
        description=(
            "Every product you may see, newest first, filtered and paginated; with `search`, "
            "those whose title or sections match it (most relevant first on PostgreSQL)."
        ),
        parameters=[
            OpenApiParameter(
                "search", OpenApiTypes.STR, description="Words of the title or the sections."
            )
        ],
    ),
    retrieve=extend_schema(
        summary="One product",
        description=(
            "A product with its details and its sections, each with its own marking: a section "
            "marked above your vetting is withheld (its place and marking only)."
        ),
        responses={200: ProductDetailSerializer},
    ),
    create=extend_schema(
        summary="Commission a product",
        description=(
            "An analyst, chair or reviewer over the unit commissions a product: it gets draft "
            "terms of reference and the sections of its kind's template."
        ),
        request=ProductCommissionSerializer,
        responses={201: ProductDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a product's details",
        description="Its title, dates, handling, subject or problem details (not its status).",
        request=ProductUpdateSerializer,
        responses={200: ProductDetailSerializer},
    ),
)
class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Intelligence products, through the same services and selector as the pages."""

    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.register_products(self.request.user).select_related("requester")

    def filter_queryset(self, queryset):
        """The register's filters, then its own search (`search`) within what they leave."""
        filtered = super().filter_queryset(queryset)
        text = self.request.query_params.get("search", "")
        return selectors.search_products(self.request.user, text, filtered).prefetch_related(
            "requester"
        )

    def get_serializer_class(self):
        if self.action == "list":
            return ProductSerializer
        return ProductDetailSerializer

    def get_object(self) -> Product:
        """The product named in the URL, to work on (404 when missing or not yours to read
        whole)."""
        return selectors.get_product_for(self.request.user, self.kwargs["pk"])

    def _openable_object(self) -> Product:
        """The product named in the URL, to read: opened by its title and summary's marking, its
        sections above the reader's vetting withheld by the serializers (404 otherwise)."""
        return selectors.get_openable_product_for(self.request.user, self.kwargs["pk"])

    def _detail(self, product: Product, status_code=status.HTTP_200_OK) -> Response:
        sections = Section.objects.select_related("updated_by").order_by("position", "id")
        product = (
            self.get_queryset()
            .select_related("terms")
            .prefetch_related(Prefetch("sections", queryset=sections))
            .filter(pk=product.pk)
            .first()
        )
        if product is None:
            raise Http404("No such product.")
        return Response(
            ProductDetailSerializer(product, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def _section_of(self, product: Product, pk) -> Section | None:
        if pk is None:
            return None
        section = product.sections.filter(pk=pk).first()
        if section is None:
            raise ValidationError({"section": "That section is not part of this product."})
        return section

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self._openable_object())

    def create(self, request, *args, **kwargs):
        data = validated_input(request, ProductCommissionSerializer)
        product = services.product_commission(acting_user=request.user, request=request, **data)
        return self._detail(product, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        product = self.get_object()
        data = validated_input(request, ProductUpdateSerializer, partial=True)
        product = services.product_update(
            acting_user=request.user,
            product=product,
            request=request,
            **data,
        )
        return self._detail(product)

    # Terms of reference.

    @extend_schema(summary="The terms of reference", responses={200: TermsSerializer})
    @action(detail=True, methods=["get"], url_path="tor")
    def tor(self, request, pk=None):
        product = self.get_object()
        return Response(TermsSerializer(product.terms).data)

    @extend_schema(
        summary="Change the terms of reference",
        description="By the requester or the developer; a change after agreement clears it.",
        request=TermsUpdateSerializer,
        responses={200: TermsSerializer},
    )
    @tor.mapping.patch
    def tor_update(self, request, pk=None):
        product = self.get_object()
        data = validated_input(request, TermsUpdateSerializer, partial=True)
        terms = services.tor_update(
            acting_user=request.user,
            terms=product.terms,
            request=request,
            **data,
        )
        return Response(TermsSerializer(terms).data)

    @extend_schema(
        summary="Agree the terms of reference",
        description="When both the requester and the developer have agreed, drafting starts.",
        request=None,
        responses={200: TermsSerializer},
    )
    @action(detail=True, methods=["post"], url_path="tor/agree")
    def tor_agree(self, request, pk=None):
        product = self.get_object()
        terms = services.tor_agree(acting_user=request.user, terms=product.terms, request=request)
        return Response(TermsSerializer(terms).data)

    # Sections.

    @extend_schema(
        summary="Add a section",
        description="Appended after the others, at the product's marking unless said otherwise.",
        request=SectionAddSerializer,
        responses={201: SectionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="sections")
    def section_add(self, request, pk=None):
        product = self.get_object()
        data = validated_input(request, SectionAddSerializer)
        section = services.section_add(
            acting_user=request.user,
            product=product,
            request=request,
            **data,
        )
        return Response(
            SectionSerializer(section, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Save a section",
        description=(
            "Send the `revision` you loaded with the new text, title, marking or partner flag. "
            "If somebody saved the section since, nothing is saved and the answer is 409 with "
            "both texts. A section marked above the product raises the product's marking."
        ),
        parameters=[SECTION_PK],
        request=SectionUpdateSerializer,
        responses={200: SectionSavedSerializer, 409: SectionEditConflictSerializer},
    )
    @action(detail=True, methods=["patch"], url_path=rf"sections/(?P<section_pk>{ID_PATTERN})")
    def section_update(self, request, pk=None, section_pk=None):
        product = self.get_object()
        section = product.sections.filter(pk=section_pk).first()
        if section is None:
            raise Http404("No such section.")
        data = validated_input(request, SectionUpdateSerializer)
        with transaction.atomic():
            saved = services.section_update(
                acting_user=request.user,
                section=section,
                loaded_revision=data["revision"],
                body=data.get("body", section.body),
                marking=data.get("marking"),
                releasable_to_partners=data.get("releasable_to_partners"),
                request=request,
            )
            if "title" in data:
                services.section_retitle(
                    acting_user=request.user,
                    section=saved.section,
                    title=data["title"],
                    request=request,
                )
        section = Section.objects.select_related("updated_by").get(pk=section.pk)
        answer = {"section": section, "notice": saved.notice}
        return Response(SectionSavedSerializer(answer, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Reorder the sections",
        request=SectionReorderSerializer,
        responses={200: SectionSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="sections/reorder",
        filter_backends=[],
        pagination_class=None,
    )
    def section_reorder(self, request, pk=None):
        product = self.get_object()
        data = validated_input(request, SectionReorderSerializer)
        services.section_reorder(
            acting_user=request.user,
            product=product,
            section_ids=data["sections"],
            request=request,
        )
        sections = product.sections.select_related("updated_by").order_by("position", "id")
        context = self.get_serializer_context()
        return Response(SectionSerializer(sections, many=True, context=context).data)

    # The lifecycle.

    def _transition(self, service, product: Product, **kwargs) -> Response:
        service(acting_user=self.request.user, product=product, request=self.request, **kwargs)
        return self._detail(product)

    @extend_schema(
        summary="Submit for review",
        description="The owner submits the draft; a subject profile needs its lawful basis, "
        "purpose and proportionality justification first. The answer lists the sections that "
        "went with no text (`empty_sections`), as the page warns before submitting.",
        request=None,
        responses={200: ProductSubmittedSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        product = self.get_object()
        response = self._transition(services.product_submit, product)
        empty = services.empty_sections(product)
        response.data["empty_sections"] = EmptySectionSerializer(empty, many=True).data
        return response

    @extend_schema(
        summary="Return with comments",
        description="A reviewer over the product's unit, not its author, returns the draft.",
        request=ReturnSerializer,
        responses={200: ProductDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        product = self.get_object()
        data = validated_input(request, ReturnSerializer)
        services.product_return(
            acting_user=request.user,
            product=product,
            comment=data["comment"],
            section=self._section_of(product, data.get("section")),
            request=request,
        )
        return self._detail(product)

    @extend_schema(
        summary="Approve and publish",
        description="A reviewer over the product's unit who neither owns nor edited this version "
        "approves it, confirming every standard of the checklist (`standards`, each of "
        "ReviewStandard; refused without): it is published as the next numbered version.",
        request=ApproveSerializer,
        responses={200: ProductDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        product = self.get_object()
        data = validated_input(request, ApproveSerializer)
        return self._transition(services.product_approve, product, standards=data["standards"])

    @extend_schema(
        summary="Close",
        description="The owner or a reviewer closes the product for good, with a reason.",
        request=CloseSerializer,
        responses={200: ProductDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        product = self.get_object()
        data = validated_input(request, CloseSerializer)
        return self._transition(
            services.product_close,
            product,
            reason=data["reason"],
            reason_text=data["reason_text"],
        )

    # Access.

    @extend_schema(
        summary="Share with another unit",
        request=ShareInputSerializer,
        responses={201: ShareSerializer},
    )
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        product = self.get_object()
        data = validated_input(request, ShareInputSerializer)
        share = services.product_share_with_unit(
            acting_user=request.user,
            product=product,
            unit=data["unit"],
            request=request,
        )
        return Response(ShareSerializer(share).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Grant the need to know",
        description="Open a need-to-know product to one police user in its scope.",
        request=GrantNeedToKnowSerializer,
        responses={200: NeedToKnowGrantedSerializer},
    )
    @action(detail=True, methods=["post"], url_path="grant-need-to-know")
    def grant_need_to_know(self, request, pk=None):
        product = self.get_object()
        person: User = validated_input(request, GrantNeedToKnowSerializer)["user"]
        granted = services.product_grant_need_to_know(
            acting_user=request.user,
            product=product,
            user=person,
            request=request,
        )
        return Response(NeedToKnowGrantedSerializer({"user": person.pk, "granted": granted}).data)

    # Published versions: every read of one is audited by the selector.

    @extend_schema(
        summary="Published versions",
        description="The product's published versions, newest first, without their content.",
        responses={200: VersionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def versions(self, request, pk=None):
        product = self._openable_object()
        versions = selectors.openable_versions(request.user, product).defer("content")
        return Response(VersionSerializer(versions, many=True).data)

    def _versions(self, product: Product, *numbers: int) -> list:
        """The published versions numbered `numbers`, each read through the audited selector;
        404 (and nothing audited) unless every one of them exists and is yours to read."""
        found = {
            version.number: version
            for version in selectors.openable_versions(self.request.user, product).filter(
                number__in=numbers
            )
        }
        if not set(numbers) <= set(found):
            raise Http404("No such version.")
        return [
            selectors.product_version_read(self.request.user, found[n], request=self.request)
            for n in numbers
        ]

    @extend_schema(
        summary="One published version",
        description=(
            "Its record and content; each section marked above your vetting is withheld (its "
            "marking only). Every read is written to the audit log."
        ),
        parameters=[VERSION_NUMBER],
        responses={200: VersionDetailSerializer},
    )
    @action(detail=True, methods=["get"], url_path=rf"versions/(?P<number>{ID_PATTERN})")
    def version(self, request, pk=None, number=None):
        product = self._openable_object()
        (version,) = self._versions(product, int(number))
        context = self.get_serializer_context()
        return Response(VersionDetailSerializer(version, context=context).data)

    @extend_schema(
        summary="Compare two published versions",
        description=(
            "Section by section, older first, changed sections first; a section marked above "
            "your vetting in either version is withheld and never compared. Both reads are "
            "written to the audit log."
        ),
        parameters=[
            OpenApiParameter("a", OpenApiTypes.INT, required=True, description="A version number."),
            OpenApiParameter("b", OpenApiTypes.INT, required=True, description="Another one."),
        ],
        responses={200: ComparisonSerializer},
    )
    @action(detail=True, methods=["get"], url_path="versions/compare", filter_backends=[])
    def compare(self, request, pk=None):
        product = self._openable_object()
        a = id_param(request, "a", VERSION_NUMBER_REFUSAL, required=True)
        b = id_param(request, "b", VERSION_NUMBER_REFUSAL, required=True)
        comparison = selectors.compare_versions(request.user, *self._versions(product, a, b))
        return Response(ComparisonSerializer(comparison).data)

    # Consumer feedback.

    @extend_schema(
        summary="Readers' feedback",
        description="The readers' feedback on its published versions, newest first: for its "
        "owner and the reviewers over its unit (403 for anybody else).",
        responses={200: FeedbackSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def feedback(self, request, pk=None):
        product = self._openable_object()
        feedback = selectors.feedback_for(request.user, product)
        if feedback is None:
            ProductPolicy(request.user, product).require_read_feedback()
        return Response(FeedbackSerializer(feedback, many=True).data)

    @extend_schema(
        summary="Give feedback",
        description="A reader of a published product, not its owner, says how useful its current "
        "version was, once per version; its owner and approver are told.",
        request=FeedbackCreateSerializer,
        responses={201: FeedbackSerializer},
    )
    @feedback.mapping.post
    def feedback_give(self, request, pk=None):
        product = self._openable_object()
        data = validated_input(request, FeedbackCreateSerializer)
        feedback = services.product_feedback_give(
            acting_user=request.user, product=product, request=request, **data
        )
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)

    # The TT&CG's profiles due for review.

    @extend_schema(
        summary="Profiles due for review",
        description="The profiles of a unit and the units below it, not closed, whose review "
        "date in their terms of reference has come by `on` (today if not given), that you may "
        "open: the oldest review date first, at most 50.",
        parameters=[ProfilesDueForReviewQuerySerializer],
        responses={200: ProfileDueForReviewSerializer(many=True)},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="due-for-review",
        filter_backends=[],
        pagination_class=None,
    )
    def due_for_review(self, request):
        query = ProfilesDueForReviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        due = selectors.profiles_due_for_review(
            request.user,
            query.validated_data["unit"],
            on=query.validated_data.get("on") or timezone.localdate(),
        )
        return Response(ProfileDueForReviewSerializer(due.profiles, many=True).data)

    # Review comments.

    @extend_schema(
        summary="Review comments",
        description="The reviewers' comments on every version, oldest first.",
        responses={200: ReviewCommentSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="review-comments",
        filter_backends=[],
        pagination_class=None,
    )
    def review_comments(self, request, pk=None):
        product = self.get_object()
        comments = product.review_comments.select_related("author").order_by("created_at", "id")
        return Response(ReviewCommentSerializer(comments, many=True).data)

    @extend_schema(
        summary="Comment on the submitted draft",
        description="A reviewer over the unit, not the author, comments on it or on one section.",
        request=ReviewCommentCreateSerializer,
        responses={201: ReviewCommentSerializer},
    )
    @review_comments.mapping.post
    def review_comment_add(self, request, pk=None):
        product = self.get_object()
        data = validated_input(request, ReviewCommentCreateSerializer)
        comment = services.review_comment_add(
            acting_user=request.user,
            product=product,
            text=data["text"],
            section=self._section_of(product, data.get("section")),
            request=request,
        )
        return Response(ReviewCommentSerializer(comment).data, status=status.HTTP_201_CREATED)
