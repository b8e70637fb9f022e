"""The path the API schema's enum names take (SPECTACULAR_SETTINGS in nim_portal.settings): the
choices live in tasking.submissions.choices."""

from tasking.submissions.choices import EntryKind, SourceType, SubmissionStatus

__all__ = ["EntryKind", "SourceType", "SubmissionStatus"]
