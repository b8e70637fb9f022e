"""Fixed vocabularies of the core app: GSC markings, vetting, unit kinds, roles, audit verbs."""

from django.db import models


class GSCMarking(models.IntegerChoices):
    """Government Security Classifications, ordered so that a higher number is more sensitive.

    OFFICIAL-SENSITIVE is a handling caveat on OFFICIAL, ranked between OFFICIAL and SECRET.
    """

    OFFICIAL = 10, "OFFICIAL"
    OFFICIAL_SENSITIVE = 20, "OFFICIAL-SENSITIVE"
    SECRET = 30, "SECRET"
    TOP_SECRET = 40, "TOP SECRET"


# The readable-marking ceiling of someone who may read nothing marked (e.g. NPPV1, lapsed vetting).
NO_CLEARANCE = 0


class VettingLevel(models.TextChoices):
    NONE = "NONE", "None held"
    RV = "RV", "Recruitment Vetting (RV)"
    MV = "MV", "Management Vetting (MV)"
    NPPV1 = "NPPV1", "Non-Police Personnel Vetting level 1"
    NPPV2A = "NPPV2A", "Non-Police Personnel Vetting level 2 (abbreviated)"
    NPPV2F = "NPPV2F", "Non-Police Personnel Vetting level 2 (full)"
    NPPV3 = "NPPV3", "Non-Police Personnel Vetting level 3"
    CTC = "CTC", "Counter-Terrorist Check (CTC)"
    SC = "SC", "Security Check (SC)"
    DV = "DV", "Developed Vetting (DV)"


# Defaults for the configurable vetting table (docs/domain.md "Markings, vetting and grading").
DEFAULT_VETTING_CLEARANCE = {
    VettingLevel.NONE: NO_CLEARANCE,
    VettingLevel.NPPV1: NO_CLEARANCE,
    VettingLevel.RV: GSCMarking.OFFICIAL_SENSITIVE,
    VettingLevel.NPPV2A: GSCMarking.OFFICIAL_SENSITIVE,
    VettingLevel.CTC: GSCMarking.OFFICIAL_SENSITIVE,
    VettingLevel.MV: GSCMarking.SECRET,
    VettingLevel.NPPV2F: GSCMarking.SECRET,
    VettingLevel.NPPV3: GSCMarking.SECRET,
    VettingLevel.SC: GSCMarking.SECRET,
    VettingLevel.DV: GSCMarking.TOP_SECRET,
}


class UnitKind(models.TextChoices):
    NATIONAL = "national", "National"
    REGION = "region", "Region"
    FORCE = "force", "Force"
    BCU = "bcu", "Basic Command Unit"


# NIM level of each kind of unit: BCU Level 1; force and region Level 2; national Level 3.
NIM_LEVEL_OF_KIND = {
    UnitKind.NATIONAL: 3,
    UnitKind.REGION: 2,
    UnitKind.FORCE: 2,
    UnitKind.BCU: 1,
}

# Which kind of unit each kind must sit directly under (None: a root of the hierarchy).
PARENT_KIND_OF_KIND = {
    UnitKind.NATIONAL: None,
    UnitKind.REGION: UnitKind.NATIONAL,
    UnitKind.FORCE: UnitKind.REGION,
    UnitKind.BCU: UnitKind.FORCE,
}


class UserKind(models.TextChoices):
    POLICE = "police", "Police officer or staff"
    PARTNER = "partner", "Partner agency"


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    REVIEWER = "reviewer", "Senior intelligence officer (reviewer)"
    CHAIR = "chair", "T&CG chair"
    MEMBER = "member", "T&CG member"
    ADMIN = "admin", "Administrator"


class AuditVerb(models.TextChoices):
    VIEW = "view", "Viewed"
    DOWNLOAD = "download", "Downloaded"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    SIGN_IN = "sign-in", "Signed in"
    SIGN_OUT = "sign-out", "Signed out"
    FAILED_SIGN_IN = "failed-sign-in", "Failed sign-in"
    LOCKED_OUT = "locked-out", "Locked out"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    MOVE = "move", "Moved"
    DEACTIVATE = "deactivate", "Deactivated"
    REACTIVATE = "reactivate", "Reactivated"
    GRANT = "grant", "Granted"
    REVOKE = "revoke", "Revoked"
    ENROL_SECOND_FACTOR = "enrol-2fa", "Enrolled a second factor"


class ExportFormat(models.TextChoices):
    """The formats a list downloads in (nim_portal.exports)."""

    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class NotificationKind(models.TextChoices):
    """What a notification is about. Each person chooses how they hear of each kind
    (NotificationDelivery); the label is all that an e-mail says of it."""

    TERMS_AWAIT_AGREEMENT = "tor_awaits_agreement", "Terms of reference await your agreement"
    SUBMITTED_FOR_REVIEW = "submitted_for_review", "A product awaits your review"
    RETURNED_WITH_COMMENTS = "returned_with_comments", "Your product was returned with comments"
    APPROVED_AND_PUBLISHED = "approved_and_published", "A product you own or asked for is published"
    ACTION_ASSIGNED = "action_assigned", "An action is given to you"
    ESCALATION_RAISED = "escalation_raised", "An issue is escalated to your T&CG"
    ESCALATION_DECIDED = "escalation_decided", "An escalation you raised or chaired is decided"
    REQUEST_RECEIVED = "request_received", "A neighbouring T&CG asks your T&CG for help"
    REQUEST_DECIDED = "request_decided", "A request you sent to a neighbouring T&CG is answered"
    SUBMISSION_TO_TRIAGE = "submission_to_triage", "Partner information awaits triage"
    SUBMISSION_ANSWERED = "submission_answered", "News of your agency's information"
    RELEASE_NEWS = "release_news", "News of a release to your agency"
    RELEASE_DOCUMENT_FAILED = "release_document_failed", "A release's PDF could not be made"
    PROFILE_REVIEW_DUE = "profile_review_due", "A profile you own or asked for is due for review"
    PRODUCT_FEEDBACK = (
        "product_feedback",
        "A reader gave feedback on a product you wrote or approved",
    )


class NotificationDelivery(models.TextChoices):
    """How a person hears of one kind of notification."""

    BOTH = "both", "In the portal and by e-mail"
    PORTAL = "portal", "In the portal only"
    EMAIL = "email", "By e-mail only"


# How a person hears of a kind they have chosen nothing for.
DEFAULT_NOTIFICATION_DELIVERY = NotificationDelivery.BOTH

# The kinds a partner user hears of: their agency's releases and information. Police users hear
# of every other kind.
PARTNER_NOTIFICATION_KINDS = (NotificationKind.SUBMISSION_ANSWERED, NotificationKind.RELEASE_NEWS)
