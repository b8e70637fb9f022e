from .agencies import AgencyMembership, PartnerAgency
from .grants import ReleaseGroupObjectPermission, ReleaseUserObjectPermission
from .releases import HandlingAcknowledgement, Release, ReleaseDocument, ReleaseRecipient

__all__ = [
    "AgencyMembership",
    "HandlingAcknowledgement",
    "PartnerAgency",
    "Release",
    "ReleaseDocument",
    "ReleaseGroupObjectPermission",
    "ReleaseRecipient",
    "ReleaseUserObjectPermission",
]
