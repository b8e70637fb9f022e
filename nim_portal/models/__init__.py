from .audit import AuditEvent, WorkerHeartbeat
from .notifications import Notification
from .organisation import Unit
from .people import Membership, User, VettingClearance

__all__ = [
    "AuditEvent",
    "Membership",
    "Notification",
    "Unit",
    "User",
    "VettingClearance",
    "WorkerHeartbeat",
]
