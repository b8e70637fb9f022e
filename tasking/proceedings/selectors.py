"""Reads of running meetings that depend on who is asking: a meeting's proceedings as one reader
may read them, the escalations to and from their units, the minutes they may download, and the
chair's page of partner attendees.

A meeting is read by who may read it (tasking.meetings.selectors); within it, decisions,
escalations, commissioned products and minutes above the reader's vetting are left out and
counted. What the shared screen shows the room is in tasking.proceedings.screen.
"""

from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import GSCMarking, UserKind
from nim_portal.ids import id_or_404
from nim_portal.models import Unit, User
from partners.selectors import agencies_for_unit
from products.choices import SUBJECT_PROFILE_KINDS, ProductStatus
from products.models import Product
from products.selectors import analysts_over, visible_products
from tasking.actions.selectors import actions_for_meeting
from tasking.meetings.choices import MeetingKind, MeetingStatus
from tasking.meetings.models import AgendaItem, Meeting, MeetingInvitee
from tasking.meetings.policy import can_chair, chaired_by
from tasking.proceedings.choices import EscalationStatus
from tasking.proceedings.models import Commission, Decision, Escalation, MinutesVersion
from tasking.proceedings.policy import escalations_decidable_by
from tasking.strategy.choices import ControlStrategyStatus
from tasking.strategy.models import ControlStrategy
from tasking.strategy.selectors import control_strategies_visible_to

# Commissions.


def analysts_who_may_develop(meeting: Meeting) -> QuerySet[User]:
    """Active analysts of the meeting's unit or a unit above it: who may develop a profile it
    commissions."""
    return analysts_over(Unit.objects.filter(pk=meeting.unit_id)).order_by(
        "last_name", "first_name", "username"
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
    # The latest frozen minutes as the reader may read them (minutes_for_reader), if any.
    minutes: dict | None = None
    # The markings of the decisions, commissions and escalations left out, highest first: each
    # shows as "Withheld: <marking>", its marking only.
    withheld: dict[str, list[str]] = field(default_factory=dict)

    @property
    def page_marking(self) -> int:
        """The highest marking on the page (OFFICIAL at least; the minutes' when shown)."""
        markings = [GSCMarking.OFFICIAL]
        markings += [d.marking for d in self.decisions]
        markings += [e.marking for e in self.escalations_raised + self.escalations_received]
        markings += [c.product.marking for c in self.commissions + self.earlier_commissions]
        if self.minutes:
            markings.append(self.minutes["reader_marking"])
        if self.live_minutes:
            markings.append(self.meeting.minutes_marking)
        return max(markings)


def _split(rows, readable) -> tuple[list, int]:
    shown = [row for row in rows if readable(row)]
    return shown, len(rows) - len(shown)


def _withheld_labels(markings) -> list[str]:
    return [GSCMarking(marking).label for marking in sorted(markings, reverse=True)]


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

# The related rows each kind of record is read with: what a reader's page (and the API) names
# (the shared screen names fewer: tasking.proceedings.screen).
READER_RELATED = {
    "decisions": ("agenda_item",),
    "commissions": ("product", "meeting"),
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


def invitees_of(meeting: Meeting) -> QuerySet[MeetingInvitee]:
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


def meeting_record(
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
    return proceedings_for(user, meeting, meeting_record(meeting, invitees_of(meeting)))


def proceedings_for(user: User, meeting: Meeting, record: MeetingRecord) -> MeetingProceedings:
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
    # Every reader of the meeting reads its frozen minutes, what is above them withheld.
    versions = list(meeting.minutes_versions.all())
    minutes = minutes_for_reader(versions[-1].content, ceiling) if versions else None
    live_minutes_readable = meeting.minutes_marking <= ceiling
    hidden_live_minutes = 1 if meeting.minutes and not live_minutes_readable and not versions else 0
    hidden = {
        "decisions": hidden_decisions,
        "commissions": hidden_commissions + hidden_earlier,
        "escalations": hidden_raised + hidden_received,
        "minutes": hidden_live_minutes,
    }
    withheld = {
        "decisions": _withheld_labels(d.marking for d in record.decisions if d.marking > ceiling),
        "escalations": _withheld_labels(
            e.marking
            for e in _raised_at(record.escalations) + _received_by(record.escalations)
            if e.marking > ceiling
        ),
    }
    return MeetingProceedings(
        meeting=meeting,
        may_chair=can_chair(user, meeting),
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
        minutes=minutes,
        withheld=withheld,
    )


def minutes_readable_by(user: User, meeting: Meeting) -> MinutesVersion:
    """The latest frozen minutes of a meeting the user may read (see meeting_for_user); 404
    when none is frozen. What is above their vetting is withheld from what they are given
    (minutes_for_reader; the PDF for their ceiling: minutes_pdf.minutes_pdf_download)."""
    version = meeting.minutes_versions.select_related("frozen_by").order_by("-number").first()
    if version is None:
        raise Http404("No minutes are frozen.")
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
    decidable = escalations_decidable_by(user, [e for e in inbox if e.is_open])
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


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# What each part of the snapshot is marked, by the key its marking label is kept under.
_MARKING_OF_LABEL = {marking.label: marking.value for marking in GSCMarking}
PORTION_MARKED_PARTS = (
    "decisions",
    "commissions",
    "escalations_raised",
    "escalations_decided",
    "actions",
)


def minutes_for_reader(content: dict, ceiling: int) -> dict:
    """Frozen minutes (a snapshot: minutes_snapshot) as a reader cleared to `ceiling` may read
    them: each decision, commission, escalation or action above it replaced by its marking only
    (`{"withheld": "SECRET"}`), the written text too when above it. `reader_marking`: the highest
    marking left in (what the page and the PDF for this reader are marked). A part frozen without
    its own marking (older minutes) is taken as marked as the whole minutes."""
    whole = content["marking"]
    shown = [GSCMarking.OFFICIAL]
    reader = dict(content)
    for part in PORTION_MARKED_PARTS:
        rows = []
        for row in content.get(part, []):
            marking = _MARKING_OF_LABEL.get(row.get("marking"), whole)
            if marking <= ceiling:
                rows.append(row)
                shown.append(marking)
            else:
                rows.append({"withheld": GSCMarking(marking).label})
        reader[part] = rows
    text_marking = _MARKING_OF_LABEL.get(content.get("minutes_marking"), whole)
    if text_marking <= ceiling:
        shown.append(text_marking)
        reader["minutes_withheld"] = ""
    else:
        reader["minutes"] = ""
        reader["minutes_withheld"] = GSCMarking(text_marking).label
    reader["reader_marking"] = max(shown)
    return reader


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
    actions = list(actions_for_meeting(meeting))
    markings = [GSCMarking.OFFICIAL]
    markings += [d.marking for d in decisions]
    markings += [c.product.marking for c in commissions]
    markings += [e.marking for e in escalations_raised]
    markings += [e.marking for e in escalations_decided]
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
        "minutes_marking": GSCMarking(meeting.minutes_marking).label,
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
                    if commission.kind in SUBJECT_PROFILE_KINDS
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
                "marking": GSCMarking(escalation.marking).label,
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


# Partner attendees (the chair's page of them).


def partner_attendees(meeting: Meeting) -> QuerySet[MeetingInvitee]:
    return (
        MeetingInvitee.objects.filter(meeting=meeting, is_partner_attendee=True)
        .select_related("user__agency_membership__agency")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def partner_attendee_candidates(meeting: Meeting) -> QuerySet[User]:
    """Active partner users of the agencies working with the meeting's unit today (agreement in
    force), not already invited."""
    return (
        User.objects.filter(
            kind=UserKind.PARTNER,
            is_active=True,
            agency_membership__agency__in=agencies_for_unit(meeting.unit).values("pk"),
        )
        .exclude(meeting_invitations__meeting=meeting)
        .select_related("agency_membership__agency")
        .order_by("agency_membership__agency__name", "last_name", "first_name", "username")
    )


def get_meeting_for_partner_attendees(user: User, pk) -> Meeting:
    """A meeting whose partner attendees `user` may manage (missing or not theirs: 404)."""
    meeting = Meeting.objects.select_related("unit").filter(pk=id_or_404(pk, "meeting")).first()
    if meeting is None or not can_chair(user, meeting):
        raise Http404("No such meeting.")
    return meeting


def meetings_chaired_for_partners(user: User) -> QuerySet[Meeting]:
    """Upcoming meetings `user` chairs, or of the units where they hold the chair role, that
    are not closed: where they may invite partner attendees."""
    if not access.is_police_reader(user):
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(
            chaired_by(user),
            starts_at__gt=timezone.now(),
        )
        .exclude(status=MeetingStatus.CLOSED)
        .select_related("unit")
        .order_by("starts_at", "id")
    )


# An ST&CG's decisions on its unit's control strategy (tasking.proceedings.strategy).

STRATEGY = "control-strategy"
REQUIREMENT = "intelligence-requirement"


@dataclass(frozen=True)
class SittingDecision:
    """What an ST&CG in session may decide on: its unit's draft control strategy (`subject`
    "strategy") or the intelligence requirement of its approved one ("requirement")."""

    subject: str
    strategy: ControlStrategy

    @property
    def label(self) -> str:
        if self.subject == STRATEGY:
            return f"The control strategy “{self.strategy.title}”"
        return f"The intelligence requirement of “{self.strategy.title}”"


def decisions_before_sitting(user: User, meeting: Meeting) -> list[SittingDecision]:
    """What the ST&CG `meeting` has to decide on, of what `user` may read: its unit's draft
    strategies, then the approved ones whose requirement waits for approval. One query."""
    if meeting.kind != MeetingKind.STRATEGIC:
        return []
    waiting = (
        control_strategies_visible_to(user)
        .filter(unit_id=meeting.unit_id)
        .filter(
            Q(status=ControlStrategyStatus.DRAFT)
            | Q(
                status=ControlStrategyStatus.APPROVED,
                intelligence_requirement__isnull=False,
                intelligence_requirement__approved_at__isnull=True,
            )
        )
        .order_by("-period_start", "pk")
    )
    return [
        SittingDecision(
            STRATEGY if strategy.status == ControlStrategyStatus.DRAFT else REQUIREMENT, strategy
        )
        for strategy in waiting
    ]
