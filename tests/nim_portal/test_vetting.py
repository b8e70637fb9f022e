"""Vetting decides the highest GSC marking a user may read (docs/access.md, rule 2)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nim_portal.access.backends import PortalBackend
from nim_portal.choices import NO_CLEARANCE, AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent, User, VettingClearance
from nim_portal.services import vetting_clearance_set
from tests.factories import PartnerUserFactory, UserFactory, member

pytestmark = pytest.mark.django_db

OFFICIAL = GSCMarking.OFFICIAL
OFFICIAL_SENSITIVE = GSCMarking.OFFICIAL_SENSITIVE
SECRET = GSCMarking.SECRET
TOP_SECRET = GSCMarking.TOP_SECRET

# docs/domain.md "Markings, vetting and grading": the access each vetting level gives.
EXPECTED_DEFAULT = {
    VettingLevel.NONE: NO_CLEARANCE,
    VettingLevel.NPPV1: NO_CLEARANCE,
    VettingLevel.RV: OFFICIAL_SENSITIVE,
    VettingLevel.NPPV2A: OFFICIAL_SENSITIVE,
    VettingLevel.MV: SECRET,
    VettingLevel.NPPV2F: SECRET,
    VettingLevel.SC: SECRET,
    VettingLevel.DV: TOP_SECRET,
}


def fresh(user: User) -> User:
    """The same person read again, without the cached readable marking."""
    return User.objects.get(pk=user.pk)


def test_markings_are_ordered_from_official_to_top_secret():
    assert OFFICIAL < OFFICIAL_SENSITIVE < SECRET < TOP_SECRET
    assert sorted(GSCMarking, reverse=True)[0] == TOP_SECRET
    assert NO_CLEARANCE < OFFICIAL
    assert [m.label for m in sorted(GSCMarking)] == [
        "OFFICIAL",
        "OFFICIAL-SENSITIVE",
        "SECRET",
        "TOP SECRET",
    ]


def test_every_vetting_level_has_a_row_in_the_table():
    assert set(VettingClearance.objects.values_list("vetting_level", flat=True)) == set(
        VettingLevel.values
    )


@pytest.mark.parametrize(("level", "marking"), EXPECTED_DEFAULT.items())
def test_default_table_gives_each_level_its_marking(level, marking):
    user = UserFactory(vetting_level=level)

    assert user.readable_marking == marking


@pytest.mark.parametrize(
    ("level", "highest"),
    [(level, marking) for level, marking in EXPECTED_DEFAULT.items() if marking != NO_CLEARANCE],
)
def test_may_read_up_to_the_boundary_and_not_beyond(level, highest):
    user = UserFactory(vetting_level=level)

    assert user.may_read(highest)
    assert all(user.may_read(m) for m in GSCMarking if m <= highest)
    assert not any(user.may_read(m) for m in GSCMarking if m > highest)


@pytest.mark.parametrize("level", [VettingLevel.NPPV1, VettingLevel.NONE])
def test_levels_without_clearance_read_nothing_marked(level):
    user = UserFactory(vetting_level=level)

    assert not user.may_read(OFFICIAL)
    assert user.readable_marking_label == "No marked material"


def test_partner_with_nppv2a_reads_official_sensitive_but_not_secret():
    partner = PartnerUserFactory(vetting_level=VettingLevel.NPPV2A)

    assert partner.may_read(OFFICIAL_SENSITIVE)
    assert not partner.may_read(SECRET)
    assert partner.readable_marking_label == "OFFICIAL-SENSITIVE"


def test_vetting_current_until_the_end_of_its_expiry_day():
    today = timezone.localdate()
    user = UserFactory(vetting_level=VettingLevel.SC, vetting_expires_on=today)

    assert user.vetting_current
    assert user.may_read(SECRET)


def test_lapsed_vetting_reads_nothing():
    yesterday = timezone.localdate() - timedelta(days=1)
    user = UserFactory(vetting_level=VettingLevel.DV, vetting_expires_on=yesterday)

    assert not user.vetting_current
    assert user.readable_marking == NO_CLEARANCE
    assert not user.may_read(OFFICIAL)


def test_inactive_user_reads_nothing():
    user = UserFactory(vetting_level=VettingLevel.DV, is_active=False)

    assert not user.may_read(OFFICIAL)


def test_superuser_changing_the_table_changes_the_answer():
    system_admin = UserFactory(is_superuser=True)
    analyst = UserFactory(vetting_level=VettingLevel.MV)
    assert not analyst.may_read(TOP_SECRET)

    vetting_clearance_set(
        acting_user=system_admin, vetting_level=VettingLevel.MV, max_marking=TOP_SECRET
    )

    assert fresh(analyst).may_read(TOP_SECRET)
    event = AuditEvent.objects.get(verb=AuditVerb.UPDATE)
    assert event.actor == system_admin
    assert event.object_repr.startswith("Management Vetting (MV)")


def test_lowering_a_level_takes_reading_away():
    system_admin = UserFactory(is_superuser=True)
    reviewer = UserFactory(vetting_level=VettingLevel.SC)

    vetting_clearance_set(
        acting_user=system_admin, vetting_level=VettingLevel.SC, max_marking=OFFICIAL_SENSITIVE
    )

    assert fresh(reviewer).may_read(OFFICIAL_SENSITIVE)
    assert not fresh(reviewer).may_read(SECRET)


@pytest.mark.parametrize("who", ["national admin", "analyst", "partner"])
def test_anyone_but_a_superuser_is_refused_and_nothing_changes(hierarchy, who):
    acting_user = {
        "national admin": lambda: member(hierarchy.national, Role.ADMIN),
        "analyst": lambda: member(hierarchy.force, Role.ANALYST),
        "partner": PartnerUserFactory,
    }[who]()

    with pytest.raises(PermissionDenied):
        vetting_clearance_set(
            acting_user=acting_user, vetting_level=VettingLevel.RV, max_marking=TOP_SECRET
        )

    assert VettingClearance.objects.get(vetting_level=VettingLevel.RV).max_marking == (
        OFFICIAL_SENSITIVE
    )
    assert not AuditEvent.objects.filter(verb=AuditVerb.UPDATE).exists()


# Each request's signed-in user arrives with the ceiling of their vetting (one query for both).


def test_the_signed_in_user_is_read_with_their_ceiling(django_assert_num_queries):
    analyst = UserFactory(vetting_level=VettingLevel.MV)

    with django_assert_num_queries(1):
        signed_in = PortalBackend().get_user(analyst.pk)
        assert signed_in.readable_marking == SECRET


def test_a_signed_in_user_whose_vetting_lapsed_still_reads_nothing():
    yesterday = timezone.localdate() - timedelta(days=1)
    analyst = UserFactory(vetting_level=VettingLevel.DV, vetting_expires_on=yesterday)

    assert PortalBackend().get_user(analyst.pk).readable_marking == NO_CLEARANCE


def test_an_inactive_user_is_not_signed_in():
    analyst = UserFactory(vetting_level=VettingLevel.DV, is_active=False)

    assert PortalBackend().get_user(analyst.pk) is None


def test_a_refreshed_user_reads_by_their_new_vetting():
    analyst = UserFactory(vetting_level=VettingLevel.SC)
    assert analyst.may_read(SECRET)
    User.objects.filter(pk=analyst.pk).update(vetting_level=VettingLevel.RV)

    analyst.refresh_from_db()

    assert analyst.readable_marking == OFFICIAL_SENSITIVE


def test_a_page_reads_the_vetting_table_only_with_its_user(client):
    analyst = UserFactory(vetting_level=VettingLevel.SC)
    client.force_login(analyst)
    client.get("/")

    with CaptureQueriesContext(connection) as page:
        assert client.get("/").status_code == 200

    vetting_reads = [q["sql"] for q in page.captured_queries if "vettingclearance" in q["sql"]]
    assert len(vetting_reads) == 1 and "vetting_table_ceiling_value" in vetting_reads[0]
