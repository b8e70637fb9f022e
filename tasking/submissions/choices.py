"""Fixed vocabularies of partner information submissions: their lifecycle (with its transition
table), the kinds of source, the entries of a submission's conversation, and the 3x5x2 grading
(docs/domain.md "Markings, vetting and grading")."""

from django.db import models

from nim_portal.choices import GSCMarking

# Partner information is handled as OFFICIAL-SENSITIVE: it is often about people.
SUBMISSION_MARKING = GSCMarking.OFFICIAL_SENSITIVE


class SubmissionStatus(models.TextChoices):
    AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
    MORE_REQUESTED = "more_requested", "More information asked for"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


# The only moves a submission may make; each is one service in tasking.submissions.services.
# A follow-up from the partner brings a submission asked for more back to triage.
SUBMISSION_TRANSITIONS: dict[str, frozenset[str]] = {
    SubmissionStatus.AWAITING_TRIAGE: frozenset(
        {SubmissionStatus.ACCEPTED, SubmissionStatus.MORE_REQUESTED, SubmissionStatus.DECLINED}
    ),
    SubmissionStatus.MORE_REQUESTED: frozenset(
        {SubmissionStatus.AWAITING_TRIAGE, SubmissionStatus.DECLINED}
    ),
    SubmissionStatus.ACCEPTED: frozenset(),
    SubmissionStatus.DECLINED: frozenset(),
}


class SourceType(models.TextChoices):
    """Where the partner's information came from (what staff need to evaluate the source)."""

    OWN_STAFF = "own_staff", "Our own staff's observation"
    MEMBER_OF_PUBLIC = "public", "A member of the public"
    PARTNER_RECORDS = "records", "Our agency's records"
    OTHER = "other", "Other"


class EntryKind(models.TextChoices):
    """One step of the conversation between the partner and the triage staff, all of which the
    partner may read (the grading is never one of them)."""

    FOLLOW_UP = "follow_up", "Further information from the partner"
    MORE_REQUESTED = "more_requested", "More information asked for"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class SourceEvaluation(models.TextChoices):
    """3x5x2: how reliable the source is."""

    RELIABLE = "1", "1: Reliable"
    UNTESTED = "2", "2: Untested"
    NOT_RELIABLE = "3", "3: Not reliable"


class IntelligenceAssessment(models.TextChoices):
    """3x5x2: how the information is known."""

    KNOWN_DIRECTLY = "A", "A: Known directly"
    KNOWN_INDIRECTLY_CORROBORATED = "B", "B: Known indirectly, corroborated"
    KNOWN_INDIRECTLY = "C", "C: Known indirectly"
    NOT_KNOWN = "D", "D: Not known"
    SUSPECTED_FALSE = "E", "E: Suspected to be false"


class HandlingCode(models.TextChoices):
    """3x5x2: whether the intelligence may be shared, and on what terms."""

    PERMITTED = "P", "P: Lawful sharing permitted"
    CONDITIONS = "C", "C: Sharing with conditions"


# The kinds of file a partner may attach: extension → (what it is, its content type).
ATTACHMENT_KINDS: dict[str, tuple[str, str]] = {
    ".pdf": ("PDF", "application/pdf"),
    ".png": ("PNG image", "image/png"),
    ".jpg": ("JPEG image", "image/jpeg"),
    ".jpeg": ("JPEG image", "image/jpeg"),
    ".txt": ("plain text", "text/plain"),
    ".docx": (
        "Word document (DOCX)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
