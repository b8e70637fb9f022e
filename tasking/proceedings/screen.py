"""What the shared meeting screen may show, and the chair's private view beside it.

The shared screen (`meeting_screen`) is seen by everybody in the room, so it shows only what the
least-cleared person present may read; with a partner present it shows no police product at all,
only the sanitised releases to every agency present, and no police text above OFFICIAL. The
meeting is read once for a screen, with tasking.proceedings.selectors, and each rule applied to it.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from nim_portal.choices import NO_CLEARANCE, GSCMarking
from nim_portal.models import User, VettingClearance
from partners.choices import ReleaseStatus
from partners.models import Release
from products.models import Product, Section
from tasking.actions.selectors import actions_for_meeting, actions_for_meeting_for_user
from tasking.meetings.choices import Attendance
from tasking.meetings.models import AgendaItem, Meeting, MeetingInvitee
from tasking.proceedings.at_hand import strategy_at_hand
from tasking.proceedings.models import Commission, Decision, Escalation
from tasking.proceedings.selectors import (
    MeetingProceedings,
    MeetingRecord,
    invitees_of,
    meeting_record,
    proceedings_for,
)
from tasking.strategy.choices import ControlStrategyStatus
from tasking.strategy.models import (
    ControlStrategy,
    IntelligenceRequirement,
    IntelligenceRequirementItem,
    Priority,
)


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


# The related rows the shared screen reads with each kind of record: fewer than a reader's page.
SCREEN_RELATED = {
    "decisions": (),
    "commissions": ("product",),
    "escalations": ("from_unit", "to_unit"),
}


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

    @property
    def text_ceiling(self) -> int:
        """The highest marking of police text the room may read: the lowest vetting present,
        and OFFICIAL at most with a partner present."""
        if self.partner_present:
            return min(self.ceiling, GSCMarking.OFFICIAL)
        return self.ceiling

    def may_see_strategy(self, strategy: ControlStrategy) -> bool:
        """A control strategy's priorities on the shared screen: at or below the police text the
        room may read, and with a partner present only an approved one (never a draft)."""
        if self.partner_present and strategy.status != ControlStrategyStatus.APPROVED:
            return False
        return strategy.marking <= self.text_ceiling

    def may_see_requirement_item(self, item: IntelligenceRequirementItem) -> bool:
        """An open item of a strategy the room may see: with a partner present only one opened
        to partners of an approved requirement (what partners may submit against)."""
        if not self.partner_present:
            return True
        return item.open_to_partners and item.requirement.approved_at is not None

    def may_see_product(self, product: Product) -> bool:
        """A police product on the shared screen: never with a partner present (their releases
        instead), never a need-to-know one, and only at or below the lowest vetting present."""
        return (
            not self.partner_present
            and product.marking <= self.ceiling
            and not product.need_to_know
        )


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
class StrategyAtHand:
    """The control strategy the meeting has at hand (tasking.proceedings.at_hand) as a screen
    shows it: its ranked priorities and the open items of its intelligence requirement
    (`requirement`: None before it has one). On the chair's view `held_back` says the shared
    screen leaves the strategy out, and each item's `held_back` the item."""

    strategy: ControlStrategy
    requirement: IntelligenceRequirement | None
    priorities: list[Priority]
    items: list[IntelligenceRequirementItem]
    held_back: bool = False


def _requirement_of(strategy: ControlStrategy) -> IntelligenceRequirement | None:
    try:
        return strategy.intelligence_requirement
    except IntelligenceRequirement.DoesNotExist:
        return None


def _at_hand_on_screen(
    strategy: ControlStrategy | None, audience: Audience, *, private: bool
) -> StrategyAtHand | None:
    """The shared screen's rule on the strategy at hand; `private=True` (the chair's view): what
    the chair reads of it (`reader_reads`, from the read), tagged with what the shared screen
    holds back. No query."""
    if strategy is None or (private and not strategy.reader_reads):
        return None
    shown = audience.may_see_strategy(strategy)
    if not (shown or private):
        return None
    requirement = _requirement_of(strategy)
    items = requirement.open_items if requirement is not None else []
    for item in items:
        item.held_back = not (shown and audience.may_see_requirement_item(item))
    return StrategyAtHand(
        strategy=strategy,
        requirement=requirement,
        priorities=strategy.ranked_priorities,
        items=[i for i in items if i.reader_reads]
        if private
        else [i for i in items if not i.held_back],
        held_back=not shown,
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
    # The control strategy at hand and its requirement's open items (None: none shown).
    at_hand: StrategyAtHand | None = None

    @property
    def page_marking(self) -> int:
        markings = [GSCMarking.OFFICIAL]
        if self.at_hand is not None:
            markings.append(self.at_hand.strategy.marking)
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
        invitees_of(meeting)
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
    record = meeting_record(meeting, _audience_invitees(meeting), SCREEN_RELATED)
    actions = list(actions_for_meeting(meeting).only(*ACTION_ON_SCREEN))
    return _screen_of(meeting, record, actions, strategy_at_hand(meeting), private=private)


def _screen_of(
    meeting: Meeting,
    record: MeetingRecord,
    actions: list,
    strategy: ControlStrategy | None,
    *,
    private: bool,
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
    text_ceiling = audience.text_ceiling

    decisions = record.decisions
    escalations = record.escalations
    commissions = record.commissions
    products = [c.product for c in commissions]
    assessment = meeting.tactical_assessment or meeting.strategic_assessment
    if assessment is not None:
        products.insert(0, assessment)

    shown_decisions = [d for d in decisions if d.marking <= text_ceiling]
    shown_actions = [a for a in actions if a.marking <= text_ceiling]
    shown_escalations = [e for e in escalations if e.marking <= text_ceiling]
    releases: list[Release] = []
    if audience.partner_present:
        shown_products = []
        releases = _releases_to_every_agency(audience, {p.pk for p in products})
    else:
        shown_products = [p for p in products if audience.may_see_product(p)]
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
        # The shared screen's: the chair's view carries the chair's own (ChairsView.at_hand).
        at_hand=_at_hand_on_screen(strategy, audience, private=False),
    )


@dataclass
class ChairsView:
    """All the chair may read of the meeting (`proceedings`, `actions`), the shared screen beside
    it (`screen`, with how much it holds back) and which of what the chair reads the shared screen
    shows (`shown`: ids of decisions, actions, escalations and products)."""

    screen: MeetingScreen
    proceedings: MeetingProceedings
    actions: list
    shown: dict[str, set[int]]
    # The strategy at hand as the chair reads it, tagged with what the shared screen leaves out.
    at_hand: StrategyAtHand | None = None

    @property
    def page_marking(self) -> int:
        return max(
            [
                self.proceedings.page_marking,
                self.screen.page_marking,
                *(a.marking for a in self.actions),
                *([self.at_hand.strategy.marking] if self.at_hand else []),
            ]
        )


def chairs_view(user: User, meeting: Meeting) -> ChairsView:
    """The chair's private view of `meeting` (as just read; the view checks the chair first): the
    meeting read once, the shared screen's rule and the reader's filters each applied to it. A
    constant number of queries."""
    record = meeting_record(meeting, _audience_invitees(meeting))
    # Every action the meeting reviews (the shared screen's rule needs them all), each marked
    # whether the chair may read it, by the action log's own selector.
    readable = actions_for_meeting_for_user(user, meeting).filter(pk=OuterRef("pk"))
    actions = list(
        actions_for_meeting(meeting).only(*ACTION_ON_SCREEN).annotate(chair_reads=Exists(readable))
    )
    strategy = strategy_at_hand(meeting, reader=user)
    screen = _screen_of(meeting, record, actions, strategy, private=True)
    return ChairsView(
        screen=screen,
        proceedings=proceedings_for(user, meeting, record),
        actions=[a for a in actions if a.chair_reads],
        at_hand=_at_hand_on_screen(strategy, screen.audience, private=True),
        shown={
            "decisions": {d.pk for d in screen.decisions},
            "actions": {a.pk for a in screen.actions},
            "escalations": {e.pk for e in screen.escalations},
            "products": {p.pk for p in screen.products},
        },
    )


# Presentation mode: the shared screen for the room's display.


@dataclass
class Presentation:
    """The shared screen as the room's display shows it: the screen (`screen`, with the control
    strategy at hand), and the assessment the meeting concerns (the tactical assessment of a
    TT&CG, the strategic assessment commissioned for an ST&CG) with its summary (its first
    section); each only when the screen's rule lets the room read it."""

    screen: MeetingScreen
    assessment: Product | None
    summary: Section | None

    @property
    def page_marking(self) -> int:
        markings = [self.screen.page_marking]
        if self.assessment is not None:
            markings.append(self.assessment.marking)
        return max(markings)


def meeting_presentation(meeting: Meeting) -> Presentation:
    """What the room's display shows of `meeting` (as just read: meeting_for_user): the shared
    screen's one rule (Audience) decides the assessment and its summary too. A constant number
    of queries."""
    screen = meeting_screen(meeting, private=False)
    audience = screen.audience
    assessment = meeting.tactical_assessment or meeting.strategic_assessment
    if assessment is not None and not audience.may_see_product(assessment):
        assessment = None
    summary = None
    if assessment is not None:
        summary = (
            assessment.sections.filter(marking__lte=audience.text_ceiling)
            .order_by("position")
            .first()
        )
    return Presentation(screen=screen, assessment=assessment, summary=summary)
