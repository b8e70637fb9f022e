"""Patrol briefings (issue 14, point 7) from both sides: who generates them (a chair or
administrator over the unit) and who is refused; who reads them (police readers over the unit)
and who gets 404 (partners, other forces). Each reader is shown only what they may read: a canary
planted in a SECRET action and in a need-to-know subject profile never reaches an RV member who
was not granted it, on the page, in the API or in the PDF, while a cleared reviewer reads both.
What changed since the last briefing of the shift, the audited reads, a PDF rendered again when
its reader's readership changed, bad input refused with nothing changed, constant queries."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from nim_portal.access import grants
from nim_portal.choices import AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent
from products.choices import ProductKind
from products.models.product import VIEW_PRODUCT
from products.services import product_grant_need_to_know, section_update
from tasking.actions.services import action_close
from tasking.briefings import services
from tasking.briefings.choices import BriefingPrintStatus, Shift
from tasking.briefings.models import Briefing, BriefingPrint
from tasking.briefings.selectors import briefing_for_reader
from tests.factories import PartnerUserFactory, member, product_drafting, signed_in
from tests.products.helpers import publish
from tests.tasking.factories import StrategyCast, action_raised, strategy_approved

pytestmark = pytest.mark.django_db

CANARY_ACTION = "CANARY-b41e-covert-deployment"
CANARY_PERSON = "CANARY-9c2d-informant-nominal"
HOTSPOTS = "- Shard End, night-time burglary\n- Alum Rock Road shops, phone robbery"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class World:
    """The force's briefing: a chair, a cleared reviewer, an RV member granted one subject
    profile, a SECRET action and an ungranted profile holding the canaries."""

    def __init__(self, hierarchy):
        self.cast = cast = StrategyCast(hierarchy)
        self.unit = cast.unit
        self.chair = cast.chair
        self.reviewer = cast.reviewer
        self.member = cast.member
        self.member.vetting_level = VettingLevel.RV
        self.member.save()
        strategy = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
        self.priority = strategy.priorities.order_by("rank").first()
        self.patrol = self.action("Patrol the ring road at closing time.")
        self.secret = self.action(f"Observe the lock-up, {CANARY_ACTION}.", GSCMarking.SECRET)
        self.known = self.person("Subject profile: Darren Wells")
        product_grant_need_to_know(
            acting_user=cast.reviewer, product=self.known.product, user=self.member
        )
        # An NPCC firearms subject profile is briefed as a person of interest like any other.
        self.hidden = self.person(
            f"Firearms profile: {CANARY_PERSON}", kind=ProductKind.FIREARMS_PROFILE
        )
        self.assessment = self.tactical_assessment(HOTSPOTS)

    def action(self, description, marking=GSCMarking.OFFICIAL_SENSITIVE):
        return action_raised(
            self.unit,
            chair=self.chair,
            priority=self.priority,
            description=description,
            marking=marking,
        )

    def person(self, title, kind=ProductKind.SUBJECT_PROFILE):
        product = product_drafting(
            self.unit,
            owner=self.cast.analyst,
            requester=self.reviewer,
            kind=kind,
            title=title,
            lawful_basis="Prevention and detection of crime.",
            purpose="Disrupt a prolific burglar.",
            proportionality="Least intrusive means.",
            warning_markers=f"Violence towards police ({title}).",
        )
        return publish(product, owner=self.cast.analyst, reviewer=self.reviewer)

    def tactical_assessment(self, hotspots, product=None):
        if product is None:
            product = product_drafting(
                self.unit,
                owner=self.cast.analyst,
                kind=ProductKind.TACTICAL_ASSESSMENT,
                title="Tactical assessment for the TT&CG",
            )
        section = product.sections.get(title="Emerging series and hotspots")
        section_update(
            acting_user=self.cast.analyst,
            section=section,
            loaded_revision=section.revision,
            body=hotspots,
        )
        return publish(product, owner=self.cast.analyst, reviewer=self.reviewer)

    def generate(self, shift=Shift.LATE, days_ago=0, user=None):
        return services.briefing_generate(
            acting_user=user or self.chair,
            unit=self.unit,
            shift=shift,
            shift_date=timezone.localdate() - datetime.timedelta(days=days_ago),
        )


@pytest.fixture
def world(hierarchy):
    return World(hierarchy)


@pytest.fixture
def briefing(world):
    return world.generate()


def page(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(f"tasking:{name}", args=args))


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def download(client, user, briefing, capture):
    """Ask for the reader's PDF (rendered by its job after the request commits), then fetch it."""
    with capture(execute=True):
        asked = page(client, user, "briefing_pdf", briefing.pk)
    assert asked.status_code == 302
    response = page(client, user, "briefing_pdf", briefing.pk)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


# Generating.


def test_a_briefing_snapshots_the_live_taskings_people_and_assessment(world, briefing):
    assert set(briefing.actions.all()) == {world.patrol, world.secret}
    assert set(briefing.people_of_interest.all()) == {world.known.product, world.hidden.product}
    assert briefing.tactical_assessment == world.assessment
    assert briefing.previous is None
    assert AuditEvent.objects.filter(verb=AuditVerb.CREATE, object_id=str(briefing.pk)).exists()


def test_a_closed_action_and_an_unpublished_profile_are_not_briefed(world):
    action_close(acting_user=world.chair, action=world.patrol, outcome="Done.", expected_version=1)
    product_drafting(
        world.unit,
        owner=world.cast.analyst,
        requester=world.reviewer,
        kind=ProductKind.SUBJECT_PROFILE,
        title="Subject profile: still being drafted",
    )
    briefing = world.generate()
    assert list(briefing.actions.all()) == [world.secret]
    assert {p.title for p in briefing.people_of_interest.all()} == {
        world.known.product.title,
        world.hidden.product.title,
    }


@pytest.mark.parametrize("who", ["member", "reviewer", "outside_chair", "bcu_chair"])
def test_only_a_chair_or_administrator_over_the_unit_generates(world, who):
    with pytest.raises(PermissionDenied):
        world.generate(user=getattr(world.cast, who))
    assert not Briefing.objects.exists()


def test_an_administrator_over_the_unit_generates(world):
    admin = member(world.unit, Role.ADMIN)
    assert world.generate(user=admin).generated_by == admin


def test_a_partner_never_generates(world):
    with pytest.raises(PermissionDenied):
        world.generate(user=PartnerUserFactory())


def test_a_shift_has_one_briefing(world, briefing):
    with pytest.raises(ValidationError, match="already has its briefing"):
        world.generate()
    assert Briefing.objects.count() == 1
    assert world.generate(shift=Shift.NIGHT).shift == Shift.NIGHT


@pytest.mark.parametrize(
    ("shift", "days_ahead", "field"),
    [("afternoon", 0, "shift"), (Shift.EARLY, 30, "shift_date"), (Shift.EARLY, None, "shift_date")],
)
def test_bad_input_is_refused_with_nothing_changed(world, shift, days_ahead, field):
    shift_date = (
        None if days_ahead is None else timezone.localdate() + datetime.timedelta(days=days_ahead)
    )
    with pytest.raises(ValidationError) as refused:
        services.briefing_generate(
            acting_user=world.chair, unit=world.unit, shift=shift, shift_date=shift_date
        )
    assert field in refused.value.message_dict
    assert not Briefing.objects.exists()


def test_the_page_generates_and_refuses_bad_input_on_the_form(client, world):
    client.force_login(world.chair)
    url = reverse("tasking:unit_briefings", args=[world.unit.pk])
    refused = client.post(url, {"shift": Shift.EARLY, "shift_date": "not a date"})
    assert refused.status_code == 400
    assert "Enter a valid date" in refused.content.decode()
    assert not Briefing.objects.exists()
    done = client.post(url, {"shift": Shift.EARLY, "shift_date": timezone.localdate().isoformat()})
    briefing = Briefing.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("tasking:briefing_detail", args=[briefing.pk])


def test_the_page_offers_no_form_to_a_member_and_refuses_their_post(client, world):
    shown = page(client, world.member, "unit_briefings", world.unit.pk)
    assert shown.status_code == 200
    assert "Generate the briefing" not in shown.content.decode()
    refused = client.post(
        reverse("tasking:unit_briefings", args=[world.unit.pk]),
        {"shift": Shift.EARLY, "shift_date": timezone.localdate().isoformat()},
    )
    assert refused.status_code == 403
    assert not Briefing.objects.exists()


# Reading: only what the reader may read.


def test_a_member_reads_only_what_they_may_read_on_the_page(client, world, briefing):
    response = page(client, world.member, "briefing_detail", briefing.pk)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Patrol the ring road" in text
    assert "Darren Wells" in text
    assert "Shard End, night-time burglary" in text
    assert CANARY_ACTION not in text
    assert CANARY_PERSON not in text
    assert "OFFICIAL-SENSITIVE" in text


def test_a_cleared_reviewer_reads_the_canaries(client, world, briefing):
    text = page(client, world.reviewer, "briefing_detail", briefing.pk).content.decode()
    assert CANARY_ACTION in text
    assert CANARY_PERSON in text
    assert "SECRET" in text


def test_the_api_answers_a_member_only_what_they_may_read(client, world, briefing):
    client.force_login(world.member)
    response = client.get(f"/api/v1/briefings/{briefing.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert CANARY_ACTION not in body
    assert CANARY_PERSON not in body
    data = response.json()
    assert [a["id"] for a in data["actions"]] == [world.patrol.pk]
    assert [p["title"] for p in data["people_of_interest"]] == ["Subject profile: Darren Wells"]
    assert "Shard End" in data["hotspots"]["text"]
    assert data["marking"] == "OFFICIAL-SENSITIVE"
    listed = client.get("/api/v1/briefings/", {"unit": world.unit.pk})
    assert [b["id"] for b in listed.json()["results"]] == [briefing.pk]


def test_the_api_generates_for_a_chair_and_refuses_a_member(client, world):
    data = {"unit": world.unit.pk, "shift": Shift.NIGHT, "shift_date": str(timezone.localdate())}
    client.force_login(world.member)
    assert client.post("/api/v1/briefings/", data).status_code == 403
    client.force_login(world.chair)
    assert client.post("/api/v1/briefings/", {**data, "shift": "noon"}).status_code == 400
    assert not Briefing.objects.exists()
    created = client.post("/api/v1/briefings/", data)
    assert created.status_code == 201
    assert created.json()["shift"] == Shift.NIGHT


def test_the_pdf_holds_only_what_the_member_may_read(
    client, world, briefing, django_capture_on_commit_callbacks
):
    text = pdf_text(download(client, world.member, briefing, django_capture_on_commit_callbacks))
    assert "Patrol the ring road" in text
    assert "Darren Wells" in text
    assert CANARY_ACTION not in text
    assert CANARY_PERSON not in text
    assert "OFFICIAL-SENSITIVE" in text
    reader = PdfReader(io.BytesIO(BriefingPrint.objects.get().file.read()))
    assert all("OFFICIAL-SENSITIVE" in p.extract_text() for p in reader.pages)


def test_the_reviewers_pdf_is_their_own(
    client, world, briefing, django_capture_on_commit_callbacks
):
    text = pdf_text(download(client, world.reviewer, briefing, django_capture_on_commit_callbacks))
    assert CANARY_ACTION in text
    assert "SECRET" in text


def test_a_withdrawn_grant_counts_at_once_and_the_pdf_is_printed_again(
    client, world, briefing, django_capture_on_commit_callbacks
):
    download(client, world.member, briefing, django_capture_on_commit_callbacks)
    grants.revoke(VIEW_PRODUCT, world.member, world.known.product, acting_user=world.reviewer)
    assert (
        "Darren Wells"
        not in page(client, world.member, "briefing_detail", briefing.pk).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        asked = page(client, world.member, "briefing_pdf", briefing.pk)
    assert asked.status_code == 302  # the old copy is never handed over
    text = pdf_text(
        b"".join(page(client, world.member, "briefing_pdf", briefing.pk).streaming_content)
    )
    assert "Darren Wells" not in text
    assert "Patrol the ring road" in text


@pytest.mark.parametrize("who", ["partner", "outsider", "lapsed"])
def test_anybody_outside_the_unit_gets_404(client, world, briefing, who):
    user = {
        "partner": PartnerUserFactory(),
        "outsider": world.cast.outsider,
        "lapsed": member(
            world.unit, vetting_expires_on=timezone.localdate() - datetime.timedelta(days=1)
        ),
    }[who]
    assert page(client, user, "briefing_detail", briefing.pk).status_code in {403, 404}
    assert page(client, user, "briefing_pdf", briefing.pk).status_code in {403, 404}
    client.force_login(user)
    assert client.get(f"/api/v1/briefings/{briefing.pk}/").status_code in {403, 404}
    assert not BriefingPrint.objects.exists()
    assert not AuditEvent.objects.filter(verb=AuditVerb.VIEW, object_id=str(briefing.pk)).exists()


def test_a_partner_lists_no_briefing(client, world, briefing):
    client.force_login(PartnerUserFactory())
    response = client.get("/api/v1/briefings/")
    assert response.status_code != 200 or response.json()["results"] == []
    assert str(world.unit.name) not in response.content.decode()


def test_a_bcu_member_reads_the_briefings_of_their_bcu_not_of_the_force(client, world, briefing):
    assert page(client, world.cast.bcu_member, "briefing_detail", briefing.pk).status_code == 404
    assert page(client, world.cast.bcu_member, "unit_briefings", world.unit.pk).status_code == 404


# Audited reads.


def test_every_read_is_audited_with_what_it_showed(
    client, world, briefing, django_capture_on_commit_callbacks
):
    page(client, world.member, "briefing_detail", briefing.pk)
    client.get(f"/api/v1/briefings/{briefing.pk}/")
    views = AuditEvent.objects.filter(
        verb=AuditVerb.VIEW, actor=world.member, object_id=str(briefing.pk)
    )
    assert views.count() == 2
    assert views.first().detail["actions"] == [world.patrol.pk]
    download(client, world.member, briefing, django_capture_on_commit_callbacks)
    downloaded = AuditEvent.objects.get(verb=AuditVerb.DOWNLOAD, actor=world.member)
    assert downloaded.detail["pdf_sha256"] == BriefingPrint.objects.get().sha256


# What changed since the last briefing.


def test_what_changed_since_the_last_briefing_of_the_shift(client, world):
    yesterday = world.generate(days_ago=1)
    world.generate(shift=Shift.EARLY)  # another shift: not compared with
    action_close(acting_user=world.chair, action=world.patrol, outcome="Done.", expected_version=1)
    raised = world.action("Visit the cuckooed flat on Hodge Hill.")
    newcomer = world.person("Subject profile: Kyle Marsh")
    product_grant_need_to_know(
        acting_user=world.reviewer, product=newcomer.product, user=world.member
    )
    world.tactical_assessment(
        HOTSPOTS + "\n- Hodge Hill, cuckooed flats", product=world.assessment.product
    )
    today = world.generate()
    assert today.previous == yesterday
    shown = briefing_for_reader(signed_in(world.member), today)
    assert shown.new_actions == [raised]
    assert shown.closed_actions == [world.patrol]
    assert shown.new_people == [newcomer.product]
    assert shown.new_hotspots == ["Hodge Hill, cuckooed flats"]
    text = page(client, world.member, "briefing_detail", today.pk).content.decode()
    assert "New tasking" in text
    assert "Closed:" in text
    assert "New hotspot: Hodge Hill, cuckooed flats" in text
    assert CANARY_ACTION not in text


def test_the_first_briefing_of_a_shift_has_nothing_new(world, briefing):
    shown = briefing_for_reader(signed_in(world.member), briefing)
    assert not shown.has_changes


def test_a_new_secret_action_is_not_named_among_the_changes(world):
    yesterday = world.generate(days_ago=1)
    world.action(f"Second deployment {CANARY_ACTION}.", GSCMarking.SECRET)
    today = world.generate()
    shown = briefing_for_reader(signed_in(world.member), today)
    assert today.previous == yesterday
    assert not shown.has_changes


# Lists and queries.


def test_the_lists_show_the_readers_briefings(client, world, briefing):
    text = page(client, world.member, "briefing_list").content.decode()
    assert reverse("tasking:briefing_detail", args=[briefing.pk]) in text
    outsider = page(client, world.cast.outsider, "briefing_list").content.decode()
    assert reverse("tasking:briefing_detail", args=[briefing.pk]) not in outsider


def test_the_page_reads_in_constant_queries(client, world, django_assert_max_num_queries):
    world.generate(days_ago=2)
    few = world.generate(days_ago=1)
    client.force_login(world.member)
    url = reverse("tasking:briefing_detail", args=[few.pk])
    client.get(url)
    for number in range(6):
        world.action(f"Action number {number}.")
        world.person(f"Subject profile: person {number}")
    many = world.generate()
    with django_assert_max_num_queries(20) as counted:
        client.get(url)
    base = len(counted.captured_queries)
    with django_assert_max_num_queries(base):
        assert client.get(reverse("tasking:briefing_detail", args=[many.pk])).status_code == 200


def test_a_print_never_ready_says_so(client, world, briefing, django_capture_on_commit_callbacks):
    client.force_login(world.member)
    response = client.get(reverse("tasking:briefing_pdf", args=[briefing.pk]), follow=True)
    assert "being printed" in response.content.decode()
    assert BriefingPrint.objects.get().status == BriefingPrintStatus.PENDING
