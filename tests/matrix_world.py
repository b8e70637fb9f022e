"""The permission matrix's world: one force's records of every kind a URL names, its people, and
the URL of a matrix row for one of them. Shared by the tests that visit every URL as someone
(the permission matrix, the lapsed-vetting crawl).
"""

import datetime
from contextlib import contextmanager
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import GSCMarking, NotificationKind, Role, VettingLevel
from nim_portal.models import Job, JobState, Membership, User
from nim_portal.services import NOTIFICATION_EMAIL_JOB, notify
from partners.models import AgencyMembership
from partners.services import (
    RELEASE_DOCUMENT_JOB,
    agency_create,
    agency_user_add,
    handling_acknowledge,
    release_approve,
    release_prepare,
)
from products.choices import ProductKind
from products.services import section_update
from tasking.actions.choices import ActionType
from tasking.bids.services import bid_submit
from tasking.briefings.choices import Shift
from tasking.briefings.services import briefing_generate
from tasking.meetings.cadence import cadence_policies_default
from tasking.meetings.choices import AgendaItemKind, MeetingKind
from tasking.meetings.services import police_invitee_add
from tasking.models import CadencePolicy, IntelligenceRequirementItem, Meeting
from tasking.proceedings.escalations import escalation_raise
from tasking.proceedings.evaluation import priority_evaluate
from tasking.proceedings.partner_attendees import partner_attendee_invite
from tasking.proceedings.poll import poll_ticket_mint
from tasking.proceedings.screen import meeting_screen_revision
from tasking.proceedings.services import (
    agenda_item_add,
    decision_record,
    meeting_close,
    meeting_open,
)
from tasking.requests.services import request_send
from tasking.resources.choices import CapabilityKind
from tasking.resources.services import capability_add
from tasking.strategy.choices import EvaluationOutcome, RequirementLinkRole
from tasking.strategy.requirement import ir_item_product_link, ir_item_update
from tasking.submissions.choices import SourceType
from tasking.submissions.services import submission_create
from tests.factories import (
    HierarchyFactory,
    PartnerUserFactory,
    UserFactory,
    member,
    product_drafting,
)
from tests.permission_matrix import (
    ADMIN_LOGIN,
    ELSEWHERE,
    LOGIN,
    RELOAD,
    SCREEN_TICKET,
    Row,
)
from tests.products.helpers import publish, write
from tests.tasking.factories import action_raised, strategy_approved
from tests.url_enumeration import FORMAT_SUFFIX_NAME, Route, routes

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The record a URL parameter names unless the row says otherwise: a record of the world, or a
# value. `pk` and `object_id` name the row's own record.
DEFAULT_PARAMETERS = {
    "number": 1,
    "format": "json",
    "product_pk": "product",
    "section_pk": "section",
    "document_pk": "document",
    "priority_pk": "priority",
    "action_pk": "action",
    "attachment_pk": "attachment",
    "unit_pk": "unit",
    "invitee_pk": "invitee",
}
OWN_RECORD_PARAMETERS = ("pk", "object_id")
# What a URL for changing may answer GET with, besides 405: the refusal its method gets.
REFUSALS = {LOGIN, "403", "404"}


def _today() -> datetime.date:
    return timezone.localdate()


class World:
    """One force's records of every kind a URL names, its people in every role, and the people
    who must not reach them; each record built through the services, so that it obeys the rules.

    The products and the action are SECRET, above `low_vetting`'s RV vetting; the control
    strategy stays OFFICIAL-SENSITIVE, because its questions go to partners. Every text of a
    record marked above OFFICIAL goes through `marked`, so that a test can plant a canary in it."""

    def __init__(self, capture_on_commit):
        hierarchy = HierarchyFactory()
        self.hierarchy = hierarchy
        self.unit = unit = hierarchy.force
        self.analyst = member(unit, Role.ANALYST, username="analyst")
        self.reviewer = member(unit, Role.REVIEWER, username="reviewer")
        self.chair = member(unit, Role.CHAIR, username="chair")
        self.member = member(unit, Role.MEMBER, username="member")
        self.admin = member(unit, Role.ADMIN, username="admin")
        self.low_vetting = member(
            unit, Role.ANALYST, username="lowvetting", vetting_level=VettingLevel.RV
        )
        # Another force's person holding every role there: no role of theirs opens this force.
        self.outsider = member(hierarchy.other_force, Role.ANALYST, username="outsider")
        for role in (Role.REVIEWER, Role.CHAIR, Role.MEMBER, Role.ADMIN):
            Membership.objects.create(user=self.outsider, unit=hierarchy.other_force, role=role)
        self.superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
        self.bcu_chair = member(hierarchy.bcu, Role.CHAIR, username="bcuchair")

        # Partner agencies: the first receives the release and attends the meeting; the other
        # works with the force too, but is given nothing.
        self.agency = self._agency("Birmingham City Council", [hierarchy.bcu])
        self.other_agency = self._agency("West Midlands Fire Service", [unit])
        self.partner = self._partner("partner_a", self.agency)
        self.other_partner = self._partner("partner_b", self.other_agency)
        self.agency_membership = AgencyMembership.objects.get(user=self.partner)
        self.police_membership = Membership.objects.get(user=self.member)

        # Products: a published SECRET strategic assessment (its first section, OFFICIAL, may be
        # released) and a product being drafted.
        self.product = self._assessment()
        self.version = self.product.versions.get(number=1)
        self.draft = product_drafting(
            unit,
            owner=self.analyst,
            requester=self.chair,
            kind=ProductKind.PROBLEM_PROFILE,
            title=self.marked("draft-title", "Problem profile: burglary in Northfield"),
            marking=GSCMarking.SECRET,
        )
        self.section = self.draft.sections.order_by("position").first()

        # The release to the agency, approved, rendered and accepted by its partner user.
        self.release = release_prepare(
            acting_user=self.analyst,
            version=self.version,
            agencies=[self.agency],
            section_ids=[s["id"] for s in self.version.content["sections"] if s["releasable"]],
            marking=GSCMarking.OFFICIAL_SENSITIVE,
            purpose=self.marked("release-purpose", "Target crime prevention advice in Northfield."),
            retention_months=12,
            expires_on=_today() + datetime.timedelta(days=90),
        )
        with capture_on_commit(execute=True):
            release_approve(acting_user=self.reviewer, release=self.release)
        self.release.refresh_from_db()
        self.document = self.release.documents.get()
        self.document_job = Job.objects.get(kind=RELEASE_DOCUMENT_JOB, object_id=self.document.pk)
        # Accepting the conditions renders the partner's own copy, which their download serves.
        with capture_on_commit(execute=True):
            handling_acknowledge(acting_user=self.partner, release=self.release)

        # The control strategy and its intelligence requirement, open to partners.
        self.strategy = strategy_approved(
            unit,
            chair=self.chair,
            version=self.version,
            title=self.marked("strategy-title", f"Control strategy of {unit}"),
            themes=(self.marked("priority-theme", "County lines drug supply"), "Burglary"),
        )
        self.priority = self.strategy.priorities.order_by("rank", "pk").first()
        self.requirement_item = IntelligenceRequirementItem.objects.filter(
            requirement__control_strategy=self.strategy
        ).order_by("pk")[0]
        ir_item_update(acting_user=self.chair, item=self.requirement_item, open_to_partners=True)
        # The item answers the assessment's gaps (issue 14, point 4); the ST&CG sitting that
        # approved the strategy evaluates its priorities (point 9).
        self.item_product = ir_item_product_link(
            acting_user=self.chair,
            item=self.requirement_item,
            product=self.product,
            role=RequirementLinkRole.GAP_SOURCE,
        )
        self.stcg = self.strategy.approved_at_sitting
        self.priority_evaluation = priority_evaluate(
            acting_user=self.chair,
            meeting=self.stcg,
            priority=self.priority,
            activity="Warrants executed.",
            results="Two lines closed.",
            outcome=EvaluationOutcome.REDUCED,
        )

        # The agency's information against the requirement, with a file.
        self.submission = submission_create(
            acting_user=self.partner,
            item=self.requirement_item,
            what=self.marked("submission-what", "A grey van visits the flats every night at 2am."),
            occurred_on=_today() - datetime.timedelta(days=2),
            where=self.marked("submission-where", "Northfield flats"),
            source_type=SourceType.OWN_STAFF,
            attachments=[
                SimpleUploadedFile("seen.txt", b"A grey van, three times.\n", "text/plain")
            ],
        )
        self.attachment = self.submission.attachments.get()

        # The force's TT&CG sitting: an agenda item, a police and a partner invitee, a decision.
        meeting = Meeting.objects.create(
            unit=unit, kind=MeetingKind.TACTICAL, starts_at=timezone.now(), chair=self.chair
        )
        self.agenda_item = agenda_item_add(
            acting_user=self.chair, meeting=meeting, title="Burglary", kind=AgendaItemKind.OTHER
        )
        self.invitee = police_invitee_add(
            acting_user=self.chair, meeting=meeting, person=self.member
        )
        self.partner_invitee = partner_attendee_invite(
            acting_user=self.chair,
            meeting=meeting,
            partner_user=self.partner,
            tactical_attendance=True,
            reason="The council's burglary lead.",
        )
        self.meeting = meeting_open(acting_user=self.chair, meeting=meeting)
        decision_record(
            acting_user=self.chair,
            meeting=self.meeting,
            agenda_item=self.agenda_item,
            text="Target the van.",
        )
        self.action = action_raised(
            unit,
            chair=self.chair,
            priority=self.priority,
            owner_user=self.member,
            marking=GSCMarking.SECRET,
            description=self.marked(
                "action-description", "Test purchases on the high street to evidence the dealing."
            ),
        )

        # The sitting asks the neighbouring force's T&CG for help; the force's late turn briefing.
        self.sideways_request = request_send(
            acting_user=self.chair,
            meeting=self.meeting,
            to_unit=hierarchy.other_force,
            title=self.marked("request-title", "Surveillance team for the Friday handover"),
            details=self.marked("request-details", "The line's runners cross into your area."),
        )
        self.briefing = briefing_generate(
            acting_user=self.chair, unit=unit, shift=Shift.LATE, shift_date=timezone.localdate()
        )

        # The force's register of capability, and the member's SECRET bid to its next TT&CG.
        self.capability = capability_add(
            acting_user=self.chair,
            unit=unit,
            kind=CapabilityKind.TEAM,
            name="Proactive team",
            hours_per_cycle=100,
        )
        self.next_meeting = Meeting.objects.create(
            unit=unit,
            kind=MeetingKind.TACTICAL,
            starts_at=timezone.now() + datetime.timedelta(days=7),
            chair=self.chair,
        )
        self.bid = bid_submit(
            acting_user=self.member,
            meeting=self.next_meeting,
            priority=self.priority,
            title=self.marked("bid-title", "Warrant at the trap house"),
            activity=self.marked("bid-activity", "A warrant at the trap house on Alum Rock Road."),
            action_type=ActionType.ENFORCEMENT,
            justification=self.marked("bid-justification", "Runners seen there nightly."),
            capability=self.capability,
            hours=10,
            marking=GSCMarking.SECRET,
        )

        # A closed TT&CG of the force, its minutes rendered.
        closed = meeting_open(
            acting_user=self.chair,
            meeting=Meeting.objects.create(
                unit=unit,
                kind=MeetingKind.TACTICAL,
                starts_at=timezone.now() - datetime.timedelta(days=14),
                chair=self.chair,
            ),
        )
        with capture_on_commit(execute=True):
            meeting_close(acting_user=self.chair, meeting=closed)
        self.closed_meeting = closed

        # An escalation from the BCU's sitting TT&CG to the force.
        bcu_meeting = meeting_open(
            acting_user=self.bcu_chair,
            meeting=Meeting.objects.create(
                unit=hierarchy.bcu,
                kind=MeetingKind.TACTICAL,
                starts_at=timezone.now(),
                chair=self.bcu_chair,
            ),
        )
        self.escalation = escalation_raise(
            acting_user=self.bcu_chair,
            meeting=bcu_meeting,
            title=self.marked("escalation-title", "Burglary series beyond the BCU"),
            reason=self.marked("escalation-reason", "It crosses into two other BCUs."),
        )

        cadence_policies_default()
        self.cadence_policy = CadencePolicy.objects.order_by("pk").first()
        (self.notification,) = notify(
            [self.member],
            kind=NotificationKind.ACTION_ASSIGNED,
            message="An action is yours.",
            link="/tasking/actions/",
        )
        # A job that stopped after its attempts: what the jobs page lists and may retry.
        self.job = Job.objects.get(kind=NOTIFICATION_EMAIL_JOB, object_id=self.notification.pk)
        Job.objects.filter(pk=self.job.pk).update(
            state=JobState.FAILED, attempts=4, last_error="Attempt 4: OSError: no mail server"
        )

    def _agency(self, name, units):
        return agency_create(
            acting_user=self.superuser,
            name=name,
            units=units,
            kind="local_authority",
            agreement_reference=f"ISA-{name[:4].upper()}",
            agreement_purpose="Reducing burglary and anti-social behaviour.",
            agreement_starts_on=_today() - datetime.timedelta(days=100),
            agreement_review_on=_today() + datetime.timedelta(days=300),
        )

    def _partner(self, username, agency):
        user = PartnerUserFactory(username=username)
        agency_user_add(acting_user=self.superuser, agency=agency, user=user)
        return user

    def _assessment(self):
        product = product_drafting(
            self.unit,
            owner=self.analyst,
            requester=self.chair,
            kind=ProductKind.STRATEGIC_ASSESSMENT,
            title=self.marked("assessment-title", "Strategic assessment of West Midlands Police"),
            marking=GSCMarking.SECRET,
        )
        write(product, self.analyst, "Burglary is rising.", marking=GSCMarking.OFFICIAL)
        section = product.sections.get(position=1)
        section_update(
            acting_user=self.analyst,
            section=section,
            loaded_revision=section.revision,
            body=section.body,
            releasable_to_partners=True,
        )
        source = self.marked("assessment-source", "Source reporting.")
        write(product, self.analyst, source, position=2, marking=GSCMarking.SECRET)
        return publish(product, owner=self.analyst, reviewer=self.reviewer).product

    def marked(self, name: str, text: str) -> str:
        """The text of a record marked above OFFICIAL (`name` says which)."""
        return text

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


def session_of(user: User) -> str:
    """A signed-in session of `user`: its cookie's value."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@contextmanager
def world_in_transaction(django_db_blocker, world_class: type[World], roles):
    """A world of `world_class` and a signed-in session for each of `roles` (attributes of the
    world), in a transaction rolled back when the block ends: a module's tests run inside it."""
    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHING):
                built = world_class(TestCase.captureOnCommitCallbacks)
                built.sessions = {role: session_of(built.user(role)) for role in roles}
        except BaseException:
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)


def _screen_ticket(world: World, role: str) -> str:
    """The query of the poll URL the meeting's screen gives this role's session."""
    user = world.user(role)
    if user is None:
        return ""
    request = SimpleNamespace(user=user, session=SimpleNamespace(session_key=world.sessions[role]))
    revision = meeting_screen_revision(user.pk, world.meeting.pk) or 0
    return urlencode({"ticket": poll_ticket_mint(request, world.meeting.pk, revision)})


def parameters_of(row: Row, route: Route) -> dict:
    """What each parameter of the row's URL names: a record of the world (by its name), or a
    value."""
    return {
        parameter: row.record
        if parameter in OWN_RECORD_PARAMETERS
        else row.params.get(parameter, DEFAULT_PARAMETERS.get(parameter))
        for parameter in route.parameters
    }


def url_of(row: Row, route: Route, world: World, role: str) -> str:
    kwargs = {}
    for parameter, value in parameters_of(row, route).items():
        record = getattr(world, value, None) if isinstance(value, str) else None
        kwargs[parameter] = value if record is None else record.pk
    url = reverse(route.name.removesuffix(FORMAT_SUFFIX_NAME), kwargs=kwargs)
    query = _screen_ticket(world, role) if row.query == SCREEN_TICKET else row.query
    return f"{url}?{query}" if query else url


def answered(response, token: str) -> bool:
    """Whether `response` is what the matrix's `token` says."""
    location = response.get("Location", "")
    if token == LOGIN:
        return response.status_code == 302 and location.startswith(reverse("login"))
    if token == ADMIN_LOGIN:
        return response.status_code == 302 and location.startswith(reverse("admin:login"))
    if token == ELSEWHERE:
        return response.status_code == 302 and "/login/" not in location
    if token == RELOAD:
        return (
            response.status_code == 200
            and response.get("HX-Refresh") == "true"
            and not response.content
        )
    return response.status_code == int(token)


def described(response) -> str:
    location = response.get("Location")
    return f"{response.status_code} to {location}" if location else str(response.status_code)


ROUTES = {route.name: route for route in routes()}
