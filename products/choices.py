"""Fixed vocabularies of the products app: kinds, lifecycle (with its transition table), closure."""

from django.db import models


class ProductKind(models.TextChoices):
    STRATEGIC_ASSESSMENT = "strategic", "Strategic assessment"
    TACTICAL_ASSESSMENT = "tactical", "Tactical assessment"
    PROBLEM_PROFILE = "problem", "Problem profile"
    SUBJECT_PROFILE = "subject", "Subject profile"
    FIREARMS_PROFILE = "firearms", "NPCC firearms subject profile"


# Profiles of a person or group: need-to-know always, with a lawful basis, purpose and
# proportionality before submission, and closed when their subject is apprehended or protected.
SUBJECT_PROFILE_KINDS = frozenset({ProductKind.SUBJECT_PROFILE, ProductKind.FIREARMS_PROFILE})

# The profiles whose terms' review date calls for a review until they close (docs/domain.md
# "Profile review").
PROFILE_KINDS = SUBJECT_PROFILE_KINDS | {ProductKind.PROBLEM_PROFILE}


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


class ReviewStandard(models.TextChoices):
    """The standards a reviewer confirms a draft meets before approving it (docs/domain.md
    "Standards checklist"): approval is refused until every one is confirmed."""

    ANSWERS_TERMS = "answers_terms", "It answers the questions in the terms of reference"
    SOURCES_GRADED = "sources_graded", "Its sources are evaluated and graded, and cited"
    FACT_AND_JUDGEMENT = (
        "fact_and_judgement",
        "It keeps fact apart from assessment, and states its confidence",
    )
    GAPS_STATED = "gaps_stated", "It states its intelligence gaps"
    RECOMMENDATIONS_ACTIONABLE = (
        "recommendations_actionable",
        "Its recommendations are actionable and proportionate",
    )
    MARKING_AND_HANDLING = "marking_handling", "Its markings and handling instructions are right"


class FeedbackUsefulness(models.TextChoices):
    """How useful a reader found a published product."""

    VERY = "very", "Very useful"
    SOMEWHAT = "somewhat", "Somewhat useful"
    NOT = "not", "Not useful"
