"""A release's lifecycle: its row lock, its moves (through nim_portal.lifecycle, by
partners.choices.RELEASE_TRANSITIONS), and its end by withdrawal or expiry, which revokes its
grants."""

from functools import partial

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal.access import grants
from nim_portal.choices import NotificationKind
from nim_portal.lifecycle import Lifecycle
from nim_portal.models import User
from nim_portal.services import notify
from nim_portal.validation import required_text
from partners.choices import GRANTED_STATUSES, RELEASE_TRANSITIONS, ReleaseStatus
from partners.models import PartnerAgency, Release
from partners.models.releases import VIEW_RELEASE
from partners.policy import ReleasePolicy

RELEASE_LIFECYCLE = Lifecycle(
    RELEASE_TRANSITIONS, subject=lambda release: f"Release {release.reference} is"
)


def lock_release(release: Release) -> Release:
    return (
        Release.objects.select_for_update(of=("self",))
        .select_related("version__product__unit", "prepared_by")
        .get(pk=release.pk)
    )


def revoke_grants(release: Release, acting_user: User | None) -> None:
    for agency in PartnerAgency.objects.filter(releases=release).select_related("group"):
        grants.revoke(VIEW_RELEASE, agency.group, release, acting_user=acting_user)


def tell_agencies(release: Release, news: str) -> None:
    """Tell the recipient agencies' users in the portal. The message names the reference only;
    notify's e-mail carries no detail."""
    agencies = PartnerAgency.objects.filter(releases=release)
    notify(
        User.objects.filter(agency_membership__agency__in=agencies, is_active=True).distinct(),
        kind=NotificationKind.RELEASE_NEWS,
        message=f"Release {release.reference} {news}",
    )


@transaction.atomic
def release_withdraw(
    *, acting_user: User, release: Release, reason: str, request: HttpRequest | None = None
) -> Release:
    """Withdraw a release (its preparer, or a reviewer over the product's unit), with a reason:
    no further download; grants revoked; the agencies' users are told in the portal."""
    release = lock_release(release)
    ReleasePolicy(acting_user, release).require_manage("withdraw a release")
    reason = required_text(reason, field="reason", message="Say why the release is withdrawn.")
    was_released = release.available_at is not None
    release.withdrawn_by, release.withdrawn_at, release.withdrawn_reason = (
        acting_user,
        timezone.now(),
        reason,
    )
    RELEASE_LIFECYCLE.move(
        release,
        ReleaseStatus.WITHDRAWN,
        acting_user=acting_user,
        reason=f"Withdrawn: {reason}",
        request=request,
        # Only agencies that could download it hear of it.
        notify=(
            partial(tell_agencies, release, "was withdrawn: it can no longer be downloaded.")
            if was_released
            else None
        ),
    )
    revoke_grants(release, acting_user)
    return release


def releases_due_to_expire() -> list[int]:
    """System: ids of live releases whose expiry date has passed."""
    return list(
        Release.objects.filter(
            status__in=GRANTED_STATUSES, expires_on__lt=timezone.localdate()
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def release_expire(release_id: int) -> bool:
    """System job: end a live release past its expiry date (grants revoked). Safe to run twice."""
    release = Release.objects.select_for_update().filter(pk=release_id).first()
    if release is None or release.status not in GRANTED_STATUSES:
        return False
    if release.expires_on >= timezone.localdate():
        return False
    release.expired_at = timezone.now()
    RELEASE_LIFECYCLE.move(release, ReleaseStatus.EXPIRED, acting_user=None, reason="Expired")
    revoke_grants(release, None)
    return True
