"""Partner attendees at T&CG meetings: a chair invites a partner user of an agency working with
the meeting's unit, or takes the invitation back.

Partners attend the ST&CG: tactical material is often sensitive and about individuals
(docs/domain.md "Partners and sanitised releases"). A TT&CG takes a partner only by an explicit
choice of tactical partner attendance, with its reason, recorded in the history and the audit log.
A refusal raises PermissionDenied or ValidationError with a message fit to show, and changes
nothing.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from nim_portal.choices import AuditVerb
from nim_portal.lifecycle import save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from partners.selectors import agencies_for_unit
from tasking.meetings.choices import MeetingKind, MeetingStatus
from tasking.meetings.invitations import invitations_ask
from tasking.meetings.models import Meeting, MeetingInvitee
from tasking.meetings.policy import require_chair
from tasking.meetings.services import invitation_take_back, meeting_locked, meeting_screen_changed

REASON_MAX_LENGTH = 500


@transaction.atomic
def partner_attendee_invite(
    *,
    acting_user: User,
    meeting: Meeting,
    partner_user: User,
    tactical_attendance: bool = False,
    reason: str = "",
    request: HttpRequest | None = None,
) -> MeetingInvitee:
    """Invite a partner user to a meeting that is not closed; they are sent the invitation (with
    its .ics) after commit and see the meeting in their partner area.

    The partner belongs to an agency whose agreement is in force and which works with the
    meeting's unit (or a unit above or below it). A TT&CG needs `tactical_attendance` and a
    `reason`.
    """
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "invite partner attendees")
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError("The meeting is closed: nobody more can be invited.")
    if not (partner_user.is_active and partner_user.is_partner):
        raise ValidationError({"partner": "Choose an active partner agency user."})
    agencies = agencies_for_unit(meeting.unit)
    agency = agencies.filter(memberships__user=partner_user).first()
    if agency is None:
        raise ValidationError(
            {
                "partner": f"{partner_user} is not in an agency working with {meeting.unit} "
                "under an information sharing agreement in force."
            }
        )
    reason = (reason or "").strip()
    if meeting.kind == MeetingKind.TACTICAL:
        if not tactical_attendance:
            raise ValidationError(
                {
                    "tactical_attendance": "Partners attend the ST&CG: a TT&CG discusses "
                    "tactical material, often about individuals. To invite a partner to this "
                    "TT&CG, choose tactical partner attendance and give the reason."
                }
            )
        if not reason:
            raise ValidationError(
                {"reason": "Say why the partner attends this TT&CG (it is recorded)."}
            )
        if len(reason) > REASON_MAX_LENGTH:
            raise ValidationError({"reason": f"Use {REASON_MAX_LENGTH} characters or fewer."})
    elif tactical_attendance:
        raise ValidationError(
            {"tactical_attendance": "This is an ST&CG: partners attend it without a reason."}
        )
    if MeetingInvitee.objects.filter(meeting=meeting, user=partner_user).exists():
        raise ValidationError({"partner": f"{partner_user} is already invited."})
    invitee = MeetingInvitee(meeting=meeting, user=partner_user, is_partner_attendee=True)
    history_reason = (
        f"Partner attendee at a TT&CG: {reason}"
        if meeting.kind == MeetingKind.TACTICAL
        else "Partner attendee invited"
    )
    save_with_history(invitee, acting_user=acting_user, reason=history_reason)
    detail = {"partner": partner_user.pk, "agency": agency.pk, "invitee": invitee.pk}
    if meeting.kind == MeetingKind.TACTICAL:
        detail["tactical_reason"] = reason
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=meeting,
        request=request,
        detail={"partner_attendee_invited": detail},
    )
    invitations_ask([meeting.pk])
    # Before attendance is taken the invitees are the shared screen's audience: it narrows now.
    meeting_screen_changed(meeting.pk)
    return invitee


@transaction.atomic
def partner_attendee_remove(
    *, acting_user: User, invitee: MeetingInvitee, request: HttpRequest | None = None
) -> None:
    """Take back a partner attendee's invitation to a meeting that is not closed."""
    meeting = meeting_locked(invitee.meeting_id)
    require_chair(acting_user, meeting, "take back a partner attendee's invitation")
    invitee = MeetingInvitee.objects.select_for_update().filter(pk=invitee.pk).first()
    if invitee is None or not invitee.is_partner_attendee:
        raise ValidationError("That person is not a partner attendee of this meeting.")
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError("The meeting is closed: its attendance is part of its record.")
    invitation_take_back(
        acting_user=acting_user,
        meeting=meeting,
        invitee=invitee,
        reason="Partner attendee's invitation taken back",
        audit_detail={"partner_attendee_removed": {"partner": invitee.user_id}},
        request=request,
    )
