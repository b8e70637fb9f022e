"""Every state change of the partners app: agencies and their people, releases, their PDFs and
downloads.

Each function takes the acting user (keyword-only; system jobs say so and take none), checks
permission and the release lifecycle (partners.choices.RELEASE_TRANSITIONS) under a row lock,
changes the data atomically, and leaves a history reason and an audit event behind. A refusal
raises PermissionDenied, ValidationError (a message fit to show) or Http404, and changes nothing.

What a partner receives is built by partners.sanitise.build_partner_text alone, frozen on the
release at approval (`partner_content`), and rendered from there: never from the version.
"""

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from nim_portal import access
from nim_portal.access import grants
from nim_portal.choices import AuditVerb, GSCMarking, UserKind, VettingLevel
from nim_portal.jobs import job_enqueue, jobs_enqueue
from nim_portal.lifecycle import change_status, check_transition, save_with_history
from nim_portal.models import Unit, User
from nim_portal.pdf import DocumentControl, render_marked_document
from nim_portal.services import audit_record, notify
from nim_portal.validation import required_text
from partners.choices import (
    GRANTED_STATUSES,
    RELEASE_MARKINGS,
    RELEASE_TRANSITIONS,
    RETENTION_MONTHS_MAX,
    RETENTION_MONTHS_MIN,
    AgencyKind,
    DocumentStatus,
    ReleaseStatus,
)
from partners.models import (
    AgencyMembership,
    HandlingAcknowledgement,
    PartnerAgency,
    Release,
    ReleaseDocument,
    ReleaseRecipient,
)
from partners.models.releases import VIEW_RELEASE
from partners.policy import (
    ReleasePolicy,
    require_agency_admin,
    require_prepare,
    require_readable_version,
)
from partners.sanitise import (
    PartnerSection,
    PartnerText,
    PersonalDataWarning,
    ReleaseRefused,
    SanitisedRelease,
    build_partner_text,
    release_warnings,
    warnings_outstanding,
)
from partners.selectors import (
    agencies_for_unit,
    get_release_for_partner,
    release_subject_names,
    releases_visible_to_staff,
)
from products.models import ProductVersion
from products.rendering import render_section_html
from products.services import snapshot_digest

NPPV_LEVELS = (VettingLevel.NPPV1, VettingLevel.NPPV2A, VettingLevel.NPPV2F, VettingLevel.NPPV3)
# The job (nim_portal.jobs) that renders one agency's PDF: registered in partners.apps.
RELEASE_DOCUMENT_JOB = "partners.release_document"


class HandlingNotAcknowledged(ValidationError):
    """The partner must accept the release's handling conditions before downloading it."""


class ReleaseEnded(ValidationError):
    """The release was withdrawn or has expired: it can no longer be downloaded."""


# Helpers.


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _on_date(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


# Agencies and their people.


def _clean_units(acting_user: User, units) -> list[Unit]:
    units = list({unit.pk: unit for unit in units}.values())
    if not units:
        raise ValidationError({"units": "Choose the police units the agency works with."})
    for unit in units:
        if not unit.is_active:
            raise ValidationError({"units": f"{unit} is inactive."})
        # Nobody attaches an agency to a unit they do not administer.
        if not access.may_administer(acting_user, unit):
            raise PermissionDenied(f"You do not administer {unit}.")
    return units


def _clean_agency(agency: PartnerAgency) -> None:
    agency.name = required_text(agency.name, field="name", message="Enter the agency's name.")
    if agency.kind not in AgencyKind.values:
        raise ValidationError({"kind": "Choose the kind of agency."})
    agency.agreement_reference = required_text(
        agency.agreement_reference,
        field="agreement_reference",
        message="Enter the information sharing agreement's reference.",
    )
    agency.agreement_purpose = required_text(
        agency.agreement_purpose,
        field="agreement_purpose",
        message="Enter the agreement's purpose.",
    )
    clash = PartnerAgency.objects.filter(name__iexact=agency.name).exclude(pk=agency.pk)
    if clash.exists():
        raise ValidationError({"name": f"An agency called {agency.name} already exists."})
    agency.full_clean(exclude=["group", "units"], validate_unique=False)


def _group_name(agency_name: str) -> str:
    return f"Partner agency: {agency_name}"[:150]


@transaction.atomic
def agency_create(
    *,
    acting_user: User,
    name: str,
    kind: str,
    units,
    agreement_reference: str,
    agreement_purpose: str,
    agreement_starts_on: datetime.date,
    agreement_review_on: datetime.date,
    request: HttpRequest | None = None,
) -> PartnerAgency:
    """Record a partner agency and its information sharing agreement, with its own auth group.

    The acting user administers every unit the agency works with (or is a superuser).
    """
    access.require_police(acting_user, "add a partner agency")
    units = _clean_units(acting_user, units)
    agency = PartnerAgency(
        name=name,
        kind=kind,
        agreement_reference=agreement_reference,
        agreement_purpose=agreement_purpose,
        agreement_starts_on=agreement_starts_on,
        agreement_review_on=agreement_review_on,
    )
    _clean_agency(agency)
    agency.group = Group.objects.create(name=_group_name(agency.name))
    save_with_history(agency, acting_user=acting_user, reason="Agency added")
    agency.units.set(units)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=agency,
        request=request,
        detail={"units": [unit.pk for unit in units], "agreement": agency.agreement_reference},
    )
    return agency


AGENCY_FIELDS = (
    "name",
    "kind",
    "agreement_reference",
    "agreement_purpose",
    "agreement_starts_on",
    "agreement_review_on",
    "is_active",
)


@transaction.atomic
def agency_update(
    *, acting_user: User, agency: PartnerAgency, units=None, request=None, **changes
) -> PartnerAgency:
    """Change an agency's details, its agreement (renewing it: a later review date), its units or
    whether it is active. `changes` name fields of AGENCY_FIELDS."""
    agency = PartnerAgency.objects.select_for_update().get(pk=agency.pk)
    require_agency_admin(acting_user, agency, "change it")
    unknown = set(changes) - set(AGENCY_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    before = {name: str(getattr(agency, name)) for name in changes}
    for name, value in changes.items():
        setattr(agency, name, value)
    _clean_agency(agency)
    after = {name: str(getattr(agency, name)) for name in changes}
    changed = {name for name in changes if before[name] != after[name]}
    detail: dict = {
        "before": {n: before[n] for n in changed},
        "after": {n: after[n] for n in changed},
    }
    if units is not None:
        current = set(agency.units.values_list("pk", flat=True))
        units = {unit.pk: unit for unit in units}
        added = [unit for pk, unit in units.items() if pk not in current]
        _clean_units(acting_user, added or list(units.values()))
        if not units:
            raise ValidationError({"units": "Choose the police units the agency works with."})
        if set(units) != current:
            detail["units"] = {"from": sorted(current), "to": sorted(units)}
            changed.add("units")
    if not changed:
        return agency
    if "name" in changed:
        agency.group.name = _group_name(agency.name)
        agency.group.save(update_fields=["name"])
    save_with_history(
        agency, acting_user=acting_user, reason=f"Changed: {', '.join(sorted(changed))}"
    )
    if units is not None:
        agency.units.set(units.values())
    audit_record(
        actor=acting_user, verb=AuditVerb.UPDATE, obj=agency, request=request, detail=detail
    )
    return agency


@transaction.atomic
def agency_user_add(
    *,
    acting_user: User,
    agency: PartnerAgency,
    user: User | None = None,
    username: str = "",
    password: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    vetting_level: str = VettingLevel.NPPV2A,
    vetting_expires_on: datetime.date | None = None,
    job_title: str = "",
    request: HttpRequest | None = None,
) -> AgencyMembership:
    """Add a person to an agency: link an existing partner user (`user`), or create one (username,
    password and NPPV vetting). A police user can never join an agency; a partner belongs to one.
    """
    agency = PartnerAgency.objects.select_for_update().get(pk=agency.pk)
    require_agency_admin(acting_user, agency, "add people to it")
    if not agency.is_active:
        raise ValidationError(f"{agency.name} is inactive: reactivate it before adding people.")
    if user is None:
        username = required_text(username, field="username", message="Enter the username.")
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": f"The username {username} is already taken."})
        if vetting_level not in NPPV_LEVELS:
            raise ValidationError(
                {"vetting_level": "A partner user holds Non-Police Personnel Vetting (NPPV)."}
            )
        user = User(
            username=username,
            kind=UserKind.PARTNER,
            first_name=first_name,
            last_name=last_name,
            email=email,
            job_title=job_title,
            vetting_level=vetting_level,
            vetting_expires_on=vetting_expires_on,
        )
        validate_password(password, user)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        save_with_history(user, acting_user=acting_user, reason=f"Partner user of {agency.name}")
        audit_record(
            actor=acting_user,
            verb=AuditVerb.CREATE,
            obj=user,
            request=request,
            detail={"agency": agency.pk},
        )
    else:
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_partner:
            raise ValidationError(
                f"{user} is a police user: only partner users can belong to an agency."
            )
    existing = AgencyMembership.objects.filter(user=user).select_related("agency").first()
    if existing is not None:
        raise ValidationError(
            f"{user} already belongs to {existing.agency.name}; remove them from it first."
        )
    membership = AgencyMembership(user=user, agency=agency, added_by=acting_user)
    save_with_history(membership, acting_user=acting_user, reason="Added to the agency")
    user.groups.add(agency.group)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.GRANT,
        obj=user,
        request=request,
        detail={"agency": agency.pk, "agency_name": agency.name},
    )
    return membership


@transaction.atomic
def agency_user_remove(
    *, acting_user: User, membership: AgencyMembership, request: HttpRequest | None = None
) -> None:
    """Take a partner user out of their agency (and its group): they see no release from now on.
    Their account stays, to be linked to another agency or deactivated."""
    membership = (
        AgencyMembership.objects.select_for_update()
        .select_related("agency__group", "user")
        .get(pk=membership.pk)
    )
    agency, user = membership.agency, membership.user
    require_agency_admin(acting_user, agency, "remove people from it")
    user.groups.remove(agency.group)
    membership._history_user = acting_user
    membership._change_reason = "Removed from the agency"
    membership.delete()
    audit_record(
        actor=acting_user,
        verb=AuditVerb.REVOKE,
        obj=user,
        request=request,
        detail={"agency": agency.pk, "agency_name": agency.name},
    )


# Releases: preparing, preview, approval, withdrawal, expiry.


def _lock_release(release: Release) -> Release:
    return (
        Release.objects.select_for_update(of=("self",))
        .select_related("version__product__unit", "prepared_by")
        .get(pk=release.pk)
    )


def _subject(release: Release) -> str:
    """How a refused move's message begins: "Release REL-2026-0001 is withdrawn: ..."."""
    return f"Release {release.reference} is"


def _check_transition(release: Release, target: str) -> None:
    """Refuse early, before a service's own checks, a move the table does not allow."""
    check_transition(
        ReleaseStatus, RELEASE_TRANSITIONS, release.status, target, subject=_subject(release)
    )


def _move(
    release: Release,
    target: str,
    *,
    acting_user: User | None,
    reason: str,
    request: HttpRequest | None = None,
    notify: Callable[[], object] | None = None,
) -> None:
    """Move `release` to `target` through the lifecycle helper, by the release's table."""
    change_status(
        release,
        target,
        acting_user=acting_user,
        reason=reason,
        transitions=RELEASE_TRANSITIONS,
        subject=_subject(release),
        request=request,
        notify=notify,
    )


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
    release = _lock_release(release)
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


def _frozen_partner_content(partner: PartnerText) -> dict:
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
    release = _lock_release(release)
    ReleasePolicy(acting_user, release).require_approve()
    _check_transition(release, ReleaseStatus.APPROVED)
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
    release.partner_content = _frozen_partner_content(sanitised.partner)
    release.approved_by, release.approved_at = acting_user, timezone.now()
    _move(
        release, ReleaseStatus.APPROVED, acting_user=acting_user, reason="Approved", request=request
    )
    for agency in agencies:
        grants.grant(VIEW_RELEASE, agency.group, release, acting_user=acting_user, request=request)
    documents = ReleaseDocument.objects.bulk_create(
        ReleaseDocument(release=release, agency=agency) for agency in agencies
    )
    jobs_enqueue(RELEASE_DOCUMENT_JOB, [document.pk for document in documents])
    return release


def _revoke_grants(release: Release, acting_user: User | None) -> None:
    for agency in PartnerAgency.objects.filter(releases=release).select_related("group"):
        grants.revoke(VIEW_RELEASE, agency.group, release, acting_user=acting_user)


def _tell_agencies(release: Release, news: str) -> None:
    """Tell the recipient agencies' users in the portal. The message names the reference only;
    notify's e-mail carries no detail."""
    agencies = PartnerAgency.objects.filter(releases=release)
    notify(
        User.objects.filter(agency_membership__agency__in=agencies, is_active=True).distinct(),
        message=f"Release {release.reference} {news}",
    )


@transaction.atomic
def release_withdraw(
    *, acting_user: User, release: Release, reason: str, request: HttpRequest | None = None
) -> Release:
    """Withdraw a release (its preparer, or a reviewer over the product's unit), with a reason:
    no further download; grants revoked; the agencies' users are told in the portal."""
    release = _lock_release(release)
    ReleasePolicy(acting_user, release).require_manage("withdraw a release")
    reason = required_text(reason, field="reason", message="Say why the release is withdrawn.")
    was_released = release.available_at is not None
    release.withdrawn_by, release.withdrawn_at, release.withdrawn_reason = (
        acting_user,
        timezone.now(),
        reason,
    )
    _move(
        release,
        ReleaseStatus.WITHDRAWN,
        acting_user=acting_user,
        reason=f"Withdrawn: {reason}",
        request=request,
        # Only agencies that could download it hear of it.
        notify=(
            partial(_tell_agencies, release, "was withdrawn: it can no longer be downloaded.")
            if was_released
            else None
        ),
    )
    _revoke_grants(release, acting_user)
    return release


def releases_due_to_expire() -> list[int]:
    """System: ids of live releases whose expiry date has passed."""
    return list(
        Release.objects.filter(
            status__in=GRANTED_STATUSES, expires_on__lt=timezone.localdate()
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def release_expire(release_id: int) -> bool:
    """System job: end a live release past its expiry date (grants revoked). Safe to run twice."""
    release = Release.objects.select_for_update().filter(pk=release_id).first()
    if release is None or release.status not in GRANTED_STATUSES:
        return False
    if release.expires_on >= timezone.localdate():
        return False
    release.expired_at = timezone.now()
    _move(release, ReleaseStatus.EXPIRED, acting_user=None, reason="Expired")
    _revoke_grants(release, None)
    return True


# Partners: handling conditions and downloads.


def _partner_release(user: User, release: Release) -> tuple[Release, PartnerAgency]:
    """The release as its partner reader sees it, and their agency: 404 for anybody else."""
    release = get_release_for_partner(user, release.pk)
    agency = AgencyMembership.objects.select_related("agency").get(user=user).agency
    return release, agency


def _refuse_if_ended(release: Release) -> None:
    if release.status == ReleaseStatus.WITHDRAWN:
        raise ReleaseEnded(
            f"This release was withdrawn on {_on_date(release.withdrawn_at)}: "
            f"{release.withdrawn_reason}"
        )
    if release.status == ReleaseStatus.EXPIRED or release.expires_on < timezone.localdate():
        raise ReleaseEnded(
            f"This release expired on {release.expires_on:%-d %B %Y}: it can no longer be "
            "downloaded."
        )


@transaction.atomic
def handling_acknowledge(
    *, acting_user: User, release: Release, request: HttpRequest | None = None
) -> HandlingAcknowledgement:
    """A partner user accepts the release's handling conditions (once; again is a no-op)."""
    release, agency = _partner_release(acting_user, release)
    _refuse_if_ended(release)
    acknowledgement, created = HandlingAcknowledgement.objects.get_or_create(
        release=release, user=acting_user, defaults={"agency": agency}
    )
    if created:
        audit_record(
            actor=acting_user,
            verb=AuditVerb.UPDATE,
            obj=release,
            request=request,
            detail={"handling_conditions": "accepted", "agency": agency.pk},
        )
    return acknowledgement


def release_download(
    *, acting_user: User, release: Release, request: HttpRequest | None = None
) -> ReleaseDocument:
    """The ready PDF of the release for the partner user's own agency; every download audited.

    404 for anybody but a partner user of a recipient agency holding the grant. Refused with
    ReleaseEnded (withdrawn or expired, saying when and why), HandlingNotAcknowledged, or a
    ValidationError while the PDF is not ready or the agency's agreement has lapsed.
    """
    release, agency = _partner_release(acting_user, release)
    _refuse_if_ended(release)
    if not access.user_holds_object_permission(acting_user, VIEW_RELEASE, release):
        raise Http404("No such release.")
    lapsed = agency.lapsed_reason()
    if lapsed:
        raise ValidationError(f"{lapsed} Downloads resume once it is renewed.")
    if not HandlingAcknowledgement.objects.filter(release=release, user=acting_user).exists():
        raise HandlingNotAcknowledged("Acknowledge the handling conditions first.")
    document = ReleaseDocument.objects.filter(
        release=release, agency=agency, status=DocumentStatus.READY
    ).first()
    if document is None or not document.file.storage.exists(document.file.name):
        raise ValidationError("The PDF is not ready yet; try again in a few minutes.")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.DOWNLOAD,
        obj=release,
        request=request,
        detail={
            "agency": agency.pk,
            "agency_name": agency.name,
            "document": document.pk,
            "sha256": document.sha256,
        },
    )
    return document


# Rendering the PDFs (jobs of the pipeline, nim_portal.jobs: RELEASE_DOCUMENT_JOB).


def release_pdf(release: Release, agency: PartnerAgency) -> bytes:
    """The PDF of a release for one agency, from its frozen `partner_content` only.

    Marking at the top and bottom of every page, "Released to <agency> — <reference>" across
    every page, page x of y, the document-control table and the handling conditions.
    """
    content = release.partner_content
    partner = PartnerText(
        title=content["title"],
        kind_label=content["kind_label"],
        sections=tuple(PartnerSection(s["title"], s["body"]) for s in content["sections"]),
    )
    sections = [
        # render_section_html sanitises with nh3 (an explicit allow-list).
        {"title": s.title, "html": mark_safe(render_section_html(s.body))}  # noqa: S308
        for s in partner.sections
    ]
    handling = " ".join(release.handling_conditions)
    control = DocumentControl(
        version=f"{release.reference} (product version {release.version.number})",
        date=timezone.localtime(release.approved_at).date(),
        author=_person(release.prepared_by),
        reviewer=_person(release.approved_by),
        marking=release.marking_label,
        handling=handling,
        sha256=snapshot_digest(content),
    )
    return render_marked_document(
        "partners/print/release.html",
        {
            "reference": release.reference,
            "kind_label": partner.kind_label,
            "agency": agency.name,
            "handling_conditions": release.handling_conditions,
            "sections": sections,
        },
        marking_label=release.marking_label,
        title=partner.title,
        document_control=control,
        watermark=f"Released to {agency.name} — {release.reference}",
    )


def release_document_render(document_id: int) -> bool:
    """Job (RELEASE_DOCUMENT_JOB): render one agency's PDF and store it, once.

    Nothing to do (False) for a document already ready or a release no longer live. The first PDF
    stored moves the release to rendering, the last one makes it available and tells the
    agencies' users. An error propagates: the pipeline retries the job and, on its last attempt,
    calls release_document_render_failed.
    """
    with transaction.atomic():
        document = (
            ReleaseDocument.objects.select_for_update(of=("self",))
            .select_related("agency")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.status == DocumentStatus.READY:
            return False
        release = Release.objects.select_related("version", "prepared_by", "approved_by").get(
            pk=document.release_id
        )
        if release.status not in GRANTED_STATUSES:
            return False
        # Rendered before the release is locked, so that its agencies' PDFs render side by side.
        pdf = release_pdf(release, document.agency)
        release = Release.objects.select_for_update().get(pk=document.release_id)
        if release.status not in GRANTED_STATUSES:
            return False
        document.file.save("release.pdf", ContentFile(pdf), save=False)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.status, document.last_error = DocumentStatus.READY, ""
        document.rendered_at = timezone.now()
        document.save()
        if release.status == ReleaseStatus.APPROVED:
            _move(release, ReleaseStatus.RENDERING, acting_user=None, reason="Rendering the PDFs")
        if not release.documents.exclude(status=DocumentStatus.READY).exists():
            release.available_at = timezone.now()
            _move(
                release,
                ReleaseStatus.AVAILABLE,
                acting_user=None,
                reason="PDFs ready",
                notify=partial(_tell_agencies, release, "is ready to download."),
            )
        return True


def release_document_render_failed(document_id: int, error: str) -> None:
    """The render's job stopped for good (on_failure of RELEASE_DOCUMENT_JOB): the document shows
    it failed and why, and the release's preparer is told, to try it again."""
    document = (
        ReleaseDocument.objects.select_for_update(of=("self",))
        .select_related("agency", "release__prepared_by")
        .filter(pk=document_id)
        .first()
    )
    if document is None or document.status == DocumentStatus.READY:
        return
    document.status, document.last_error = DocumentStatus.FAILED, error
    document.save(update_fields=["status", "last_error", "updated_at"])
    release = document.release
    notify(
        [release.prepared_by],
        message=(
            f"The PDF of release {release.reference} for {document.agency.name} failed: "
            "try it again from the release's page."
        ),
        link=f"{reverse('partners:release_detail', args=[release.pk])}#documents",
    )


def _document_pending(document: ReleaseDocument) -> None:
    document.status, document.last_error = DocumentStatus.PENDING, ""
    document.save(update_fields=["status", "last_error", "updated_at"])


def release_document_reopen(document_id: int) -> None:
    """Staff retry the render's failed job (on_retry of RELEASE_DOCUMENT_JOB): a failed document
    waits again."""
    document = ReleaseDocument.objects.select_for_update().filter(pk=document_id).first()
    if document is not None and document.status == DocumentStatus.FAILED:
        _document_pending(document)


@transaction.atomic
def release_document_retry(
    *, acting_user: User, document: ReleaseDocument, request: HttpRequest | None = None
) -> ReleaseDocument:
    """Try a failed PDF again (its preparer, or a reviewer over the product's unit): the document
    waits again and a new job renders it."""
    document = ReleaseDocument.objects.select_for_update().get(pk=document.pk)
    release = _lock_release(document.release)
    ReleasePolicy(acting_user, release).require_manage("retry a release's PDF")
    if document.status != DocumentStatus.FAILED:
        raise ValidationError("Only a PDF that failed can be tried again.")
    if release.status not in GRANTED_STATUSES:
        raise ValidationError(f"Release {release.reference} is no longer live.")
    failed_with = document.last_error
    _document_pending(document)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=release,
        request=request,
        detail={"document": document.pk, "retried_after": failed_with[:500]},
    )
    job_enqueue(RELEASE_DOCUMENT_JOB, document.pk)
    return document
