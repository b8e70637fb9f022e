from .audit import AuditEvent, RecordClassification, WorkerHeartbeat
from .notifications import Notification
from .organisation import Unit
from .people import Membership, User, VettingClearance

__all__ = [
    "AuditEvent",
    "Membership",
    "Notification",
    "RecordClassification",
    "Unit",
    "User",
    "VettingClearance",
    "WorkerHeartbeat",
]
