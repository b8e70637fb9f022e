"""Reads of partner information and of partners' meetings that depend on who is asking: one
query each, no per-row permission checks in Python.

Triage staff (`submissions_for_triage`): active police users with current vetting that reads the
submissions' marking, holding the analyst, chair or admin role in the unit tree (the unit itself,
a unit above it or below it) of the control strategy whose intelligence requirement the item
belongs to, and able to read that strategy (tasking.strategy.selectors).

Partner users (`submissions_for_partner`): the submissions of their own agency only, and never
their grading: the partner querysets select no grading and the partner pages show none.
Missing and forbidden give the same 404 everywhere, so ids cannot be probed.
"""

from django.db.models import F, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import Role, UserKind
from nim_portal.ids import id_or_404
from nim_portal.models import Unit, User
from partners.choices import ReleaseStatus
from partners.models import AgencyMembership, PartnerAgency, Release
from partners.selectors import releases_for_partner
from products.choices import ProductKind
from tasking.meetings.models import MeetingInvitee
from tasking.strategy.models import ControlStrategy, IntelligenceRequirementItem
from tasking.strategy.selectors import (
    control_strategies_visible_to,
    published_requirement_items_for_units,
)
from tasking.submissions.choices import SUBMISSION_MARKING, SubmissionStatus
from tasking.submissions.models import PartnerSubmission
from tasking.submissions.policy import TRIAGE_ROLES

STRATEGY_UNIT = "item__requirement__control_strategy__unit"


# Triage staff.


def submissions_for_triage(user: User) -> QuerySet[PartnerSubmission]:
    """Every submission `user` may triage and grade (see the module doc), newest first."""
    if not access.is_police_reader(user) or not access.may_read_marking(user, SUBMISSION_MARKING):
        return PartnerSubmission.objects.none()
    return (
        PartnerSubmission.objects.filter(
            access.in_units_in_line(user, STRATEGY_UNIT, roles=TRIAGE_ROLES),
            item__requirement__control_strategy__in=control_strategies_visible_to(user).values(
                "pk"
            ),
        )
        .select_related(
            "item__priority",
            "item__requirement__control_strategy__unit",
            "agency",
            "submitted_by",
            "accepted_priority",
            "grading",
        )
        .order_by("-submitted_at", "-id")
    )


def triage_list(user: User, status: str = "") -> QuerySet[PartnerSubmission]:
    """The triage list: awaiting triage first (oldest first, the queue), then the rest newest
    first; narrowed to one status when `status` names one."""
    submissions = submissions_for_triage(user)
    if status in SubmissionStatus.values:
        return submissions.filter(status=status).order_by("submitted_at", "id")
    return submissions


def get_submission_for_triage(user: User, pk) -> PartnerSubmission:
    submission = submissions_for_triage(user).filter(pk=id_or_404(pk, "submission")).first()
    if submission is None:
        raise Http404("No such submission.")
    return submission


def triage_recipients(submission: PartnerSubmission) -> QuerySet[User]:
    """Who hears of a new or returning submission: the item's owner and the analysts of the
    strategy's unit itself, those of them holding a triage role in its tree (one query)."""
    strategy = ControlStrategy.objects.filter(intelligence_requirement__items=submission.item_id)
    unit_id = Subquery(strategy.values("unit_id")[:1])
    return User.objects.filter(
        Q(requirement_items_owned=submission.item_id)
        | Q(memberships__unit_id=unit_id, memberships__role=Role.ANALYST),
        access.people_in_line(Unit.objects.filter(pk=unit_id), roles=TRIAGE_ROLES),
        is_active=True,
        kind=UserKind.POLICE,
    ).distinct()


# Partner users.


def partner_agency(user: User) -> PartnerAgency | None:
    """The partner user's agency (None for police users and partners in none)."""
    if not access.is_active_partner(user):
        return None
    membership = AgencyMembership.objects.select_related("agency").filter(user=user).first()
    return membership.agency if membership else None


def submissions_for_partner(user: User) -> QuerySet[PartnerSubmission]:
    """The submissions of the partner user's own agency, newest first (no grading selected)."""
    if not access.is_active_partner(user):
        return PartnerSubmission.objects.none()
    return (
        PartnerSubmission.objects.filter(agency__memberships__user=user)
        .select_related("item__requirement__control_strategy__unit")
        .order_by("-submitted_at", "-id")
    )


def get_submission_for_partner(user: User, pk) -> PartnerSubmission:
    submission = submissions_for_partner(user).filter(pk=id_or_404(pk, "submission")).first()
    if submission is None:
        raise Http404("No such submission.")
    return submission


def requirement_items_for_partner(user: User) -> QuerySet[IntelligenceRequirementItem]:
    """The published items the partner's agency may submit information against (none while its
    agreement is not in force)."""
    agency = partner_agency(user)
    if agency is None or agency.lapsed_reason():
        return IntelligenceRequirementItem.objects.none()
    return published_requirement_items_for_units(agency.units.all())


# Partners at meetings.


def partner_invitations(user: User) -> QuerySet[MeetingInvitee]:
    """The partner user's own invitations as a partner attendee, each with its meeting and unit,
    soonest first. Nothing of the meeting's business is selected for partner pages."""
    if not access.is_active_partner(user):
        return MeetingInvitee.objects.none()
    return (
        MeetingInvitee.objects.filter(user=user, is_partner_attendee=True)
        .select_related("meeting__unit")
        .order_by("meeting__starts_at", "meeting_id")
    )


def get_partner_invitation(user: User, meeting_pk) -> MeetingInvitee:
    invitation = (
        partner_invitations(user)
        .select_related("meeting__chair")
        .filter(meeting_id=id_or_404(meeting_pk, "meeting"))
        .first()
    )
    if invitation is None:
        raise Http404("No such meeting.")
    return invitation


def strategic_releases_for_partner(user: User, unit_ids) -> QuerySet[Release]:
    """The live releases to the partner's agency of strategic assessments of the units
    `unit_ids`, each annotated with `assessment_unit_id`: the sanitised strategic assessment
    for their ST&CGs. One query."""
    today = timezone.localdate()
    return (
        releases_for_partner(user)
        .filter(
            status=ReleaseStatus.AVAILABLE,
            expires_on__gte=today,
            version__product__kind=ProductKind.STRATEGIC_ASSESSMENT,
            version__product__unit_id__in=list(unit_ids),
        )
        .annotate(assessment_unit_id=F("version__product__unit_id"))
    )
