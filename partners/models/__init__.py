from .agencies import AgencyMembership, PartnerAgency
from .grants import ReleaseGroupObjectPermission, ReleaseUserObjectPermission
from .releases import (
    HandlingAcknowledgement,
    Release,
    ReleaseCopy,
    ReleaseDocument,
    ReleaseRecipient,
)

__all__ = [
    "AgencyMembership",
    "HandlingAcknowledgement",
    "PartnerAgency",
    "Release",
    "ReleaseCopy",
    "ReleaseDocument",
    "ReleaseGroupObjectPermission",
    "ReleaseRecipient",
    "ReleaseUserObjectPermission",
]
