"""Running a meeting: opening it, attendance, the agenda and its current item, decisions, the
minutes (with a version token), closing it, the profiles it commissions and the issues it escalates.

Only the meeting's chair, or whoever holds the chair role over its unit (as for rescheduling),
runs a meeting; an escalation is adopted or returned only by a chair of the receiving unit. A
refusal raises PermissionDenied or ValidationError with a message fit to show, and changes nothing.
Every change writes its history reason and an audit event, and every change to what the meeting
screen shows calls `meeting_screen_changed` so that the screens following it reload.
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, F, Max, Value, When
from django.http import HttpRequest
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking, Role
from nim_portal.jobs import job_enqueue
from nim_portal.lifecycle import check_transition, save_with_history
from nim_portal.models import Unit, User
from nim_portal.pdf import DocumentControl, render_marked_document
from nim_portal.services import audit_record, notify
from nim_portal.validation import required_text
from products.services import product_commission
from tasking.meetings.choices import (
    AGENDA_MARKINGS,
    MEETING_TRANSITIONS,
    AgendaItemKind,
    Attendance,
    MeetingKind,
    MeetingStatus,
)
from tasking.models import (
    AgendaItem,
    Commission,
    Decision,
    Escalation,
    Meeting,
    MeetingInvitee,
    MinutesVersion,
)
from tasking.proceedings.choices import (
    ESCALATION_TRANSITIONS,
    CommissionKind,
    EscalationStatus,
    MinutesPrintStatus,
)
from tasking.search import refresh_meeting_vector, refresh_minutes_vector
from tasking.selectors.proceedings import minutes_snapshot, user_may_chair

TEXT_MAX_LENGTH = 10_000
TITLE_MAX_LENGTH = 200
MINUTES_PDF_JOB = "tasking.minutes_pdf"


class MinutesConflict(ValidationError):
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


def meeting_screen_changed(meeting_id: int) -> None:
    """Tell the meeting screen's poll that what it shows has changed (one UPDATE, no race)."""
    Meeting.objects.filter(pk=meeting_id).update(screen_revision=F("screen_revision") + 1)


# Helpers.


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("unit", "chair")
        .get(pk=meeting.pk)
    )


def _require_chair(acting_user: User, meeting: Meeting, action: str) -> None:
    if not user_may_chair(acting_user, meeting):
        raise PermissionDenied(f"Only the chair of this meeting of {meeting.unit} can {action}.")


def _require_not_closed(meeting: Meeting, action: str) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(
            f"The meeting is closed: its record is final, so you cannot {action}."
        )


def _require_in_session(meeting: Meeting, action: str) -> None:
    _require_not_closed(meeting, action)
    if meeting.status != MeetingStatus.IN_SESSION:
        raise ValidationError(f"Open the meeting first: you can {action} only while it sits.")


def _clean_marking(marking, acting_user: User) -> int:
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


def _item_of(meeting: Meeting, item: AgendaItem | None, *, field: str = "agenda_item"):
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError({field: "Choose an item of this meeting's agenda."})
    return item


def _audit(acting_user, meeting, request, **detail) -> None:
    audit_record(
        actor=acting_user, verb=AuditVerb.UPDATE, obj=meeting, request=request, detail=detail
    )


# Opening, attendance, the current item.


@transaction.atomic
def meeting_open(acting_user: User, meeting: Meeting, *, request: HttpRequest | None = None):
    """Open a scheduled meeting: it sits, on its first agenda item. A closed one stays closed."""
    meeting = _lock(meeting)
    _require_chair(acting_user, meeting, "open it")
    check_transition(
        MeetingStatus,
        MEETING_TRANSITIONS,
        meeting.status,
        MeetingStatus.IN_SESSION,
        subject="The meeting is",
    )
    meeting.status = MeetingStatus.IN_SESSION
    meeting.opened_at = timezone.now()
    meeting.current_agenda_item = meeting.agenda_items.order_by("position").first()
    save_with_history(meeting, acting_user=acting_user, reason="Opened")
    _audit(acting_user, meeting, request, status={"from": "scheduled", "to": meeting.status})
    meeting_screen_changed(meeting.pk)
    return meeting


@transaction.atomic
def attendance_record(
    acting_user: User,
    meeting: Meeting,
    invitee: MeetingInvitee,
    attendance: str,
    *,
    request: HttpRequest | None = None,
) -> MeetingInvitee:
    """Record an invitee present or sending apologies (before or while the meeting sits)."""
    meeting = _lock(meeting)
    _require_chair(acting_user, meeting, "record attendance")
    _require_not_closed(meeting, "change its attendance")
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
    acting_user: User, meeting: Meeting, item: AgendaItem, *, request: HttpRequest | None = None
) -> Meeting:
    """Move the sitting meeting (and every screen following it) to one of its agenda items."""
    meeting = _lock(meeting)
    _require_chair(acting_user, meeting, "move it to another item")
    _require_in_session(meeting, "move to another item")
    _item_of(meeting, item, field="item")
    if meeting.current_agenda_item_id == item.pk:
        return meeting
    meeting.current_agenda_item = item
    save_with_history(meeting, acting_user=acting_user, reason=f"Now at item {item.position}")
    _audit(acting_user, meeting, request, current_agenda_item=item.pk)
    meeting_screen_changed(meeting.pk)
    return meeting


# The agenda.


def _lock_item(item: AgendaItem) -> tuple[AgendaItem, Meeting]:
    meeting = _lock(item.meeting)
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
    acting_user: User,
    meeting: Meeting,
    title: str,
    *,
    kind: str = AgendaItemKind.OTHER,
    notes: str = "",
    title_marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    notes_marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """Add an item at the end of the agenda (before or while the meeting sits). What the chair
    types stays off a shared screen with partners present unless marked OFFICIAL."""
    meeting = _lock(meeting)
    _require_chair(acting_user, meeting, "change its agenda")
    _require_not_closed(meeting, "change its agenda")
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
    acting_user: User,
    item: AgendaItem,
    *,
    title: str,
    notes: str = "",
    title_marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    notes_marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """Change an item's title and notes, and the marking of each (police only unless the chair
    marks it OFFICIAL, as when added)."""
    item, meeting = _lock_item(item)
    _require_chair(acting_user, meeting, "change its agenda")
    _require_not_closed(meeting, "change its agenda")
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
    acting_user: User, item: AgendaItem, direction: str, *, request: HttpRequest | None = None
) -> AgendaItem:
    """Swap an item with the one above ("up") or below ("down") it."""
    item, meeting = _lock_item(item)
    _require_chair(acting_user, meeting, "change its agenda")
    _require_not_closed(meeting, "change its agenda")
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
    acting_user: User, item: AgendaItem, *, request: HttpRequest | None = None
) -> None:
    """Take an item off the agenda (never one with decisions recorded under it); the items
    after it move up."""
    item, meeting = _lock_item(item)
    _require_chair(acting_user, meeting, "change its agenda")
    _require_not_closed(meeting, "change its agenda")
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
    acting_user: User,
    meeting: Meeting,
    agenda_item: AgendaItem | None,
    text: str,
    *,
    marking: int = GSCMarking.OFFICIAL,
    request: HttpRequest | None = None,
) -> Decision:
    """Record a decision of the sitting meeting, under an agenda item, with its marking."""
    meeting = _lock(meeting)
    _require_chair(acting_user, meeting, "record its decisions")
    _require_in_session(meeting, "record a decision")
    _item_of(meeting, agenda_item)
    decision = Decision(
        meeting=meeting,
        agenda_item=agenda_item,
        text=required_text(
            text, field="text", message="Enter the decision.", max_length=TEXT_MAX_LENGTH
        ),
        marking=_clean_marking(marking, acting_user),
        recorded_by=acting_user,
    )
    save_with_history(decision, acting_user=acting_user, reason="Decision recorded")
    _audit(acting_user, meeting, request, decision_recorded=decision.pk)
    meeting_screen_changed(meeting.pk)
    return decision


@transaction.atomic
def minutes_save(
    acting_user: User,
    meeting: Meeting,
    text: str,
    expected_version: int,
    *,
    marking: int | None = None,
    request: HttpRequest | None = None,
) -> Meeting:
    """Save the minutes of a sitting meeting over the version the editor loaded.

    A save over a stale version raises MinutesConflict (nothing written); minutes are frozen once
    the meeting closes.
    """
    meeting = _lock(meeting)
    _require_chair(acting_user, meeting, "write its minutes")
    if meeting.minutes_frozen_at is not None or meeting.status == MeetingStatus.CLOSED:
        frozen = timezone.localtime(meeting.minutes_frozen_at or meeting.closed_at)
        raise ValidationError(
            f"The minutes were frozen when the meeting closed on {frozen:%d %B %Y at %H:%M}: "
            "they can no longer be edited."
        )
    _require_in_session(meeting, "write its minutes")
    text = (text or "").strip()
    if len(text) > TEXT_MAX_LENGTH * 5:
        raise ValidationError({"text": f"Use {TEXT_MAX_LENGTH * 5} characters or fewer."})
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError({"version": "Reload the minutes and save again."}) from None
    if expected_version != meeting.minutes_version:
        raise MinutesConflict(meeting=meeting, your_text=text, loaded_version=expected_version)
    marking = meeting.minutes_marking if marking is None else _clean_marking(marking, acting_user)
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
    acting_user: User, meeting: Meeting, *, request: HttpRequest | None = None
) -> MinutesVersion:
    """Close the sitting meeting: its minutes freeze into a MinutesVersion (a snapshot of the
    minutes, attendance, decisions, commissions, escalations and actions, marked at the highest
    of them) whose PDF a job renders (MINUTES_PDF_JOB). A closed meeting is never reopened."""
    meeting = _lock(meeting)
    _require_chair(acting_user, meeting, "close it")
    check_transition(
        MeetingStatus,
        MEETING_TRANSITIONS,
        meeting.status,
        MeetingStatus.CLOSED,
        subject="The meeting is",
    )
    now = timezone.now()
    content = minutes_snapshot(meeting)
    marking = max(meeting.minutes_marking, content["marking"])
    content["marking"] = marking
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = meeting.minutes_frozen_at = now
    meeting.minutes_marking = marking
    meeting.current_agenda_item = None
    save_with_history(meeting, acting_user=acting_user, reason="Closed: minutes frozen")
    version = MinutesVersion.objects.create(
        meeting=meeting,
        number=meeting.minutes_version,
        marking=marking,
        content=content,
        sha256=_snapshot_digest(content),
        frozen_by=acting_user,
        frozen_at=now,
    )
    _audit(
        acting_user,
        meeting,
        request,
        status={"from": MeetingStatus.IN_SESSION, "to": MeetingStatus.CLOSED},
        minutes_version=version.number,
        sha256=version.sha256,
    )
    job_enqueue(MINUTES_PDF_JOB, version.pk)
    meeting_screen_changed(meeting.pk)
    return version


# Commissions.


@transaction.atomic
def profile_commission(
    acting_user: User,
    meeting: Meeting,
    kind: str,
    title: str,
    *,
    owner: User,
    marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    agenda_item: AgendaItem | None = None,
    request: HttpRequest | None = None,
    **terms,
) -> Commission:
    """Commission a problem or subject profile from the table: the product, its draft terms of
    reference (products.services.product_commission) with the chair as requester, and the record
    that this meeting commissioned it, so that later meetings follow its progress."""
    meeting = _lock(meeting)
    _require_chair(acting_user, meeting, "commission profiles")
    _require_in_session(meeting, "commission a profile")
    if kind not in CommissionKind.values:
        raise ValidationError({"kind": "Choose a problem profile or a subject profile."})
    _item_of(meeting, agenda_item)
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


# Escalations.


def _receiving_meeting(unit: Unit) -> Meeting | None:
    """The next TT&CG of `unit` that has not closed (the one sitting, else the next scheduled)."""
    return (
        Meeting.objects.filter(unit=unit, kind=MeetingKind.TACTICAL)
        .exclude(status=MeetingStatus.CLOSED)
        .order_by(
            Case(When(status=MeetingStatus.IN_SESSION, then=Value(0)), default=Value(1)),
            "starts_at",
        )
        .first()
    )


@transaction.atomic
def escalation_raise(
    acting_user: User,
    meeting: Meeting,
    *,
    title: str,
    reason: str,
    agenda_item: AgendaItem | None = None,
    marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    request: HttpRequest | None = None,
) -> Escalation:
    """Pass an issue beyond the unit's resources to the T&CG of the unit directly above it (BCU
    to force, force to region, region to national); its chairs are told."""
    meeting = _lock(meeting)
    _require_chair(acting_user, meeting, "escalate its business")
    _require_in_session(meeting, "escalate an issue")
    _item_of(meeting, agenda_item)
    parent = Unit.objects.get_parent(meeting.unit)
    if parent is None:
        raise ValidationError(
            f"{meeting.unit} is at the top of the hierarchy: there is no T&CG above it."
        )
    if not parent.is_active:
        raise ValidationError(f"{parent} is inactive: its T&CG cannot receive the escalation.")
    escalation = Escalation(
        from_unit=meeting.unit,
        from_meeting=meeting,
        agenda_item=agenda_item,
        to_unit=parent,
        receiving_meeting=_receiving_meeting(parent),
        title=required_text(
            title, field="title", message="Enter what is escalated.", max_length=TITLE_MAX_LENGTH
        ),
        reason=required_text(
            reason,
            field="reason",
            message="Enter why it is beyond the unit's resources.",
            max_length=TEXT_MAX_LENGTH,
        ),
        marking=_clean_marking(marking, acting_user),
        raised_by=acting_user,
    )
    save_with_history(escalation, acting_user=acting_user, reason=f"Escalated to {parent}")
    _audit(acting_user, meeting, request, escalated={"escalation": escalation.pk, "to": parent.pk})
    chairs = User.objects.filter(
        memberships__unit=parent, memberships__role=Role.CHAIR, is_active=True
    ).distinct()
    notify(
        chairs,
        message=f"{meeting.unit} escalated an issue to the T&CG of {parent}.",
        link="/tasking/meetings/escalations/",
    )
    meeting_screen_changed(meeting.pk)
    if escalation.receiving_meeting_id:
        meeting_screen_changed(escalation.receiving_meeting_id)
    return escalation


def user_may_decide_escalation(user: User, escalation: Escalation) -> bool:
    """A chair of the receiving unit (or above it), or the chair of its receiving meeting."""
    if not user.is_authenticated or not user.is_active or user.is_partner:
        return False
    meeting = escalation.receiving_meeting
    if meeting is not None and meeting.chair_id == user.pk:
        return True
    return access.units_covered(user, Role.CHAIR).filter(pk=escalation.to_unit_id).exists()


def _escalation_decide(
    acting_user: User,
    escalation: Escalation,
    decision_text: str,
    target: str,
    request: HttpRequest | None,
) -> Escalation:
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("to_unit", "from_unit", "receiving_meeting", "from_meeting__chair")
        .get(pk=escalation.pk)
    )
    verb = "adopt" if target == EscalationStatus.ADOPTED else "return"
    if not user_may_decide_escalation(acting_user, escalation):
        raise PermissionDenied(
            f"Only a chair of {escalation.to_unit} can {verb} an escalation to its T&CG."
        )
    check_transition(
        EscalationStatus,
        ESCALATION_TRANSITIONS,
        escalation.status,
        target,
        subject="The escalation is",
    )
    text = required_text(
        decision_text,
        field="decision_text",
        message="Enter the decision and who owns the threat.",
        max_length=TEXT_MAX_LENGTH,
    )
    escalation.status = target
    escalation.decision_text = text
    escalation.decided_by = acting_user
    escalation.decided_at = timezone.now()
    escalation.owner_unit = (
        escalation.to_unit if target == EscalationStatus.ADOPTED else escalation.from_unit
    )
    label = EscalationStatus(target).label
    save_with_history(
        escalation, acting_user=acting_user, reason=f"{label} by {escalation.to_unit}"
    )
    receiving = escalation.receiving_meeting
    if receiving is not None and receiving.status == MeetingStatus.IN_SESSION:
        # Recorded as a decision of the T&CG that triaged it, under its escalations item.
        item = receiving.agenda_items.filter(kind=AgendaItemKind.ESCALATIONS).first()
        decision = Decision(
            meeting=receiving,
            agenda_item=item,
            text=f"{label}: {escalation.title}. {text}",
            marking=escalation.marking,
            escalation=escalation,
            recorded_by=acting_user,
        )
        save_with_history(decision, acting_user=acting_user, reason=f"Escalation {label.lower()}")
        meeting_screen_changed(receiving.pk)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=escalation,
        request=request,
        detail={"status": {"from": EscalationStatus.RAISED, "to": target}},
    )
    notify(
        [escalation.raised_by, escalation.from_meeting.chair],
        message=f"The T&CG of {escalation.to_unit} {label.lower()} an escalation of "
        f"{escalation.from_unit}.",
        link="/tasking/meetings/escalations/",
    )
    meeting_screen_changed(escalation.from_meeting_id)
    return escalation


@transaction.atomic
def escalation_adopt(
    acting_user: User,
    escalation: Escalation,
    decision_text: str,
    *,
    request: HttpRequest | None = None,
) -> Escalation:
    """The receiving T&CG takes the issue on: it owns the threat from now."""
    return _escalation_decide(
        acting_user, escalation, decision_text, EscalationStatus.ADOPTED, request
    )


@transaction.atomic
def escalation_return(
    acting_user: User,
    escalation: Escalation,
    decision_text: str,
    *,
    request: HttpRequest | None = None,
) -> Escalation:
    """The receiving T&CG hands the issue back: the unit that raised it keeps the threat."""
    return _escalation_decide(
        acting_user, escalation, decision_text, EscalationStatus.RETURNED, request
    )


# The minutes PDF (system job).


def minutes_pdf(version: MinutesVersion) -> bytes:
    """The PDF of frozen minutes, from their snapshot: the marking at the top and bottom of every
    page, page x of y and the document-control table (nim_portal.pdf)."""
    content = version.content
    meeting = version.meeting
    frozen = timezone.localtime(version.frozen_at)
    chair = content.get("chair") or "No chair recorded"
    control = DocumentControl(
        version=f"Minutes version {version.number}",
        date=frozen.date(),
        author=version.frozen_by.get_full_name() or version.frozen_by.get_username(),
        reviewer=chair,
        marking=GSCMarking(version.marking).label,
        handling="Handle according to the marking: not for onward disclosure.",
        sha256=version.sha256,
    )
    return render_marked_document(
        "tasking/print/minutes.html",
        {"minutes": content, "meeting": meeting, "frozen": frozen},
        marking_label=GSCMarking(version.marking),
        title=content["title"],
        document_control=control,
    )


@transaction.atomic
def minutes_pdf_render(version_id: int) -> bool:
    """Job (MINUTES_PDF_JOB): render frozen minutes once; a ready PDF is left alone (False).
    Run in the job's transaction, under the version's row lock: a failure leaves the version as
    it was, for the job's next attempt."""
    version = (
        MinutesVersion.objects.select_for_update(of=("self",))
        .select_related("meeting__unit", "frozen_by")
        .filter(pk=version_id)
        .first()
    )
    if version is None or version.pdf_status == MinutesPrintStatus.READY:
        return False
    document = minutes_pdf(version)
    version.pdf.save("minutes.pdf", ContentFile(document), save=False)
    version.pdf_sha256 = hashlib.sha256(document).hexdigest()
    version.pdf_status = MinutesPrintStatus.READY
    version.pdf_error = ""
    version.pdf_rendered_at = timezone.now()
    version.save()
    return True


def minutes_pdf_failed(version_id: int, error: str) -> None:
    """Job (MINUTES_PDF_JOB) stopped for good: the meeting page says the PDF failed."""
    MinutesVersion.objects.filter(pk=version_id).exclude(
        pdf_status=MinutesPrintStatus.READY
    ).update(pdf_status=MinutesPrintStatus.FAILED, pdf_error=error)


def minutes_pdf_pending(version_id: int) -> None:
    """Job (MINUTES_PDF_JOB) retried by staff, or by a reader asking for failed minutes."""
    MinutesVersion.objects.filter(pk=version_id, pdf_status=MinutesPrintStatus.FAILED).update(
        pdf_status=MinutesPrintStatus.PENDING, pdf_error=""
    )


def minutes_pdf_download(
    acting_user: User, version: MinutesVersion, *, request: HttpRequest | None = None
) -> MinutesVersion:
    """The rendered minutes for download, audited (rule 7). Not yet rendered: the reader is told
    to come back; minutes whose render failed are rendered again, as the reader asked."""
    if version.pdf_status != MinutesPrintStatus.READY:
        if version.pdf_status == MinutesPrintStatus.FAILED:
            with transaction.atomic():
                minutes_pdf_pending(version.pk)
                job_enqueue(MINUTES_PDF_JOB, version.pk)
        raise ValidationError("The minutes PDF is being printed: try again in a minute.")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.DOWNLOAD,
        obj=version.meeting,
        request=request,
        detail={"minutes_version": version.number, "pdf_sha256": version.pdf_sha256},
    )
    return version
