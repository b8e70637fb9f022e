"""The partners API: agencies and their people (admins), releases for police staff (prepare,
approve, withdraw, with their PDFs), and the partner users' own releases with a download URL.

Thin like the pages: reads through partners.selectors (missing and forbidden: the same 404),
writes through partners.services (PermissionDenied: 403 with its message; ValidationError: 400
with its message; nothing changed). Every staff endpoint answers partner users 404 (the default
IsPoliceUser); the partner endpoints answer police users 404 and show only the allow-list of
partners.serializers.PartnerReleaseSerializer.
"""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from nim_portal import access
from nim_portal.api.inputs import validated_input
from nim_portal.api.permissions import IsPoliceUser
from nim_portal.ids import ID_PATTERN
from partners import selectors, services
from partners.choices import ReleaseStatus
from partners.models import AgencyMembership, PartnerAgency, Release
from partners.serializers import (
    AgencyDetailSerializer,
    AgencyMemberSerializer,
    AgencySerializer,
    AgencyUpdateSerializer,
    AgencyUserAddSerializer,
    AgencyWriteSerializer,
    PartnerReleaseSerializer,
    ReleaseDetailSerializer,
    ReleasePrepareSerializer,
    ReleaseSerializer,
    WarningsAcknowledgeSerializer,
    WithdrawSerializer,
)
from products import selectors as product_selectors


class IsUnitAdmin(IsPoliceUser):
    """Police users who administer a unit (partners: 404, like the whole police API)."""

    message = "Only unit administrators manage partner agencies."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and access.is_unit_admin(request.user)


class IsPartnerUser(BasePermission):
    """Signed-in partner users; police users get 404, as on the partner area's pages."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not user.is_partner:
            raise Http404
        return True


# Agencies.


@extend_schema_view(
    list=extend_schema(
        summary="Partner agencies",
        description="The agencies working with a unit you administer (superusers: all).",
    ),
    retrieve=extend_schema(
        summary="One partner agency, with its people",
        responses={200: AgencyDetailSerializer},
    ),
    create=extend_schema(
        summary="Add a partner agency",
        description="With its information sharing agreement and the units it works with, which "
        "you administer.",
        request=AgencyWriteSerializer,
        responses={201: AgencyDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a partner agency",
        description="Its details, its agreement (a later review date renews it), its units or "
        "whether it is active.",
        request=AgencyUpdateSerializer(partial=True),
        responses={200: AgencyDetailSerializer},
    ),
)
class AgencyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Partner agencies and their people, for admins, through partners.services."""

    permission_classes = [IsUnitAdmin]
    serializer_class = AgencySerializer
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = []

    def get_queryset(self):
        return (
            selectors.agencies_administered_by(self.request.user)
            .prefetch_related("units")
            .order_by("name")
        )

    def get_object(self) -> PartnerAgency:
        agency = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if agency is None:
            raise Http404("No such agency.")
        return agency

    def _detail(self, agency: PartnerAgency, status_code=status.HTTP_200_OK) -> Response:
        memberships = AgencyMembership.objects.select_related("user")
        agency = (
            PartnerAgency.objects.prefetch_related(
                "units", Prefetch("memberships", queryset=memberships)
            )
            .filter(pk=agency.pk)
            .get()
        )
        return Response(AgencyDetailSerializer(agency).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        data = validated_input(request, AgencyWriteSerializer)
        agency = services.agency_create(acting_user=request.user, request=request, **data)
        return self._detail(agency, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        agency = self.get_object()
        data = validated_input(request, AgencyUpdateSerializer, partial=True)
        units = data.pop("units", None)
        agency = services.agency_update(
            acting_user=request.user,
            agency=agency,
            units=units,
            request=request,
            **data,
        )
        return self._detail(agency)

    @extend_schema(
        summary="Add a partner user to the agency",
        description="A new partner user with NPPV vetting; the password must pass the "
        "portal's password rules.",
        request=AgencyUserAddSerializer,
        responses={201: AgencyMemberSerializer},
    )
    @action(detail=True, methods=["post"], url_path="people")
    def people_add(self, request, pk=None):
        agency = self.get_object()
        data = validated_input(request, AgencyUserAddSerializer)
        membership = services.agency_user_add(
            acting_user=request.user,
            agency=agency,
            request=request,
            **data,
        )
        return Response(AgencyMemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take a partner user out of the agency",
        description="Their account stays; they see no release of the agency from now on.",
        request=None,
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=rf"people/(?P<membership_pk>{ID_PATTERN})",
    )
    def people_remove(self, request, pk=None, membership_pk=None):
        agency = self.get_object()
        membership = AgencyMembership.objects.filter(agency=agency, pk=membership_pk).first()
        if membership is None:
            raise Http404("No such person in this agency.")
        services.agency_user_remove(
            acting_user=request.user,
            membership=membership,
            request=request,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# Releases, for police staff.


@extend_schema_view(
    list=extend_schema(
        summary="Partner releases",
        description="Releases of the products you may read, newest first.",
    ),
    retrieve=extend_schema(
        summary="One partner release, with its PDFs",
        responses={200: ReleaseDetailSerializer},
    ),
    create=extend_schema(
        summary="Prepare a release",
        description="An analyst over the product's unit prepares a draft release of one of its "
        "published versions: releasable sections only, OFFICIAL or OFFICIAL-SENSITIVE, to "
        "agencies whose agreement is in force and who work with the unit. Never a subject "
        "profile.",
        request=ReleasePrepareSerializer,
        responses={201: ReleaseDetailSerializer},
    ),
)
class ReleaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Partner releases for police staff, through partners.services."""

    serializer_class = ReleaseSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []

    def get_queryset(self):
        releases = selectors.releases_visible_to_staff(self.request.user).prefetch_related(
            Prefetch("agencies", queryset=PartnerAgency.objects.order_by("name"))
        )
        wanted = self.request.query_params.get("status", "")
        if self.action == "list" and wanted:
            if wanted not in ReleaseStatus.values:
                raise ValidationError({"status": "Give one of the release statuses."})
            releases = releases.filter(status=wanted)
        return releases

    def get_serializer_class(self):
        return ReleaseSerializer if self.action == "list" else ReleaseDetailSerializer

    def get_object(self) -> Release:
        return selectors.get_release_for_staff(self.request.user, self.kwargs["pk"])

    def _detail(self, release: Release, status_code=status.HTTP_200_OK) -> Response:
        release = (
            self.get_queryset().prefetch_related("documents__agency").filter(pk=release.pk).first()
        )
        if release is None:
            raise Http404("No such release.")
        return Response(ReleaseDetailSerializer(release).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        data = validated_input(request, ReleasePrepareSerializer)
        try:
            product = product_selectors.get_product_for(request.user, data.pop("product"))
        except Http404:
            raise ValidationError({"product": "No such product."}) from None
        number = data.pop("version_number")
        version = product_selectors.visible_versions(request.user, product).filter(number=number)
        version = version.first()
        if version is None:
            raise ValidationError({"version_number": "No such published version."})
        release = services.release_prepare(
            acting_user=request.user,
            version=version,
            section_ids=data.pop("sections"),
            marking=int(data.pop("marking")),
            request=request,
            **data,
        )
        return self._detail(release, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Acknowledge personal-data warnings",
        description="The analyst confirms that the named warnings (ids from the preview) may "
        "stand in the partner text.",
        request=WarningsAcknowledgeSerializer,
        responses={200: ReleaseDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="acknowledge-warnings")
    def acknowledge_warnings(self, request, pk=None):
        release = self.get_object()
        data = validated_input(request, WarningsAcknowledgeSerializer)
        services.release_acknowledge_warnings(
            acting_user=request.user,
            release=release,
            warning_ids=data["warnings"],
            request=request,
        )
        return self._detail(release)

    @extend_schema(
        summary="Approve a release",
        description="A reviewer over the product's unit who did not prepare it. Refused while "
        "warnings are outstanding or an agency's agreement has lapsed. The PDFs are rendered "
        "afterwards, one per agency.",
        request=None,
        responses={200: ReleaseDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        release = self.get_object()
        services.release_approve(acting_user=request.user, release=release, request=request)
        return self._detail(release)

    @extend_schema(
        summary="Withdraw a release",
        description="Its preparer or a reviewer, with a reason: no further download.",
        request=WithdrawSerializer,
        responses={200: ReleaseDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        release = self.get_object()
        data = validated_input(request, WithdrawSerializer)
        services.release_withdraw(
            acting_user=request.user,
            release=release,
            reason=data["reason"],
            request=request,
        )
        return self._detail(release)


# Releases, for partner users.


@extend_schema_view(
    list=extend_schema(
        summary="Releases to your agency",
        description="For partner users: the releases your agency received, with what became "
        "of them and, while available, where to download the PDF.",
    ),
    retrieve=extend_schema(
        summary="One release to your agency",
        responses={200: PartnerReleaseSerializer},
    ),
)
class PartnerReleaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The partner users' releases: partners.selectors.releases_for_partner, and nothing else."""

    permission_classes = [IsPartnerUser]
    serializer_class = PartnerReleaseSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []

    def get_queryset(self):
        return selectors.releases_for_partner(self.request.user)

    def get_object(self) -> Release:
        return selectors.get_release_for_partner(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "agency": selectors.agency_of(self.request.user),
        }
