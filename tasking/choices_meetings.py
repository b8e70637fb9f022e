"""The path the API schema's enum names take (SPECTACULAR_SETTINGS in nim_portal.settings): the
choices live in tasking.meetings.choices."""

from tasking.meetings.choices import AgendaItemKind, MeetingKind, MeetingStatus

__all__ = ["AgendaItemKind", "MeetingKind", "MeetingStatus"]
