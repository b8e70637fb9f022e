"""`manage.py seed_national --small`: what it writes (counts and the invariants the services keep),
the bench users the benchmark signs in as, its refusal of a database in use, and the key pages
answering every bench user on its data.

The dataset is seeded once for the module, inside a transaction rolled back at the end; each test
runs in a savepoint of its own within it.
"""

import datetime
import io
from collections import Counter

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role, UnitKind, UserKind, VettingLevel
from nim_portal.models import (
    AuditEvent,
    Job,
    JobState,
    Membership,
    RecordClassification,
    Unit,
    User,
)
from nim_portal.national import (
    BENCH_ADMIN,
    BENCH_CHAIR,
    BENCH_FORCE_ANALYST,
    BENCH_LAPSED,
    BENCH_MEMBER,
    BENCH_NATIONAL_ANALYST,
    BENCH_SUPERUSER,
    agency_count,
)
from partners.choices import DocumentStatus, ReleaseStatus
from partners.models import PartnerAgency, Release, ReleaseDocument
from partners.national import BENCH_PARTNER
from partners.sanitise import build_partner_text
from partners.selectors import releases_for_partner
from partners.services.releases import frozen_partner_content
from products.choices import ProductKind
from products.models import (
    Product,
    ProductUnitShare,
    ProductUserObjectPermission,
    ProductVersion,
    Section,
)
from products.services import snapshot_digest
from tasking.actions.choices import ActionStatus
from tasking.management.commands.seed_national import BENCH_USERS, DEFAULT_PASSWORD
from tasking.meetings.choices import MeetingKind, MeetingStatus
from tasking.models import (
    ControlStrategy,
    Meeting,
    MeetingInvitee,
    MinutesVersion,
    TacticalAction,
)
from tasking.national import SMALL_SIZE
from tasking.proceedings.minutes_pdf import MINUTES_PDF_JOB
from tasking.proceedings.services import _snapshot_digest

TEST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
COUNTED = (Unit, User, Product, Section, ProductVersion, Release, Meeting, TacticalAction)


@pytest.fixture(scope="module")
def national(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small national dataset and the command's output (rolled back after the module)."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=TEST_HASHERS),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("seed_national", "--small", stdout=out, stderr=io.StringIO())
        yield out.getvalue()
        transaction.set_rollback(True)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _roles(username: str) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(user__username=username).values_list("role", "unit__code"))


def _bench_force() -> Unit:
    return Membership.objects.get(user__username=BENCH_FORCE_ANALYST).unit


def _in_force(force: Unit) -> Q:
    return Q(unit__path__startswith=force.path)


@pytest.mark.django_db
def test_writes_the_small_national_dataset(national):
    kinds = Counter(Unit.objects.values_list("kind", flat=True))
    assert kinds == {
        UnitKind.NATIONAL: 1 + agency_count(SMALL_SIZE.regions),
        UnitKind.REGION: SMALL_SIZE.regions,
        UnitKind.FORCE: SMALL_SIZE.forces,
        UnitKind.BCU: SMALL_SIZE.bcus,
    }
    assert User.objects.filter(kind=UserKind.POLICE).count() == SMALL_SIZE.people
    assert User.objects.filter(kind=UserKind.PARTNER).count() > PartnerAgency.objects.count()
    assert Product.objects.count() == SMALL_SIZE.products
    assert Release.objects.count() == SMALL_SIZE.releases
    # Meetings fill whole cadence slots and actions whole sittings: both close to the size asked.
    assert abs(Meeting.objects.count() - SMALL_SIZE.meetings) < SMALL_SIZE.meetings * 0.1
    assert abs(TacticalAction.objects.count() - SMALL_SIZE.actions) < SMALL_SIZE.actions * 0.02
    assert Section.objects.count() > 7 * SMALL_SIZE.products
    assert "products" in national and BENCH_FORCE_ANALYST in national


@pytest.mark.django_db
def test_the_hierarchy_and_people_hold_every_role_and_vetting(national):
    assert all(not problems for problems in Unit.objects.find_problems())
    national_unit = Unit.objects.get(kind=UnitKind.NATIONAL, is_agency=False)
    agencies = Unit.objects.filter(is_agency=True)
    assert Unit.objects.get_descendant_count(national_unit) == (
        Unit.objects.count() - 1 - agencies.count()
    )
    held = set(Membership.objects.values_list("unit__kind", "role"))
    assert held == {(kind, role) for kind in UnitKind.values for role in Role.values}
    assert set(User.objects.values_list("vetting_level", flat=True)) == set(VettingLevel.values)
    lapsed = User.objects.filter(vetting_expires_on__lt=timezone.localdate())
    assert lapsed.exclude(username=BENCH_LAPSED).exists()


@pytest.mark.django_db
def test_products_keep_the_rules_of_the_services(national):
    assert not Section.objects.exclude(product__in=Product.objects.all()).exists()
    assert not Section.objects.filter(marking__gt=F("product__marking")).exists()
    spread = Counter(Product.objects.values_list("marking", flat=True))
    assert set(spread) == set(GSCMarking.values)
    official = spread[GSCMarking.OFFICIAL] + spread[GSCMarking.OFFICIAL_SENSITIVE]
    assert official > 0.7 * SMALL_SIZE.products
    assert not Product.objects.filter(kind=ProductKind.SUBJECT_PROFILE, need_to_know=False).exists()
    # Versions are numbered 1..n, n the product's current version; each snapshot is its digest.
    numbered = Product.objects.annotate(n=Count("versions"), top=Max("versions__number"))
    assert not numbered.exclude(n=F("current_version")).exists()
    assert not numbered.filter(n__gt=0).exclude(top=F("current_version")).exists()
    assert numbered.filter(n__gte=2).exists()
    for version in ProductVersion.objects.order_by("?")[:50]:
        assert version.sha256 == snapshot_digest(version.content)
        assert version.content["version"] == version.number
        ids = {s["id"] for s in version.content["sections"]}
        assert ids == set(
            Section.objects.filter(product=version.product_id).values_list("pk", flat=True)
        )
    # Need-to-know grants go to people in scope; shares to units not already in scope.
    grant = ProductUserObjectPermission.objects.select_related("content_object__unit").first()
    product = grant.content_object
    assert product.need_to_know
    assert Membership.objects.filter(
        user=grant.user_id, unit__path__in=[product.unit.path[:end] for end in range(4, 17, 4)]
    ).exists()
    for share in ProductUnitShare.objects.select_related("product__unit", "unit"):
        assert not share.unit.path.startswith(share.product.unit.path)
    assert AuditEvent.objects.count() > SMALL_SIZE.products


@pytest.mark.django_db
def test_releases_go_to_partners_as_the_services_leave_them(national):
    assert not Release.objects.filter(marking__gt=GSCMarking.OFFICIAL_SENSITIVE).exists()
    statuses = set(Release.objects.values_list("status", flat=True))
    assert statuses >= {
        ReleaseStatus.DRAFT,
        ReleaseStatus.APPROVED,
        ReleaseStatus.AVAILABLE,
        ReleaseStatus.WITHDRAWN,
        ReleaseStatus.EXPIRED,
    }
    approved = Release.objects.filter(partner_content__isnull=False).select_related("version")
    for release in approved.order_by("?")[:20]:
        sanitised = build_partner_text(
            release.version.content, chosen_section_ids=set(release.section_ids)
        )
        assert release.partner_content == frozen_partner_content(sanitised.partner)
        assert "[restricted]" not in str(release.partner_content)
    ready = ReleaseDocument.objects.filter(status=DocumentStatus.READY)
    assert ready.exists()
    assert all(default_storage.exists(document.file.name) for document in ready)
    assert (
        not ReleaseDocument.objects.filter(release__status=ReleaseStatus.AVAILABLE)
        .exclude(status=DocumentStatus.READY)
        .exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Product, ProductVersion, Release])
def test_audit_events_keep_the_classification_the_models_give(national, model):
    """Seeded events carry what RecordClassification.of gives each record, as audited ones do."""
    records = {str(record.pk): record for record in model.objects.order_by("?")[:30]}
    events = AuditEvent.objects.filter(
        content_type__model=model._meta.model_name, object_id__in=records
    )
    assert events.count() >= len(records)
    for event in events:
        expected = RecordClassification.of(records[event.object_id]).event_fields()
        assert {name: getattr(event, name) for name in expected} == expected


@pytest.mark.django_db
def test_tasking_ties_actions_to_priorities_and_freezes_minutes(national):
    assert not TacticalAction.objects.exclude(priority__control_strategy__unit=F("unit")).exists()
    assert set(TacticalAction.objects.values_list("status", flat=True)) == set(ActionStatus.values)
    assert not TacticalAction.objects.filter(status=ActionStatus.CLOSED, outcome="").exists()
    assert ControlStrategy.objects.filter(status="approved").count() == Unit.objects.count()
    kinds = set(Meeting.objects.values_list("unit__kind", "kind"))
    assert kinds == {(kind, meeting) for kind in UnitKind.values for meeting in MeetingKind.values}
    closed = Meeting.objects.filter(status=MeetingStatus.CLOSED)
    assert closed.count() == MinutesVersion.objects.count() > 0
    # As meeting_close leaves them: each minutes' PDF a job waiting for a worker.
    print_jobs = Job.objects.filter(kind=MINUTES_PDF_JOB, state=JobState.WAITING)
    assert set(print_jobs.values_list("object_id", flat=True)) == set(
        MinutesVersion.objects.values_list("pk", flat=True)
    )
    for minutes in MinutesVersion.objects.order_by("?")[:20]:
        assert minutes.sha256 == _snapshot_digest(minutes.content)
        assert minutes.marking == minutes.content["marking"] == minutes.meeting.minutes_marking
    upcoming = Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now())
    assert upcoming.exists()
    # Their invitations went out: none waits for the meeting's current SEQUENCE.
    assert not MeetingInvitee.objects.filter(
        Q(invitation_sequence__isnull=True) | Q(invitation_sequence__lt=F("meeting__sequence")),
        meeting__in=upcoming,
    ).exists()


@pytest.mark.django_db
def test_the_agencies_stand_at_level_3_with_their_own_vetted_people(national):
    agencies = Unit.objects.filter(is_agency=True)

    assert {"NCA", "BTP", "HMRC", "BF"} <= set(agencies.values_list("code", flat=True))
    assert agencies.filter(code__startswith="ROCU-").count() == SMALL_SIZE.regions
    for agency in agencies:
        assert (agency.kind, agency.depth) == (UnitKind.NATIONAL, 1)
        assert not Unit.objects.get_children(agency).exists()
        people = Membership.objects.filter(unit=agency).select_related("user")
        assert {Role.ANALYST, Role.REVIEWER, Role.CHAIR} <= {m.role for m in people}
        # Vetted as the national unit's people are: the first analyst and reviewers to DV.
        assert any(m.user.vetting_level == VettingLevel.DV for m in people)
    # Their T&CGs sit on the national cadence; the command counts them.
    assert Meeting.objects.filter(unit__in=agencies).exists()
    assert "of them agencies" in national


@pytest.mark.django_db
def test_the_bench_users_hold_the_roles_the_benchmark_relies_on(national):
    today = timezone.localdate()
    force = _bench_force()
    bcu = Membership.objects.get(user__username=BENCH_MEMBER).unit
    national_unit = Unit.objects.get(kind=UnitKind.NATIONAL, is_agency=False)
    assert bcu.kind == UnitKind.BCU and bcu.path.startswith(force.path)
    per_force = {
        f.pk: Product.objects.filter(_in_force(f)).count()
        for f in Unit.objects.filter(kind=UnitKind.FORCE)
    }
    assert per_force[force.pk] == max(per_force.values())

    expected = {
        BENCH_FORCE_ANALYST: ({(Role.ANALYST, force.code)}, VettingLevel.SC),
        BENCH_NATIONAL_ANALYST: ({(Role.ANALYST, national_unit.code)}, VettingLevel.DV),
        BENCH_MEMBER: ({(Role.MEMBER, bcu.code)}, VettingLevel.RV),
        BENCH_CHAIR: ({(Role.CHAIR, bcu.code)}, VettingLevel.MV),
        BENCH_ADMIN: ({(Role.ADMIN, force.code)}, VettingLevel.MV),
        BENCH_SUPERUSER: ({(Role.ANALYST, national_unit.code)}, VettingLevel.DV),
        BENCH_LAPSED: ({(Role.ANALYST, force.code)}, VettingLevel.SC),
    }
    for username, (roles, vetting) in expected.items():
        user = _user(username)
        assert _roles(username) == roles, username
        assert user.vetting_level == vetting, username
        assert user.vetting_current == (username != BENCH_LAPSED), username
    assert _user(BENCH_LAPSED).vetting_expires_on == today - datetime.timedelta(days=1)
    superuser = _user(BENCH_SUPERUSER)
    assert superuser.is_staff and superuser.is_superuser

    owned = TacticalAction.objects.filter(owner_user__username=BENCH_MEMBER)
    assert owned.count() >= 30
    assert owned.filter(status=ActionStatus.OPEN).exists()

    sitting = Meeting.objects.get(status=MeetingStatus.IN_SESSION, chair__username=BENCH_CHAIR)
    assert (sitting.unit, sitting.kind) == (bcu, MeetingKind.TACTICAL)
    assert timezone.localtime(sitting.starts_at).date() == today
    assert sitting.current_agenda_item.meeting == sitting
    assert sitting.agenda_items.count() >= 5 and sitting.tactical_assessment_id

    partner = _user(BENCH_PARTNER)
    assert partner.is_partner and partner.vetting_current
    available = releases_for_partner(partner).filter(status=ReleaseStatus.AVAILABLE)
    assert available.count() >= 3


@pytest.mark.django_db
def test_a_second_run_refuses_and_changes_nothing(national):
    before = [model.objects.count() for model in COUNTED]
    with pytest.raises(CommandError, match="already holds data"):
        call_command("seed_national", "--small", stdout=io.StringIO(), stderr=io.StringIO())
    assert [model.objects.count() for model in COUNTED] == before


def _signed_in(username: str) -> Client:
    client = Client()
    answer = client.post(reverse("login"), {"username": username, "password": DEFAULT_PASSWORD})
    assert answer.status_code == 302, f"{username} could not sign in"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("username", [u for u in BENCH_USERS if u != BENCH_PARTNER])
def test_every_bench_user_reads_the_key_pages(national, username, settings):
    settings.PASSWORD_HASHERS = TEST_HASHERS
    user = _user(username)
    client = _signed_in(username)
    pages = [
        reverse("dashboard"),
        reverse("products:register"),
        reverse("tasking:my_actions"),
    ]
    product = Product.objects.visible_to(user).order_by("-current_version").first()
    meeting = Meeting.objects.visible_to(user).order_by("-status").first()
    if username == BENCH_LAPSED:
        assert product is None and meeting is None  # lapsed vetting reads nothing marked
    else:
        pages += [
            reverse("products:detail", args=[product.pk]),
            reverse("tasking:meeting_detail", args=[meeting.pk]),
        ]
    if username == BENCH_CHAIR:
        sitting = Meeting.objects.get(status=MeetingStatus.IN_SESSION, chair=user)
        pages += [
            reverse("tasking:meeting_detail", args=[sitting.pk]),
            reverse("tasking:meeting_screen_private", args=[sitting.pk]),
        ]
    for url in pages:
        assert client.get(url).status_code == 200, (username, url)


@pytest.mark.django_db
def test_the_bench_partner_reads_the_partner_area(national, settings):
    settings.PASSWORD_HASHERS = TEST_HASHERS
    client = _signed_in(BENCH_PARTNER)
    for url in (reverse("dashboard"), reverse("partners:area_releases")):
        assert client.get(url).status_code == 200, url
