"""Reads of running meetings that depend on who is asking, and what the shared screen may show.

Who reads a meeting: police users holding any role in its unit or a unit above it (rule 1), and
its police invitees; missing and forbidden give the same 404. Within a meeting, decisions,
escalations and products above the reader's vetting are left out and counted.

The shared meeting screen (`meeting_screen`) is seen by everybody in the room, so it shows only
what the least-cleared person present may read; with a partner present it shows no police
product at all, only the sanitised releases to every agency present, and no police text above
OFFICIAL.
"""

from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import NO_CLEARANCE, GSCMarking, Role, UserKind
from nim_portal.ids import id_or_404
from nim_portal.models import Unit, User, VettingClearance
from partners.choices import ReleaseStatus
from partners.models import Release
from products.choices import ProductStatus
from products.models import Product
from products.selectors import visible_products
from tasking.meetings.choices import Attendance, MeetingStatus
from tasking.models import (
    AgendaItem,
    Commission,
    Decision,
    Escalation,
    Meeting,
    MeetingInvitee,
    MinutesVersion,
)
from tasking.proceedings.choices import CommissionKind, EscalationStatus


def user_may_chair(user: User, meeting: Meeting) -> bool:
    """The meeting's chair, or whoever holds the chair role over its unit (as for rescheduling)."""
    if not access.is_police_reader(user):
        return False
    return meeting.chair_id == user.pk or access.holds_role_over(user, Role.CHAIR, meeting.unit)


# Meetings.


def analysts_who_may_develop(meeting: Meeting) -> QuerySet[User]:
    """Active analysts of the meeting's unit or a unit above it: who may develop a profile it
    commissions."""
    return User.objects.filter(
        access.people_over(meeting.unit, Role.ANALYST), is_active=True
    ).order_by("last_name", "first_name", "username")


def people_invitable_to(meeting: Meeting) -> QuerySet[User]:
    """Active police users a chair may invite: those holding a role in an active unit under the
    meeting unit's parent (its own unit, its neighbours and everything below them) or above it,
    and not invited already."""
    unit = meeting.unit
    parent = Unit.objects.get_parent(unit) if unit.depth > 1 else unit
    return (
        User.objects.filter(
            access.people_below(parent) | access.people_over(unit),
            is_active=True,
            kind=UserKind.POLICE,
        )
        .exclude(meeting_invitations__meeting=meeting)
        .order_by("last_name", "first_name", "username")
    )


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """Meetings of the units the user holds a role in or above, and meetings they are invited
    to (police users only)."""
    return Meeting.objects.visible_to(user)


def meeting_for_user(user: User, pk) -> Meeting:
    """One meeting the user may read, or 404 (missing and forbidden alike)."""
    meeting = (
        meetings_visible_to(user)
        .select_related("unit", "chair", "current_agenda_item", "tactical_assessment")
        .filter(pk=id_or_404(pk, "meeting"))
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def meetings_for_user(user: User) -> QuerySet[Meeting]:
    """The user's meetings for the list: sitting first, then upcoming, then the latest held."""
    now = timezone.now()
    return (
        meetings_visible_to(user)
        .select_related("unit", "chair")
        .annotate(
            list_group=Case(
                When(status=MeetingStatus.IN_SESSION, then=Value(0)),
                When(status=MeetingStatus.SCHEDULED, starts_at__gte=now, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("list_group", "starts_at", "pk")
    )


def next_meetings_for_user(user: User, *, limit: int = 3) -> list[Meeting]:
    """The user's sitting meetings, then the next scheduled ones, at most `limit` (one query)."""
    # The same rows as list_group < 2, said on indexed columns (status, starts_at) so that only
    # sitting and upcoming meetings are read, not every meeting the user may read.
    sitting_or_next = Q(status=MeetingStatus.IN_SESSION) | Q(
        status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()
    )
    return list(meetings_for_user(user).filter(sitting_or_next, list_group__lt=2)[:limit])


def meeting_screen_revision(user_id: int, meeting_id: int) -> int | None:
    """The screen revision of a meeting the user may read, in one query (None: not readable).

    For the screens' "has anything changed?" poll: the user is checked in the same query.
    """
    return (
        Meeting.objects.filter(pk=meeting_id)
        .visible_to_reader_id(user_id)
        .values_list("screen_revision", flat=True)
        .first()
    )


# The chair's and members' page of one meeting.


@dataclass
class MeetingProceedings:
    """What one reader sees of a meeting: everything above their vetting left out and counted."""

    meeting: Meeting
    may_chair: bool
    agenda: list[AgendaItem]
    invitees: list[MeetingInvitee]
    decisions: list[Decision]
    commissions: list[Commission]
    earlier_commissions: list[Commission]
    escalations_raised: list[Escalation]
    escalations_received: list[Escalation]
    minutes_versions: list[MinutesVersion]
    # The minutes as written now, when within the reader's vetting (else "").
    live_minutes: str = ""
    hidden: dict[str, int] = field(default_factory=dict)

    @property
    def page_marking(self) -> int:
        """The highest marking on the page (OFFICIAL at least; the minutes' when shown)."""
        markings = [GSCMarking.OFFICIAL]
        markings += [d.marking for d in self.decisions]
        markings += [e.marking for e in self.escalations_raised + self.escalations_received]
        markings += [c.product.marking for c in self.commissions + self.earlier_commissions]
        markings += [v.marking for v in self.minutes_versions]
        if self.live_minutes:
            markings.append(self.meeting.minutes_marking)
        return max(markings)


def _split(rows, readable) -> tuple[list, int]:
    shown = [row for row in rows if readable(row)]
    return shown, len(rows) - len(shown)


def _earlier_still_open(meeting: Meeting) -> Q:
    """Commissions of the unit's earlier meetings whose product is not closed: followed up at
    each meeting until then. The earlier meetings by a subquery on their index: joined and ORed
    with this meeting's, PostgreSQL read every meeting or product in the country."""
    earlier = Meeting.objects.filter(unit=meeting.unit_id, starts_at__lt=meeting.starts_at)
    not_closed = Product.objects.filter(pk=OuterRef("product_id")).exclude(
        status=ProductStatus.CLOSED
    )
    return Q(meeting__in=earlier.order_by().values("pk")) & Q(Exists(not_closed))


# What a meeting deals with, whoever reads it: each page reads it once and leaves out, for its
# reader or its room, what they may not read.

# The related rows each kind of record is read with: what a reader's page (and the API) names,
# and the fewer the shared screen names.
READER_RELATED = {
    "decisions": ("agenda_item",),
    "commissions": ("product", "meeting"),
    "escalations": ("from_unit", "to_unit"),
}
SCREEN_RELATED = {
    "decisions": (),
    "commissions": ("product",),
    "escalations": ("from_unit", "to_unit"),
}


def _commissions(meeting_filter: Q, related=("product__owner", "meeting", "commissioned_by")):
    """Newest first."""
    return (
        Commission.objects.filter(meeting_filter)
        .select_related(*related)
        .order_by("-commissioned_at", "-pk")
    )


def _escalations_of(meeting: Meeting) -> QuerySet[Escalation]:
    """Escalations raised at the meeting (`raised_here`), and those received by it or awaiting
    its unit's T&CG (`received_here`), oldest first: one query, each rule written once."""
    raised_here = Q(from_meeting=meeting)
    received_here = Q(receiving_meeting=meeting) | Q(
        to_unit=meeting.unit_id, status=EscalationStatus.RAISED
    )
    return (
        Escalation.objects.filter(raised_here | received_here)
        .annotate(
            raised_here=ExpressionWrapper(raised_here, BooleanField()),
            received_here=ExpressionWrapper(received_here, BooleanField()),
        )
        .order_by("raised_at", "pk")
    )


def _raised_at(escalations: list[Escalation]) -> list[Escalation]:
    """Those raised at the meeting, newest first."""
    return [e for e in reversed(escalations) if e.raised_here]


def _received_by(escalations: list[Escalation]) -> list[Escalation]:
    """Those received by the meeting or awaiting its unit's T&CG, oldest first."""
    return [e for e in escalations if e.received_here]


def agenda_of(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda items in order (everybody who reads the meeting reads its agenda)."""
    return list(meeting.agenda_items.order_by("position"))


def _invitees_of(meeting: Meeting) -> QuerySet[MeetingInvitee]:
    return meeting.invitees.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__username"
    )


@dataclass
class MeetingRecord:
    """What a meeting deals with, read once for a page: not yet filtered for anybody."""

    agenda: list[AgendaItem]
    invitees: list[MeetingInvitee]
    decisions: list[Decision]
    # This meeting's commissions and the unit's earlier ones still open, newest first.
    commissions: list[Commission]
    # Raised at it, received by it or awaiting its unit, oldest first.
    escalations: list[Escalation]


def _meeting_record(
    meeting: Meeting, invitees: QuerySet[MeetingInvitee], related: dict = READER_RELATED
) -> MeetingRecord:
    """Five queries, whatever the meeting holds."""
    decisions = meeting.decisions.all()
    if related["decisions"]:
        decisions = decisions.select_related(*related["decisions"])
    return MeetingRecord(
        agenda=agenda_of(meeting),
        invitees=list(invitees),
        decisions=list(decisions),
        commissions=list(
            _commissions(Q(meeting=meeting) | _earlier_still_open(meeting), related["commissions"])
        ),
        escalations=list(_escalations_of(meeting).select_related(*related["escalations"])),
    )


def meeting_proceedings(user: User, meeting: Meeting) -> MeetingProceedings:
    """The meeting's agenda, attendance, decisions, commissions (this meeting's, and earlier
    meetings' still open, to follow their progress), escalations and frozen minutes, for `user`
    (who may read the meeting: see meeting_for_user). A constant number of queries."""
    return _proceedings_for(user, meeting, _meeting_record(meeting, _invitees_of(meeting)))


def _proceedings_for(user: User, meeting: Meeting, record: MeetingRecord) -> MeetingProceedings:
    """The record as `user` may read it: three queries (their vetting, which of the commissioned
    products they may read, the frozen minutes)."""
    ceiling = user.readable_marking
    decisions, hidden_decisions = _split(record.decisions, lambda d: d.marking <= ceiling)
    # Which of the commissioned products the reader may read: the policy's filter runs on those
    # few products (by id), not on every product in the country. Read as a subquery, not a list
    # of the ids read: with no commission, the page still runs the same queries.
    commissions = Commission.objects.order_by()
    commissioned = (
        commissions.filter(meeting=meeting)
        .values("product_id")
        .union(commissions.filter(_earlier_still_open(meeting)).values("product_id"))
    )
    readable_products = set(
        visible_products(user).filter(pk__in=commissioned).values_list("pk", flat=True)
    )
    commissions, hidden_commissions = _split(
        [c for c in record.commissions if c.meeting_id == meeting.pk],
        lambda c: c.product_id in readable_products,
    )
    earlier, hidden_earlier = _split(
        [c for c in record.commissions if c.meeting_id != meeting.pk],
        lambda c: c.product_id in readable_products,
    )
    raised, hidden_raised = _split(_raised_at(record.escalations), lambda e: e.marking <= ceiling)
    received, hidden_received = _split(
        _received_by(record.escalations), lambda e: e.marking <= ceiling
    )
    versions, hidden_versions = _split(
        list(meeting.minutes_versions.all()), lambda v: v.marking <= ceiling
    )
    live_minutes_readable = meeting.minutes_marking <= ceiling
    hidden_live_minutes = 1 if meeting.minutes and not live_minutes_readable else 0
    hidden = {
        "decisions": hidden_decisions,
        "commissions": hidden_commissions + hidden_earlier,
        "escalations": hidden_raised + hidden_received,
        "minutes": hidden_versions + hidden_live_minutes,
    }
    return MeetingProceedings(
        meeting=meeting,
        may_chair=user_may_chair(user, meeting),
        agenda=record.agenda,
        invitees=record.invitees,
        decisions=decisions,
        commissions=commissions,
        earlier_commissions=earlier,
        escalations_raised=raised,
        escalations_received=received,
        minutes_versions=versions,
        live_minutes=meeting.minutes if live_minutes_readable else "",
        hidden={name: count for name, count in hidden.items() if count},
    )


def minutes_readable_by(user: User, meeting: Meeting) -> MinutesVersion:
    """The latest frozen minutes of a meeting the user may read, within their vetting; 404 else."""
    version = (
        meeting.minutes_versions.filter(marking__lte=user.readable_marking)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404("No minutes you may read.")
    return version


# Escalations.


@dataclass
class EscalationBoxes:
    inbox: list[Escalation]
    outbox: list[Escalation]
    decidable: set[int]


def escalation_boxes(user: User) -> EscalationBoxes:
    """Escalations to the units the user holds a role in or above (inbox) and from them
    (outbox), within their vetting; `decidable`: those they may adopt or return."""
    if not access.is_police_reader(user):
        return EscalationBoxes(inbox=[], outbox=[], decidable=set())
    readable = Escalation.objects.filter(access.within_ceiling(user)).select_related(
        "from_unit",
        "to_unit",
        "from_meeting",
        "receiving_meeting",
        "raised_by",
        "decided_by",
        "owner_unit",
    )
    inbox = list(
        readable.filter(access.in_units_covered(user, "to_unit")).order_by(
            Case(When(status=EscalationStatus.RAISED, then=Value(0)), default=Value(1)),
            "-raised_at",
            "-pk",
        )
    )
    outbox = list(
        readable.filter(access.in_units_covered(user, "from_unit")).order_by("-raised_at", "-pk")
    )
    chaired = set(access.units_covered(user, Role.CHAIR).values_list("pk", flat=True))
    decidable = {
        e.pk
        for e in inbox
        if e.is_open
        and (
            e.to_unit_id in chaired
            or (e.receiving_meeting is not None and e.receiving_meeting.chair_id == user.pk)
        )
    }
    return EscalationBoxes(inbox=inbox, outbox=outbox, decidable=decidable)


def escalation_for_user(user: User, pk) -> Escalation:
    """One escalation of the user's inbox or outbox, or 404."""
    pk = id_or_404(pk, "meeting")
    boxes = escalation_boxes(user)
    for escalation in boxes.inbox + boxes.outbox:
        if escalation.pk == pk:
            return escalation
    raise Http404("No such escalation.")


# The minutes snapshot (read by meeting_close).


def _meeting_actions(meeting: Meeting) -> QuerySet:
    """The actions the meeting reviews, with their priority (tasking.selectors.actions, imported
    here: the action log's selectors read meetings through this module)."""
    from tasking.selectors.actions import actions_for_meeting

    return actions_for_meeting(meeting)


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def minutes_snapshot(meeting: Meeting) -> dict:
    """What the frozen minutes record, as JSON, with the highest marking among it (`marking`).

    A subject profile is named by its reference only: its title is need-to-know.
    """
    invitees = meeting.invitees.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__username"
    )
    decisions = meeting.decisions.select_related("agenda_item")
    commissions = _commissions(Q(meeting=meeting))
    escalations_raised = meeting.escalations_raised.select_related("to_unit")
    escalations_decided = Escalation.objects.filter(decisions__meeting=meeting).select_related(
        "from_unit"
    )
    actions = list(_meeting_actions(meeting))
    markings = [GSCMarking.OFFICIAL]
    markings += [d.marking for d in decisions]
    markings += [c.product.marking for c in commissions]
    markings += [e.marking for e in escalations_raised]
    markings += [a.marking for a in actions]
    starts = timezone.localtime(meeting.starts_at)
    return {
        "title": f"Minutes of the {meeting.get_kind_display()} of {meeting.unit}, "
        f"{starts:%d %B %Y}",
        "unit": meeting.unit.name,
        "kind": meeting.get_kind_display(),
        "starts_at": starts.isoformat(),
        "place": meeting.location,
        "chair": _person(meeting.chair),
        "opened_at": meeting.opened_at.isoformat() if meeting.opened_at else None,
        "minutes": meeting.minutes,
        "minutes_version": meeting.minutes_version,
        "attendance": [
            {
                "name": _person(invitee.user),
                "attendance": invitee.get_attendance_display(),
                "partner": invitee.is_partner_attendee,
            }
            for invitee in invitees
        ],
        "agenda": [
            {"position": item.position, "title": item.title, "notes": item.notes}
            for item in meeting.agenda_items.order_by("position")
        ],
        "decisions": [
            {
                "item": decision.agenda_item.title if decision.agenda_item else "",
                "text": decision.text,
                "marking": GSCMarking(decision.marking).label,
            }
            for decision in decisions
        ],
        "commissions": [
            {
                "kind": commission.get_kind_display(),
                "title": (
                    f"Product {commission.product_id} (need-to-know)"
                    if commission.kind == CommissionKind.SUBJECT_PROFILE
                    else commission.product.title
                ),
                "owner": _person(commission.product.owner),
                "marking": GSCMarking(commission.product.marking).label,
            }
            for commission in commissions
        ],
        "escalations_raised": [
            {
                "title": escalation.title,
                "to": escalation.to_unit.name,
                "reason": escalation.reason,
                "marking": GSCMarking(escalation.marking).label,
            }
            for escalation in escalations_raised
        ],
        "escalations_decided": [
            {
                "title": escalation.title,
                "from": escalation.from_unit.name,
                "status": escalation.get_status_display(),
                "decision": escalation.decision_text,
            }
            for escalation in escalations_decided
        ],
        "actions": [
            {
                "reference": action.pk,
                "description": action.description,
                "priority": str(action.priority),
                "status": action.get_status_display(),
                "rag": action.get_rag_display(),
                "owner": str(action.owner_user or action.owner_unit or ""),
                "due": action.due_date.isoformat() if action.due_date else "",
                "marking": GSCMarking(action.marking).label,
            }
            for action in actions
        ],
        "marking": max(markings),
    }


# The shared meeting screen.


@dataclass
class Audience:
    """Who is in the room: the lowest marking all of them may read, and the partner agencies."""

    ceiling: int
    agency_ids: list[int]
    partner_users: list[User]
    present: int

    @property
    def partner_present(self) -> bool:
        return bool(self.partner_users)

    @property
    def ceiling_label(self) -> str:
        return GSCMarking(self.ceiling).label if self.ceiling else "No marked material"


@dataclass(frozen=True)
class ScreenItem:
    """An agenda item as a screen shows it: its title and notes, each None when held back from
    the shared screen (the chair's view shows them, with `title_held_back` and
    `notes_held_back` saying what the shared screen leaves out)."""

    pk: int
    position: int
    title: str | None
    notes: str | None
    title_held_back: bool
    notes_held_back: bool

    @property
    def label(self) -> str:
        return self.title if self.title is not None else f"Item {self.position}"


def _screen_item(item: AgendaItem, text_ceiling: int, *, private: bool) -> ScreenItem:
    title_held_back = item.title_marking > text_ceiling
    notes_held_back = bool(item.notes) and item.notes_marking > text_ceiling
    return ScreenItem(
        pk=item.pk,
        position=item.position,
        title=item.title if private or not title_held_back else None,
        notes=(item.notes or None) if private or not notes_held_back else None,
        title_held_back=title_held_back,
        notes_held_back=notes_held_back,
    )


@dataclass
class MeetingScreen:
    """What the shared screen may show, and (for the chair's private view) how much it hides."""

    meeting: Meeting
    revision: int
    audience: Audience
    agenda: list[ScreenItem]
    current_item: ScreenItem | None
    decisions: list[Decision]
    actions: list
    products: list[Product]
    commissions: list[Commission]
    releases: list[Release]
    escalations: list[Escalation]
    hidden: dict[str, int] | None

    @property
    def page_marking(self) -> int:
        markings = [GSCMarking.OFFICIAL]
        markings += [d.marking for d in self.decisions]
        markings += [a.marking for a in self.actions]
        markings += [p.marking for p in self.products]
        markings += [r.marking for r in self.releases]
        markings += [e.marking for e in self.escalations]
        return max(markings)


def _audience_invitees(meeting: Meeting) -> QuerySet[MeetingInvitee]:
    """The invitees, each with the highest marking their vetting level reads (`clearance`, from
    the vetting table) and whether anybody is marked present yet (`any_present`)."""
    clearance = Subquery(
        VettingClearance.objects.filter(vetting_level=OuterRef("user__vetting_level")).values(
            "max_marking"
        )[:1]
    )
    return (
        _invitees_of(meeting)
        .select_related("user__agency_membership")
        .annotate(
            clearance=clearance,
            any_present=Exists(
                MeetingInvitee.objects.filter(meeting=meeting, attendance=Attendance.PRESENT)
            ),
        )
    )


def _audience_of(invitees: list[MeetingInvitee]) -> Audience:
    """The people marked present (before anyone is, everybody invited who has not sent
    apologies): the lowest vetting among them, and the partner agencies among them."""
    rows = [
        invitee
        for invitee in invitees
        if invitee.attendance == Attendance.PRESENT
        or (not invitee.any_present and invitee.attendance == Attendance.INVITED)
    ]
    today = timezone.localdate()
    ceilings, partners, agencies = [], [], set()
    for invitee in rows:
        person = invitee.user
        current = person.is_active and (
            person.vetting_expires_on is None or person.vetting_expires_on >= today
        )
        ceilings.append(invitee.clearance or NO_CLEARANCE if current else NO_CLEARANCE)
        if person.is_partner or invitee.is_partner_attendee:
            partners.append(person)
            membership = getattr(person, "agency_membership", None)
            agencies.add(membership.agency_id if membership else None)
    return Audience(
        ceiling=min(ceilings, default=NO_CLEARANCE),
        agency_ids=sorted(agencies, key=lambda pk: pk or 0),
        partner_users=partners,
        present=len(rows),
    )


def _releases_to_every_agency(audience: Audience, product_ids: set[int]) -> list[Release]:
    """Available releases of these products sent to every partner agency in the room."""
    if not product_ids or None in audience.agency_ids:
        return []
    releases = Release.objects.filter(
        version__product_id__in=product_ids,
        status=ReleaseStatus.AVAILABLE,
        expires_on__gte=timezone.localdate(),
        marking__lte=audience.ceiling,
    )
    for agency_id in audience.agency_ids:
        releases = releases.filter(
            Exists(
                Release.agencies.through.objects.filter(release=OuterRef("pk"), agency_id=agency_id)
            )
        )
    return list(releases.order_by("-available_at", "-pk"))


# What the screens show of an action (templates/tasking/screen/action_table.html): the rest of
# its row, and of its priority and owner, is left unread.
ACTION_ON_SCREEN = (
    "description",
    "action_type",
    "raised_at_meeting",
    "marking",
    "due_date",
    "rag",
    "status",
    "priority__theme",
    "owner_user__username",
    "owner_user__first_name",
    "owner_user__last_name",
    "owner_unit__name",
)


def meeting_screen(meeting: Meeting, *, private: bool) -> MeetingScreen:
    """What the shared screen of `meeting` (as just read: meeting_for_user) may show to the
    people in the room (see `_screen_of`); `private=True` adds how many of each were held back.
    A constant number of queries."""
    record = _meeting_record(meeting, _audience_invitees(meeting), SCREEN_RELATED)
    actions = list(_meeting_actions(meeting).only(*ACTION_ON_SCREEN))
    return _screen_of(meeting, record, actions, private=private)


def _screen_of(
    meeting: Meeting, record: MeetingRecord, actions: list, *, private: bool
) -> MeetingScreen:
    """The one rule of what the shared screen holds back from the room.

    Decisions, actions, escalations, agenda titles and notes, and products are shown only at or
    below the lowest vetting present; need-to-know products (every subject profile) never. With a
    partner present no police product is shown: only the available releases of those products
    sent to every agency present (their sanitised title), and police text (decisions, actions,
    escalations, agenda titles and notes) only when marked OFFICIAL. `private=True` (the chair's
    own view) adds how many of each were held back; the shared view carries no counts. No query,
    but one for the releases with a partner present.
    """
    audience = _audience_of(record.invitees)
    text_ceiling = audience.ceiling
    if audience.partner_present:
        text_ceiling = min(text_ceiling, GSCMarking.OFFICIAL)

    decisions = record.decisions
    escalations = record.escalations
    commissions = record.commissions
    products = [c.product for c in commissions]
    if meeting.tactical_assessment is not None:
        products.insert(0, meeting.tactical_assessment)

    shown_decisions = [d for d in decisions if d.marking <= text_ceiling]
    shown_actions = [a for a in actions if a.marking <= text_ceiling]
    shown_escalations = [e for e in escalations if e.marking <= text_ceiling]
    releases: list[Release] = []
    if audience.partner_present:
        shown_products = []
        releases = _releases_to_every_agency(audience, {p.pk for p in products})
    else:
        shown_products = [
            p for p in products if p.marking <= audience.ceiling and not p.need_to_know
        ]
    shown_ids = {p.pk for p in shown_products}
    shown_commissions = [c for c in commissions if c.product_id in shown_ids]
    agenda = [_screen_item(item, text_ceiling, private=private) for item in record.agenda]
    # A decision on screen is headed by its item as the screen shows it (never a held-back title).
    labels = {item.pk: item.label for item in agenda}
    for decision in shown_decisions:
        decision.screen_item_label = labels.get(decision.agenda_item_id)

    hidden = None
    if private:
        hidden = {
            "agenda_text": sum(item.title_held_back + item.notes_held_back for item in agenda),
            "decisions": len(decisions) - len(shown_decisions),
            "actions": len(actions) - len(shown_actions),
            "escalations": len(escalations) - len(shown_escalations),
            "products": len(products) - len(shown_products),
        }
    return MeetingScreen(
        meeting=meeting,
        revision=meeting.screen_revision,
        audience=audience,
        agenda=agenda,
        current_item=next(
            (item for item in agenda if item.pk == meeting.current_agenda_item_id), None
        ),
        decisions=shown_decisions,
        actions=shown_actions,
        products=shown_products,
        commissions=shown_commissions,
        releases=releases,
        escalations=shown_escalations,
        hidden=hidden,
    )


# The chair's private view of the screen.


@dataclass
class ChairsView:
    """All the chair may read of the meeting (`proceedings`, `actions`), the shared screen beside
    it (`screen`, with how much it holds back) and which of what the chair reads the shared screen
    shows (`shown`: ids of decisions, actions, escalations and products)."""

    screen: MeetingScreen
    proceedings: MeetingProceedings
    actions: list
    shown: dict[str, set[int]]

    @property
    def page_marking(self) -> int:
        return max(
            [
                self.proceedings.page_marking,
                self.screen.page_marking,
                *(a.marking for a in self.actions),
            ]
        )


def chairs_view(user: User, meeting: Meeting) -> ChairsView:
    """The chair's private view of `meeting` (as just read; the view checks the chair first): the
    meeting read once, the shared screen's rule and the reader's filters each applied to it. A
    constant number of queries."""
    from tasking.selectors.actions import actions_for_meeting_for_user

    record = _meeting_record(meeting, _audience_invitees(meeting))
    # Every action the meeting reviews (the shared screen's rule needs them all), each marked
    # whether the chair may read it, by the action log's own selector.
    readable = actions_for_meeting_for_user(user, meeting).filter(pk=OuterRef("pk"))
    actions = list(
        _meeting_actions(meeting).only(*ACTION_ON_SCREEN).annotate(chair_reads=Exists(readable))
    )
    screen = _screen_of(meeting, record, actions, private=True)
    return ChairsView(
        screen=screen,
        proceedings=_proceedings_for(user, meeting, record),
        actions=[a for a in actions if a.chair_reads],
        shown={
            "decisions": {d.pk for d in screen.decisions},
            "actions": {a.pk for a in screen.actions},
            "escalations": {e.pk for e in screen.escalations},
            "products": {p.pk for p in screen.products},
        },
    )
