"""Running a meeting: opening it, attendance, the agenda and its current item, decisions, the
minutes (with a version token), closing it and the profiles it commissions. The issues it
escalates are in tasking.proceedings.escalations, its frozen minutes' PDF in
tasking.proceedings.minutes_pdf.

Only who may chair the meeting (tasking.meetings.policy) runs it. Each service takes
`acting_user=` and everything else by keyword. A refusal raises PermissionDenied or ValidationError
with a message fit to show, and changes nothing. Every change writes its history reason and an
audit event, and every change to what the meeting screen shows calls `meeting_screen_changed`
(tasking.meetings.services) so that the screens following it reload.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.jobs import job_enqueue
from nim_portal.lifecycle import StaleChange, save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from nim_portal.validation import required_text
from products.services import product_commission
from tasking.meetings.choices import (
    AGENDA_MARKINGS,
    AgendaItemKind,
    Attendance,
    MeetingStatus,
)
from tasking.meetings.models import AgendaItem, Meeting, MeetingInvitee
from tasking.meetings.policy import require_chair
from tasking.meetings.search import refresh_meeting_vector, refresh_minutes_vector
from tasking.meetings.services import (
    MEETING_LIFECYCLE,
    meeting_locked,
    meeting_screen_changed,
)
from tasking.proceedings.choices import CommissionKind
from tasking.proceedings.minutes_pdf import MINUTES_PDF_JOB
from tasking.proceedings.models import Commission, Decision, MinutesVersion
from tasking.proceedings.selectors import minutes_snapshot

TEXT_MAX_LENGTH = 10_000
TITLE_MAX_LENGTH = 200


class MinutesConflict(StaleChange):
    """Somebody saved the minutes after the editor loaded them: their save is refused.

    Carries both texts so that the editor can merge by hand; nothing was written.
    """

    def __init__(self, *, meeting: Meeting, your_text: str, loaded_version: int):
        self.current_text = meeting.minutes
        self.current_version = meeting.minutes_version
        self.your_text = your_text
        self.loaded_version = loaded_version
        super().__init__(
            f"The minutes were saved by somebody else after you opened them (version "
            f"{meeting.minutes_version}, you loaded {loaded_version}). Your text has not been "
            "saved: compare both versions and save again.",
            code="minutes_conflict",
        )


# Helpers (tasking.proceedings.escalations checks with them too).


def require_not_closed(meeting: Meeting, action: str) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(
            f"The meeting is closed: its record is final, so you cannot {action}."
        )


def require_in_session(meeting: Meeting, action: str) -> None:
    require_not_closed(meeting, action)
    if meeting.status != MeetingStatus.IN_SESSION:
        raise ValidationError(f"Open the meeting first: you can {action} only while it sits.")


def clean_marking(marking, acting_user: User) -> int:
    if marking not in GSCMarking.values:
        raise ValidationError({"marking": "Choose a GSC marking."})
    marking = int(marking)
    if not acting_user.may_read(marking):
        raise ValidationError(
            {"marking": f"Your vetting does not allow {GSCMarking(marking).label} material."}
        )
    return marking


def _clean_agenda_marking(marking, field: str) -> int:
    """An agenda item's title or notes are OFFICIAL (shown to partners present) or
    OFFICIAL-SENSITIVE (police only): anything more sensitive belongs in a decision or action."""
    if marking not in {value for value, _ in AGENDA_MARKINGS}:
        raise ValidationError(
            {
                field: "Mark it OFFICIAL (shown to partners present) or "
                "OFFICIAL-SENSITIVE (police only)."
            }
        )
    return int(marking)


def require_item_of(meeting: Meeting, item: AgendaItem | None, *, field: str = "agenda_item"):
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError({field: "Choose an item of this meeting's agenda."})
    return item


def _audit(acting_user, meeting, request, **detail) -> None:
    audit_record(
        actor=acting_user, verb=AuditVerb.UPDATE, obj=meeting, request=request, detail=detail
    )


# Opening, attendance, the current item.


@transaction.atomic
def meeting_open(*, acting_user: User, meeting: Meeting, request: HttpRequest | None = None):
    """Open a scheduled meeting: it sits, on its first agenda item. A closed one stays closed."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "open it")
    meeting.opened_at = timezone.now()
    meeting.current_agenda_item = meeting.agenda_items.order_by("position").first()
    MEETING_LIFECYCLE.move(
        meeting,
        MeetingStatus.IN_SESSION,
        acting_user=acting_user,
        reason="Opened",
        request=request,
        notify=lambda: meeting_screen_changed(meeting.pk),
    )
    return meeting


@transaction.atomic
def attendance_record(
    *,
    acting_user: User,
    meeting: Meeting,
    invitee: MeetingInvitee,
    attendance: str,
    request: HttpRequest | None = None,
) -> MeetingInvitee:
    """Record an invitee present or sending apologies (before or while the meeting sits)."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "record attendance")
    require_not_closed(meeting, "change its attendance")
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": "Choose present, apologies or invited."})
    invitee = MeetingInvitee.objects.select_for_update().filter(pk=invitee.pk).first()
    if invitee is None or invitee.meeting_id != meeting.pk:
        raise ValidationError({"invitee": "Choose somebody invited to this meeting."})
    if invitee.attendance == attendance:
        return invitee
    before = invitee.attendance
    invitee.attendance = attendance
    save_with_history(
        invitee, acting_user=acting_user, reason=f"Attendance: {invitee.get_attendance_display()}"
    )
    _audit(
        acting_user,
        meeting,
        request,
        attendance={"invitee": invitee.user_id, "from": before, "to": attendance},
    )
    meeting_screen_changed(meeting.pk)
    return invitee


@transaction.atomic
def meeting_current_item_set(
    *, acting_user: User, meeting: Meeting, item: AgendaItem, request: HttpRequest | None = None
) -> Meeting:
    """Move the sitting meeting (and every screen following it) to one of its agenda items."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "move it to another item")
    require_in_session(meeting, "move to another item")
    require_item_of(meeting, item, field="item")
    if meeting.current_agenda_item_id == item.pk:
        return meeting
    meeting.current_agenda_item = item
    save_with_history(meeting, acting_user=acting_user, reason=f"Now at item {item.position}")
    _audit(acting_user, meeting, request, current_agenda_item=item.pk)
    meeting_screen_changed(meeting.pk)
    return meeting


# The agenda.


def _lock_item(item: AgendaItem) -> tuple[AgendaItem, Meeting]:
    meeting = meeting_locked(item.meeting_id)
    item = AgendaItem.objects.select_for_update().filter(pk=item.pk, meeting=meeting).first()
    if item is None:
        raise ValidationError("That item is no longer on the agenda.")
    return item, meeting


def _clean_kind(kind: str) -> str:
    if kind not in AgendaItemKind.values:
        raise ValidationError({"kind": "Choose the kind of item."})
    return kind


@transaction.atomic
def agenda_item_add(
    *,
    acting_user: User,
    meeting: Meeting,
    title: str,
    kind: str = AgendaItemKind.OTHER,
    notes: str = "",
    title_marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    notes_marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """Add an item at the end of the agenda (before or while the meeting sits). What the chair
    types stays off a shared screen with partners present unless marked OFFICIAL."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "change its agenda")
    require_not_closed(meeting, "change its agenda")
    title = required_text(
        title, field="title", message="Enter the item's title.", max_length=TITLE_MAX_LENGTH
    )
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(
        meeting=meeting,
        position=last + 1,
        title=title,
        title_marking=_clean_agenda_marking(title_marking, "title_marking"),
        kind=_clean_kind(kind),
        notes=(notes or "").strip()[:TEXT_MAX_LENGTH],
        notes_marking=_clean_agenda_marking(notes_marking, "notes_marking"),
    )
    save_with_history(item, acting_user=acting_user, reason="Added to the agenda")
    refresh_meeting_vector(meeting.pk)
    _audit(acting_user, meeting, request, agenda_item_added=item.pk)
    meeting_screen_changed(meeting.pk)
    return item


@transaction.atomic
def agenda_item_edit(
    *,
    acting_user: User,
    item: AgendaItem,
    title: str,
    notes: str = "",
    title_marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    notes_marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """Change an item's title and notes, and the marking of each (police only unless the chair
    marks it OFFICIAL, as when added)."""
    item, meeting = _lock_item(item)
    require_chair(acting_user, meeting, "change its agenda")
    require_not_closed(meeting, "change its agenda")
    title = required_text(
        title, field="title", message="Enter the item's title.", max_length=TITLE_MAX_LENGTH
    )
    notes = (notes or "").strip()[:TEXT_MAX_LENGTH]
    changed = (
        title,
        _clean_agenda_marking(title_marking, "title_marking"),
        notes,
        _clean_agenda_marking(notes_marking, "notes_marking"),
    )
    if (item.title, item.title_marking, item.notes, item.notes_marking) == changed:
        return item
    item.title, item.title_marking, item.notes, item.notes_marking = changed
    save_with_history(item, acting_user=acting_user, reason="Agenda item changed")
    refresh_meeting_vector(meeting.pk)
    _audit(acting_user, meeting, request, agenda_item_changed=item.pk)
    meeting_screen_changed(meeting.pk)
    return item


@transaction.atomic
def agenda_item_move(
    *, acting_user: User, item: AgendaItem, direction: str, request: HttpRequest | None = None
) -> AgendaItem:
    """Swap an item with the one above ("up") or below ("down") it."""
    item, meeting = _lock_item(item)
    require_chair(acting_user, meeting, "change its agenda")
    require_not_closed(meeting, "change its agenda")
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move an item up or down."})
    neighbours = meeting.agenda_items.select_for_update()
    if direction == "up":
        other = neighbours.filter(position__lt=item.position).order_by("-position").first()
    else:
        other = neighbours.filter(position__gt=item.position).order_by("position").first()
    if other is None:
        raise ValidationError(
            f"“{item.title}” is already {'first' if direction == 'up' else 'last'}."
        )
    # Through a free slot (0), so the unique position holds at every step; history below.
    AgendaItem.objects.filter(pk=item.pk).update(position=0)
    item.position, other.position = other.position, item.position
    save_with_history(other, acting_user=acting_user, reason=f"Moved to {other.position}")
    save_with_history(item, acting_user=acting_user, reason=f"Moved to {item.position}")
    _audit(acting_user, meeting, request, agenda_item_moved={"item": item.pk, "to": item.position})
    meeting_screen_changed(meeting.pk)
    return item


@transaction.atomic
def agenda_item_delete(
    *, acting_user: User, item: AgendaItem, request: HttpRequest | None = None
) -> None:
    """Take an item off the agenda (never one with decisions recorded under it); the items
    after it move up."""
    item, meeting = _lock_item(item)
    require_chair(acting_user, meeting, "change its agenda")
    require_not_closed(meeting, "change its agenda")
    if item.decisions.exists():
        raise ValidationError(
            f"“{item.title}” has decisions recorded under it: it stays on the agenda."
        )
    position, title = item.position, item.title
    item._history_user = acting_user
    item._change_reason = "Taken off the agenda"
    item.delete()
    for later in (
        meeting.agenda_items.select_for_update().filter(position__gt=position).order_by("position")
    ):
        later.position -= 1
        save_with_history(later, acting_user=acting_user, reason=f"Moved to {later.position}")
    _audit(
        acting_user, meeting, request, agenda_item_removed={"position": position, "title": title}
    )
    refresh_meeting_vector(meeting.pk)
    meeting_screen_changed(meeting.pk)


# Decisions and minutes.


@transaction.atomic
def decision_record(
    *,
    acting_user: User,
    meeting: Meeting,
    agenda_item: AgendaItem | None,
    text: str,
    marking: int = GSCMarking.OFFICIAL,
    request: HttpRequest | None = None,
) -> Decision:
    """Record a decision of the sitting meeting, under an agenda item, with its marking."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "record its decisions")
    require_in_session(meeting, "record a decision")
    require_item_of(meeting, agenda_item)
    decision = Decision(
        meeting=meeting,
        agenda_item=agenda_item,
        text=required_text(
            text, field="text", message="Enter the decision.", max_length=TEXT_MAX_LENGTH
        ),
        marking=clean_marking(marking, acting_user),
        recorded_by=acting_user,
    )
    save_with_history(decision, acting_user=acting_user, reason="Decision recorded")
    _audit(acting_user, meeting, request, decision_recorded=decision.pk)
    meeting_screen_changed(meeting.pk)
    return decision


@transaction.atomic
def minutes_save(
    *,
    acting_user: User,
    meeting: Meeting,
    text: str,
    expected_version: int,
    marking: int | None = None,
    request: HttpRequest | None = None,
) -> Meeting:
    """Save the minutes of a sitting meeting over the version the editor loaded.

    A save over a stale version raises MinutesConflict (nothing written); minutes are frozen once
    the meeting closes.
    """
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "write its minutes")
    if meeting.minutes_frozen_at is not None or meeting.status == MeetingStatus.CLOSED:
        frozen = timezone.localtime(meeting.minutes_frozen_at or meeting.closed_at)
        raise ValidationError(
            f"The minutes were frozen when the meeting closed on {frozen:%d %B %Y at %H:%M}: "
            "they can no longer be edited."
        )
    require_in_session(meeting, "write its minutes")
    text = (text or "").strip()
    if len(text) > TEXT_MAX_LENGTH * 5:
        raise ValidationError({"text": f"Use {TEXT_MAX_LENGTH * 5} characters or fewer."})
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError({"version": "Reload the minutes and save again."}) from None
    if expected_version != meeting.minutes_version:
        raise MinutesConflict(meeting=meeting, your_text=text, loaded_version=expected_version)
    marking = meeting.minutes_marking if marking is None else clean_marking(marking, acting_user)
    if (text, marking) == (meeting.minutes, meeting.minutes_marking):
        return meeting
    meeting.minutes, meeting.minutes_marking = text, marking
    meeting.minutes_version += 1
    save_with_history(
        meeting,
        acting_user=acting_user,
        reason=f"Minutes saved (version {meeting.minutes_version})",
    )
    refresh_minutes_vector(meeting.pk)
    _audit(acting_user, meeting, request, minutes_version=meeting.minutes_version)
    return meeting


def _snapshot_digest(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


@transaction.atomic
def meeting_close(
    *, acting_user: User, meeting: Meeting, request: HttpRequest | None = None
) -> MinutesVersion:
    """Close the sitting meeting: its minutes freeze into a MinutesVersion (a snapshot of the
    minutes, attendance, decisions, commissions, escalations and actions, marked at the highest
    of them) whose PDF a job renders (MINUTES_PDF_JOB). A closed meeting is never reopened."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "close it")
    MEETING_LIFECYCLE.check(meeting, MeetingStatus.CLOSED)
    now = timezone.now()
    content = minutes_snapshot(meeting)
    marking = max(meeting.minutes_marking, content["marking"])
    content["marking"] = marking
    meeting.closed_at = meeting.minutes_frozen_at = now
    meeting.minutes_marking = marking
    meeting.current_agenda_item = None
    sha256 = _snapshot_digest(content)
    MEETING_LIFECYCLE.move(
        meeting,
        MeetingStatus.CLOSED,
        acting_user=acting_user,
        reason="Closed: minutes frozen",
        request=request,
        audit_detail={"minutes_version": meeting.minutes_version, "sha256": sha256},
        notify=lambda: meeting_screen_changed(meeting.pk),
    )
    version = MinutesVersion.objects.create(
        meeting=meeting,
        number=meeting.minutes_version,
        marking=marking,
        content=content,
        sha256=sha256,
        frozen_by=acting_user,
        frozen_at=now,
    )
    job_enqueue(MINUTES_PDF_JOB, version.pk)
    return version


# Commissions.


@transaction.atomic
def profile_commission(
    *,
    acting_user: User,
    meeting: Meeting,
    kind: str,
    title: str,
    owner: User,
    marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    agenda_item: AgendaItem | None = None,
    request: HttpRequest | None = None,
    **terms,
) -> Commission:
    """Commission a problem or subject profile from the table: the product, its draft terms of
    reference (products.services.product_commission) with the chair as requester, and the record
    that this meeting commissioned it, so that later meetings follow its progress."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "commission profiles")
    require_in_session(meeting, "commission a profile")
    if kind not in CommissionKind.values:
        raise ValidationError({"kind": "Choose a problem, subject or firearms subject profile."})
    require_item_of(meeting, agenda_item)
    product = product_commission(
        acting_user=acting_user,
        unit=meeting.unit,
        kind=kind,
        title=(title or "").strip(),
        owner=owner,
        requester=acting_user,
        marking=marking,
        request=request,
        **terms,
    )
    commission = Commission(
        meeting=meeting,
        agenda_item=agenda_item,
        kind=kind,
        product=product,
        commissioned_by=acting_user,
    )
    save_with_history(commission, acting_user=acting_user, reason="Commissioned at the meeting")
    _audit(acting_user, meeting, request, commissioned={"product": product.pk, "kind": kind})
    meeting_screen_changed(meeting.pk)
    return commission
