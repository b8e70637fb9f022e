"""Recording the authority of covert activity (RIPA/IPA): one check and one record, used by the
services that raise a covert action (tasking.actions.services.action_raise, and so an accepted
bid) and add a covert collection item (tasking.strategy.requirement).

Covert activity is refused without its authority type, reference, authorising officer and a
necessity and proportionality note; the caller checks first (`check_authority`, every problem
by field, so that a form shows them with its own) and records the authority with its record, in
the same transaction, once it is saved (`authority_record`). Who may record it is who may make
the record: the caller has asked its own policy.
"""

from dataclasses import dataclass

from django.http import HttpRequest

from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.lifecycle import save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from tasking.safeguards.choices import AuthorityType
from tasking.safeguards.models import OFFICER_MAX_LENGTH, REFERENCE_MAX_LENGTH, Authority

NOTE_MAX_LENGTH = 10_000

# The input fields of an authority, as the forms, the API and the services name them.
AUTHORITY_FIELDS = (
    "authority_type",
    "authority_reference",
    "authorising_officer",
    "necessity_and_proportionality",
)

MISSING = {
    "authority_type": "Choose the type of authority the covert activity is done under.",
    "authority_reference": "Enter the authority's reference.",
    "authorising_officer": "Enter the authorising officer: their rank and name.",
    "necessity_and_proportionality": (
        "Say why the covert activity is necessary and proportionate."
    ),
}
NOT_COVERT = "Tick covert to record an authority: an overt activity needs none."
COVERT_MARKING = (
    "Covert activity and its authority are marked OFFICIAL-SENSITIVE or higher: choose that "
    "marking or a higher one."
)


@dataclass(frozen=True)
class AuthorityCheck:
    """What `check_authority` found: the authority's fields when the activity is covert and
    complete (None for overt activity), and every problem by field."""

    fields: dict | None
    errors: dict


def check_authority(
    *,
    covert: bool,
    marking=None,
    authority_type: str = "",
    authority_reference: str = "",
    authorising_officer: str = "",
    necessity_and_proportionality: str = "",
) -> AuthorityCheck:
    """Covert activity needs all four (and a marking of OFFICIAL-SENSITIVE or higher, when
    `marking` is given); overt activity takes none."""
    given = {
        "authority_type": (authority_type or "").strip(),
        "authority_reference": (authority_reference or "").strip(),
        "authorising_officer": (authorising_officer or "").strip(),
        "necessity_and_proportionality": (necessity_and_proportionality or "").strip(),
    }
    if not covert:
        errors = {"covert": NOT_COVERT} if any(given.values()) else {}
        return AuthorityCheck(None, errors)
    errors = {field: MISSING[field] for field, value in given.items() if not value}
    if given["authority_type"] and given["authority_type"] not in AuthorityType.values:
        errors["authority_type"] = MISSING["authority_type"]
    limits = {
        "authority_reference": REFERENCE_MAX_LENGTH,
        "authorising_officer": OFFICER_MAX_LENGTH,
        "necessity_and_proportionality": NOTE_MAX_LENGTH,
    }
    for field, limit in limits.items():
        if len(given[field]) > limit:
            errors[field] = f"Use {limit:,} characters or fewer."
    if marking in GSCMarking.values and int(marking) < GSCMarking.OFFICIAL_SENSITIVE:
        errors["marking"] = COVERT_MARKING
    if errors:
        return AuthorityCheck(None, errors)
    return AuthorityCheck(
        {
            "authority_type": given["authority_type"],
            "reference": given["authority_reference"],
            "authorising_officer": given["authorising_officer"],
            "necessity_and_proportionality": given["necessity_and_proportionality"],
        },
        {},
    )


def authority_record(
    *,
    acting_user: User,
    checked: AuthorityCheck,
    request: HttpRequest | None = None,
    **record,
) -> Authority | None:
    """Record the authority `check_authority` passed, for the record given by keyword (`action=`
    or `requirement_item=`), saved already; None for overt activity. The audit entry names the
    type and reference, never the note."""
    if checked.fields is None:
        return None
    authority = Authority(recorded_by=acting_user, **checked.fields, **record)
    save_with_history(authority, acting_user=acting_user, reason="Recorded")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=authority,
        request=request,
        detail={"type": authority.authority_type, "reference": authority.reference},
    )
    return authority
