"""Partner agencies and their people: each agency with its information sharing agreement and
its own auth group; a partner user belongs to one agency."""

import datetime

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from nim_portal import access
from nim_portal.choices import AuditVerb, UserKind, VettingLevel
from nim_portal.lifecycle import save_with_history
from nim_portal.models import Unit, User
from nim_portal.services import audit_record
from nim_portal.validation import required_text
from partners.choices import AgencyKind
from partners.models import AgencyMembership, PartnerAgency
from partners.policy import require_agency_admin

NPPV_LEVELS = (VettingLevel.NPPV1, VettingLevel.NPPV2A, VettingLevel.NPPV2F, VettingLevel.NPPV3)


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


def agency_group_name(agency_name: str) -> str:
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
    agency.group = Group.objects.create(name=agency_group_name(agency.name))
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
        agency.group.name = agency_group_name(agency.name)
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
