"""Fixed vocabularies of the products app: kinds, lifecycle (with its transition table), closure."""

from django.db import models


class ProductKind(models.TextChoices):
    STRATEGIC_ASSESSMENT = "strategic", "Strategic assessment"
    TACTICAL_ASSESSMENT = "tactical", "Tactical assessment"
    PROBLEM_PROFILE = "problem", "Problem profile"
    SUBJECT_PROFILE = "subject", "Subject profile"


class ProductStatus(models.TextChoices):
    COMMISSIONED = "commissioned", "Commissioned"
    TOR_AGREED = "tor_agreed", "Terms of reference agreed"
    DRAFTING = "drafting", "Drafting"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned with comments"
    APPROVED = "approved", "Approved (published)"
    CLOSED = "closed", "Closed"


# A product in these is finished: it can no longer be overdue.
FINISHED_STATUSES = (ProductStatus.APPROVED, ProductStatus.CLOSED)

# The only moves a product may make; each is one service in products.services.
PRODUCT_TRANSITIONS: dict[str, frozenset[str]] = {
    ProductStatus.COMMISSIONED: frozenset({ProductStatus.TOR_AGREED, ProductStatus.CLOSED}),
    ProductStatus.TOR_AGREED: frozenset({ProductStatus.DRAFTING, ProductStatus.CLOSED}),
    ProductStatus.DRAFTING: frozenset({ProductStatus.SUBMITTED, ProductStatus.CLOSED}),
    ProductStatus.SUBMITTED: frozenset({ProductStatus.APPROVED, ProductStatus.RETURNED}),
    # Drafting of the next version starts from a returned draft or a published version.
    ProductStatus.RETURNED: frozenset({ProductStatus.DRAFTING, ProductStatus.CLOSED}),
    ProductStatus.APPROVED: frozenset({ProductStatus.DRAFTING, ProductStatus.CLOSED}),
    ProductStatus.CLOSED: frozenset(),
}


class ClosureReason(models.TextChoices):
    SUBJECT_APPREHENDED = "apprehended", "Subject apprehended"
    SUBJECT_PROTECTED = "protected", "Subject protected"
    PROBLEM_RESOLVED = "resolved", "Problem resolved"
    OTHER = "other", "Other (reason given)"


class Descriptor(models.TextChoices):
    """Descriptors that may accompany a GSC marking (docs/domain.md "Markings, vetting and
    grading")."""

    NONE = "", "None"
    PERSONAL = "PERSONAL", "PERSONAL"
    COMMERCIAL = "COMMERCIAL", "COMMERCIAL"
    LOCSEN = "LOCSEN", "LOCSEN (location sensitive)"


class SubjectKind(models.TextChoices):
    PERSON = "person", "Person"
    GROUP = "group", "Group"


class SubjectRole(models.TextChoices):
    SUSPECT = "suspect", "Suspect"
    VICTIM = "victim", "Victim"
