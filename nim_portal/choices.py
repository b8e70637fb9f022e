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
