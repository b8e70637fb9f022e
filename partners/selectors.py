"""Reads of the partners app that depend on who is asking: one query each, no per-row checks.

Partner users (docs/access.md, rule 5) see only releases to their own agency, and only once those
were available to it: `releases_for_partner` / `get_release_for_partner`. Police users see releases
of the products they may read: `releases_visible_to_staff` / `get_release_for_staff`. Missing and
forbidden give the same 404 everywhere, so ids cannot be probed.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb
from nim_portal.ids import id_or_404
from nim_portal.models import AuditEvent, Unit, User
from partners.models import AgencyMembership, PartnerAgency, Release
from products.choices import SUBJECT_PROFILE_KINDS
from products.selectors import visible_products


def agency_of(user: User) -> PartnerAgency | None:
    """The partner user's agency (None for police users and partners not yet in one)."""
    if not access.is_active_partner(user):
        return None
    membership = AgencyMembership.objects.select_related("agency").filter(user=user).first()
    return membership.agency if membership else None


def agreement_notice(agency: PartnerAgency | None) -> dict:
    """The agency's information sharing agreement, and why it bars new releases if it does."""
    if agency is None:
        return {"agency": None, "lapsed": "", "contacts": []}
    today = timezone.localdate()
    return {
        "agency": agency,
        "lapsed": agency.lapsed_reason(today),
        "lapsed_on": agency.agreement_review_on if agency.agreement_review_on < today else None,
        "contacts": [unit.name for unit in agency.units.order_by("path")],
    }


def releases_for_partner(user: User) -> QuerySet[Release]:
    """The releases a partner user's agency received, for the partner area.

    A release appears once it was available to the agency, and stays listed after withdrawal or
    expiry so that its readers learn what became of it; while live (available) it also needs the
    agency group's `view_release` grant. Drafts and releases still rendering never appear.
    """
    if not access.is_active_partner(user):
        return Release.objects.none()
    return Release.objects.visible_to(user).order_by("-available_at", "-id")


def get_release_for_partner(user: User, pk) -> Release:
    """One release of `releases_for_partner`, or 404."""
    release = releases_for_partner(user).filter(pk=id_or_404(pk, "release")).first()
    if release is None:
        raise Http404("No such release.")
    return release


def releases_visible_to_staff(user: User) -> QuerySet[Release]:
    """Releases of the published versions of products the police user may read (any status)."""
    if not access.is_police_reader(user):
        return Release.objects.none()
    return (
        Release.objects.visible_to(user)
        .select_related("version__product__unit", "prepared_by", "approved_by")
        .order_by("-prepared_at", "-id")
    )


def get_release_for_staff(user: User, pk) -> Release:
    """One release of `releases_visible_to_staff`, or 404."""
    release = releases_visible_to_staff(user).filter(pk=id_or_404(pk, "release")).first()
    if release is None:
        raise Http404("No such release.")
    return release


def release_download_history(user: User, release: Release) -> QuerySet[AuditEvent]:
    """Who downloaded the release's PDFs, when, from where (detail names the agency), for staff.

    404 unless the release is visible to the staff member.
    """
    get_release_for_staff(user, release.pk)
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Release),
        object_id=str(release.pk),
        verb=AuditVerb.DOWNLOAD,
    ).select_related("actor")


def agencies_for_unit(unit: Unit) -> QuerySet[PartnerAgency]:
    """Agencies that may receive a release of a product of `unit`, today.

    The agency's agreement is in force and it works with `unit`, a unit above it (a county
    council working with the force receives a BCU's assessment of its area) or a unit below it
    (a district council working with a BCU receives the force's assessment covering it). Never a
    neighbouring unit's partners: their agreement is with another force or area.
    """
    works_with = PartnerAgency.units.through.objects.filter(
        access.in_tree_of(unit), partneragency_id=OuterRef("pk")
    )
    return PartnerAgency.objects.current().filter(Exists(works_with)).order_by("name")


def agencies_administered_by(user: User) -> QuerySet[PartnerAgency]:
    """Agencies the admin manages: those working with a unit they administer (superusers: all)."""
    if not access.is_police(user):
        return PartnerAgency.objects.none()
    if user.is_superuser:
        return PartnerAgency.objects.all()
    return PartnerAgency.objects.filter(
        Exists(
            PartnerAgency.units.through.objects.filter(
                partneragency_id=OuterRef("pk"), unit__in=access.administered_units(user)
            )
        )
    )


def release_subject_names(user: User, unit: Unit) -> list[str]:
    """Names of the subjects of subject profiles `user` may read in `unit` and the units below it,
    for the personal-data warnings: each profile's title and each line of its description.
    One query; nothing here ever goes into partner text."""
    rows = (
        visible_products(user)
        .filter(access.at_or_below(unit), kind__in=SUBJECT_PROFILE_KINDS)
        .values_list("title", "subject_description")
    )
    names: list[str] = []
    for title, description in rows:
        names.append(title)
        names += [line.strip() for line in description.splitlines() if line.strip()]
    return [name for name in dict.fromkeys(names) if name]
