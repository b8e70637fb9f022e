from .audit import AuditEvent, RecordClassification, WorkerHeartbeat
from .jobs import Job, JobState
from .notifications import Notification, NotificationPreference
from .organisation import Unit
from .people import Membership, User, VettingClearance

__all__ = [
    "AuditEvent",
    "Job",
    "JobState",
    "Membership",
    "Notification",
    "NotificationPreference",
    "RecordClassification",
    "Unit",
    "User",
    "VettingClearance",
    "WorkerHeartbeat",
]
