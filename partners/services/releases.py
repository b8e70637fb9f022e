"""Preparing a release, its preview and approval.

What a partner receives is built by partners.sanitise.build_partner_text alone, frozen on the
release at approval (`partner_content`), and rendered from there: never from the version."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404, HttpRequest
from django.utils import timezone

from nim_portal.access import grants
from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.jobs import jobs_enqueue
from nim_portal.lifecycle import save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from nim_portal.validation import required_text
from partners.choices import (
    RELEASE_MARKINGS,
    RETENTION_MONTHS_MAX,
    RETENTION_MONTHS_MIN,
    ReleaseStatus,
)
from partners.models import PartnerAgency, Release, ReleaseDocument, ReleaseRecipient
from partners.models.releases import VIEW_RELEASE
from partners.policy import ReleasePolicy, require_prepare, require_readable_version
from partners.sanitise import (
    PartnerText,
    PersonalDataWarning,
    ReleaseRefused,
    SanitisedRelease,
    build_partner_text,
    release_warnings,
    warnings_outstanding,
)
from partners.selectors import agencies_for_unit, release_subject_names, releases_visible_to_staff
from partners.services.documents import RELEASE_DOCUMENT_JOB
from partners.services.lifecycle import RELEASE_LIFECYCLE, lock_release
from products.models import ProductVersion


def _sanitise(version: ProductVersion, section_ids) -> SanitisedRelease:
    try:
        return build_partner_text(version.content, chosen_section_ids=set(section_ids))
    except ReleaseRefused as refused:
        raise ValidationError(refused.reasons) from refused


def _clean_release_terms(marking: int, purpose: str, retention_months: int, expires_on) -> str:
    if marking not in [m.value for m in RELEASE_MARKINGS]:
        raise ValidationError(
            {
                "marking": "A partner release is marked OFFICIAL or OFFICIAL-SENSITIVE, never "
                "higher (a SECRET or TOP SECRET product cannot go to partners)."
            }
        )
    purpose = required_text(
        purpose, field="purpose", message="Say why the partners receive this release."
    )
    if not isinstance(retention_months, int) or not (
        RETENTION_MONTHS_MIN <= retention_months <= RETENTION_MONTHS_MAX
    ):
        raise ValidationError(
            {
                "retention_months": f"Retention is {RETENTION_MONTHS_MIN} to "
                f"{RETENTION_MONTHS_MAX} months."
            }
        )
    if expires_on is None or expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": "The expiry date must be in the future."})
    return purpose


def _clean_agencies(agencies, version: ProductVersion) -> list[PartnerAgency]:
    agencies = list({agency.pk: agency for agency in agencies}.values())
    if not agencies:
        raise ValidationError({"agencies": "Choose at least one partner agency."})
    reasons = []
    eligible = set(agencies_for_unit(version.product.unit).values_list("pk", flat=True))
    for agency in PartnerAgency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("name"):
        lapsed = agency.lapsed_reason()
        if lapsed:
            reasons.append(f"{lapsed} It cannot receive new releases.")
        elif agency.pk not in eligible:
            reasons.append(
                f"{agency.name} does not work with {version.product.unit} or a unit above or "
                "below it."
            )
    if reasons:
        raise ValidationError({"agencies": reasons})
    return agencies


def _next_reference(year: int) -> str:
    prefix = f"REL-{year}-"
    last = Release.objects.filter(reference__startswith=prefix).aggregate(last=Max("reference"))
    number = int(last["last"].removeprefix(prefix)) + 1 if last["last"] else 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def release_prepare(
    *,
    acting_user: User,
    version: ProductVersion,
    agencies,
    section_ids,
    marking: int,
    purpose: str,
    retention_months: int,
    expires_on: datetime.date,
    request: HttpRequest | None = None,
) -> Release:
    """An analyst over the product's unit prepares a draft release of one published version.

    Refused (nothing stored): a subject profile, a section not releasable or marked above
    OFFICIAL-SENSITIVE (partners.sanitise), a marking above OFFICIAL-SENSITIVE or below the
    sections released, an agency whose agreement has lapsed or that works with neither the
    product's unit nor a unit above or below it (partners.selectors.agencies_for_unit).
    """
    version = ProductVersion.objects.select_related("product__unit").get(pk=version.pk)
    require_prepare(acting_user, version.product, "prepare a partner release")
    require_readable_version(acting_user, version)
    purpose = _clean_release_terms(marking, purpose, retention_months, expires_on)
    section_ids = sorted({int(pk) for pk in section_ids})
    sanitised = _sanitise(version, section_ids)
    if sanitised.highest_section_marking > marking:
        raise ValidationError(
            {
                "marking": "A section released is marked "
                f"{GSCMarking(sanitised.highest_section_marking).label}: mark the release at "
                "least as high."
            }
        )
    agencies = _clean_agencies(agencies, version)
    year = timezone.localdate().year
    for _ in range(3):
        try:
            with transaction.atomic():
                release = Release(
                    reference=_next_reference(year),
                    version=version,
                    section_ids=section_ids,
                    marking=marking,
                    purpose=purpose,
                    retention_months=retention_months,
                    expires_on=expires_on,
                    prepared_by=acting_user,
                )
                save_with_history(release, acting_user=acting_user, reason="Prepared")
            break
        except IntegrityError:
            continue  # another release took the number first
    else:
        raise ValidationError("Could not number the release; please try again.")
    ReleaseRecipient.objects.bulk_create(
        ReleaseRecipient(release=release, agency=agency) for agency in agencies
    )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=release,
        request=request,
        detail={
            "version": version.pk,
            "product": version.product_id,
            "sections": section_ids,
            "marking": marking,
            "agencies": sorted(agency.pk for agency in agencies),
        },
    )
    return release


@dataclass(frozen=True)
class ReleasePreview:
    """What the analyst and reviewer see before approval: the partner text beside what was held
    back (`sanitised.side_by_side()`, `sanitised.removed_for_police_eyes_only`), and the
    personal-data warnings with those still to acknowledge. Police eyes only."""

    release: Release
    sanitised: SanitisedRelease
    warnings: list[PersonalDataWarning]
    outstanding: list[PersonalDataWarning]

    @property
    def partner(self) -> PartnerText:
        return self.sanitised.partner


def _warnings(release: Release, sanitised: SanitisedRelease) -> list[PersonalDataWarning]:
    # Names come from what the preparer may read, so that every reviewer sees the same warnings.
    names = release_subject_names(release.prepared_by, release.version.product.unit)
    return release_warnings(sanitised, subject_names=names)


def release_preview(
    *, acting_user: User, release: Release, request: HttpRequest | None = None
) -> ReleasePreview:
    """The sanitised preview of a release for police staff who may see it (404 otherwise);
    audited as a read of the release (rule 7)."""
    if not releases_visible_to_staff(acting_user).filter(pk=release.pk).exists():
        raise Http404("No such release.")
    release = Release.objects.select_related("version__product__unit", "prepared_by").get(
        pk=release.pk
    )
    sanitised = _sanitise(release.version, release.section_ids)
    warnings = _warnings(release, sanitised)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.VIEW,
        obj=release,
        request=request,
        detail={"preview": True},
    )
    return ReleasePreview(
        release=release,
        sanitised=sanitised,
        warnings=warnings,
        outstanding=warnings_outstanding(warnings, release.acknowledged_warning_ids),
    )


@transaction.atomic
def release_acknowledge_warnings(
    *,
    acting_user: User,
    release: Release,
    warning_ids,
    request: HttpRequest | None = None,
) -> Release:
    """The analyst confirms that each named personal-data warning may stand (draft only)."""
    release = lock_release(release)
    require_prepare(acting_user, release.version.product, "acknowledge the release's warnings")
    require_readable_version(acting_user, release.version)
    if release.status != ReleaseStatus.DRAFT:
        raise ValidationError("Warnings are acknowledged before approval, on a draft.")
    current = {w.id for w in _warnings(release, _sanitise(release.version, release.section_ids))}
    warning_ids = set(warning_ids)
    unknown = warning_ids - current
    if unknown:
        raise ValidationError("Some warnings are no longer in the text; reload the preview.")
    added = sorted(warning_ids - set(release.acknowledged_warning_ids))
    if not added:
        return release
    release.acknowledged_warning_ids = sorted(set(release.acknowledged_warning_ids) | warning_ids)
    save_with_history(
        release, acting_user=acting_user, reason=f"{len(added)} warning(s) acknowledged"
    )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=release,
        request=request,
        detail={"acknowledged_warnings": added},
    )
    return release


def frozen_partner_content(partner: PartnerText) -> dict:
    """The allow-list of what a partner receives, as JSON: title, kind, sections' titles and
    (sanitised) Markdown bodies. Nothing else of the version is copied."""
    return {
        "title": partner.title,
        "kind_label": partner.kind_label,
        "sections": [{"title": s.title, "body": s.body} for s in partner.sections],
    }


@transaction.atomic
def release_approve(
    *, acting_user: User, release: Release, request: HttpRequest | None = None
) -> Release:
    """A reviewer over the product's unit who did not prepare it approves the release (rule 6).

    Refused while personal-data warnings are outstanding or a recipient agency has lapsed.
    Freezes the partner text, grants `view_release` to each agency's group, and asks for one PDF
    per agency: a job each (RELEASE_DOCUMENT_JOB), written with the approval.
    """
    release = lock_release(release)
    ReleasePolicy(acting_user, release).require_approve()
    RELEASE_LIFECYCLE.check(release, ReleaseStatus.APPROVED)
    sanitised = _sanitise(release.version, release.section_ids)
    outstanding = warnings_outstanding(
        _warnings(release, sanitised), release.acknowledged_warning_ids
    )
    if outstanding:
        found = ", ".join(f"{w.kind} “{w.matched_text}”" for w in outstanding[:5])
        raise ValidationError(
            f"{len(outstanding)} personal-data warning(s) must be acknowledged or the text "
            f"changed before approval: {found}."
        )
    agencies = list(PartnerAgency.objects.filter(releases=release).select_related("group"))
    lapsed = [agency.lapsed_reason() for agency in agencies if agency.lapsed_reason()]
    if lapsed:
        raise ValidationError(
            [*lapsed, "Withdraw this release and prepare it again for current agencies."]
        )
    release.partner_content = frozen_partner_content(sanitised.partner)
    release.approved_by, release.approved_at = acting_user, timezone.now()
    RELEASE_LIFECYCLE.move(
        release, ReleaseStatus.APPROVED, acting_user=acting_user, reason="Approved", request=request
    )
    for agency in agencies:
        grants.grant(VIEW_RELEASE, agency.group, release, acting_user=acting_user, request=request)
    documents = ReleaseDocument.objects.bulk_create(
        ReleaseDocument(release=release, agency=agency) for agency in agencies
    )
    jobs_enqueue(RELEASE_DOCUMENT_JOB, [document.pk for document in documents])
    return release
