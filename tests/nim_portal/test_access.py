"""Object permissions through nim_portal.access, on Unit (guardian's generic tables)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_objects_for_user

from nim_portal.access import holds_object_permission, require_police, user_holds_object_permission
from nim_portal.access.grants import grant, revoke
from nim_portal.choices import AuditVerb, Role, UnitKind
from nim_portal.models import AuditEvent, Membership, Unit
from tests.factories import PartnerUserFactory, UserFactory, add_unit, member

VIEW_UNIT = "nim_portal.view_unit"

pytestmark = pytest.mark.django_db


@pytest.fixture
def granter(hierarchy):
    return member(hierarchy.national, Role.ADMIN)


def visible(user, perm=VIEW_UNIT):
    return set(Unit.objects.filter(holds_object_permission(user, perm, Unit)))


def test_a_user_granted_the_permission_sees_the_row_and_only_that_row(hierarchy, granter):
    analyst = UserFactory()
    assert grant(VIEW_UNIT, analyst, hierarchy.bcu, acting_user=granter) is True

    assert visible(analyst) == {hierarchy.bcu}
    assert user_holds_object_permission(analyst, VIEW_UNIT, hierarchy.bcu)
    assert not user_holds_object_permission(analyst, VIEW_UNIT, hierarchy.other_bcu)


def test_a_user_without_a_grant_sees_nothing(hierarchy, granter):
    grant(VIEW_UNIT, UserFactory(), hierarchy.bcu, acting_user=granter)

    assert visible(UserFactory()) == set()


def test_another_permission_on_the_same_row_does_not_count(hierarchy, granter):
    analyst = UserFactory()
    grant("change_unit", analyst, hierarchy.bcu, acting_user=granter)

    assert visible(analyst, VIEW_UNIT) == set()
    assert visible(analyst, "change_unit") == {hierarchy.bcu}


def test_a_group_grant_reaches_its_members_only(hierarchy, granter):
    neighbours = Group.objects.create(name="Staffordshire intelligence unit")
    in_group, outside = UserFactory(), UserFactory()
    in_group.groups.add(neighbours)
    grant(VIEW_UNIT, neighbours, hierarchy.other_force, acting_user=granter)

    assert visible(in_group) == {hierarchy.other_force}
    assert visible(outside) == set()


def test_model_level_permission_does_not_open_any_row(hierarchy):
    everywhere = UserFactory()
    everywhere.user_permissions.add(Permission.objects.get(codename="view_unit"))
    group = Group.objects.create(name="Readers of every unit")
    group.permissions.add(Permission.objects.get(codename="view_unit"))
    everywhere.groups.add(group)
    everywhere = type(everywhere).objects.get(pk=everywhere.pk)  # fresh permission cache

    assert everywhere.has_perm(VIEW_UNIT)  # Django's model-wide answer ...
    assert visible(everywhere) == set()  # ... opens no row here


def test_superuser_gets_no_shortcut(hierarchy):
    assert visible(UserFactory(is_superuser=True)) == set()


def test_inactive_user_keeps_the_grant_but_sees_nothing(hierarchy, granter):
    analyst = UserFactory()
    grant(VIEW_UNIT, analyst, hierarchy.bcu, acting_user=granter)
    analyst.is_active = False
    analyst.save()

    assert visible(analyst) == set()


def test_revoke_removes_access_and_is_audited(hierarchy, granter):
    analyst = UserFactory()
    grant(VIEW_UNIT, analyst, hierarchy.bcu, acting_user=granter)

    assert revoke(VIEW_UNIT, analyst, hierarchy.bcu, acting_user=granter) is True

    assert visible(analyst) == set()
    event = AuditEvent.objects.filter(verb=AuditVerb.REVOKE).get()
    assert event.actor == granter
    assert event.object_id == str(hierarchy.bcu.pk)
    assert event.detail == {"permission": VIEW_UNIT, "user": analyst.username}


def test_revoking_a_group_grant_removes_it_for_the_members(hierarchy, granter):
    group = Group.objects.create(name="Regional organised crime unit")
    analyst = UserFactory()
    analyst.groups.add(group)
    grant(VIEW_UNIT, group, hierarchy.force, acting_user=granter)

    revoke(VIEW_UNIT, group, hierarchy.force, acting_user=granter)

    assert visible(analyst) == set()
    event = AuditEvent.objects.filter(verb=AuditVerb.REVOKE).get()
    assert event.detail == {"permission": VIEW_UNIT, "group": group.name}


def test_grant_is_audited_once_and_granting_again_changes_nothing(hierarchy, granter):
    analyst = UserFactory()
    grant(VIEW_UNIT, analyst, hierarchy.bcu, acting_user=granter)

    assert grant(VIEW_UNIT, analyst, hierarchy.bcu, acting_user=granter) is False

    event = AuditEvent.objects.filter(verb=AuditVerb.GRANT).get()
    assert (event.actor, event.object_repr) == (granter, str(hierarchy.bcu))
    assert event.detail == {"permission": VIEW_UNIT, "user": analyst.username}


def test_revoking_what_was_not_held_changes_nothing(hierarchy, granter):
    assert revoke(VIEW_UNIT, UserFactory(), hierarchy.bcu, acting_user=granter) is False
    assert not AuditEvent.objects.filter(verb=AuditVerb.REVOKE).exists()


@pytest.mark.parametrize(
    ("perm", "error"),
    [
        ("nim_portal.no_such_permission", ValueError),
        ("auth.view_group", ValueError),
    ],
)
def test_grant_refuses_a_permission_the_model_does_not_have(hierarchy, granter, perm, error):
    with pytest.raises(error):
        grant(perm, UserFactory(), hierarchy.bcu, acting_user=granter)
    assert not AuditEvent.objects.filter(verb=AuditVerb.GRANT).exists()


def test_grant_refuses_model_wide_and_unsaved_targets(hierarchy, granter):
    with pytest.raises(ValueError, match="never model-wide"):
        grant(VIEW_UNIT, UserFactory(), Unit, acting_user=granter)
    with pytest.raises(ValueError, match="never model-wide"):
        grant(VIEW_UNIT, UserFactory(), Unit(kind=UnitKind.BCU, code="X"), acting_user=granter)


def test_filter_is_one_query_for_many_rows(hierarchy, granter, django_assert_num_queries):
    analyst = UserFactory()
    group = Group.objects.create(name="Force intelligence bureau")
    analyst.groups.add(group)
    bcus = [
        add_unit(hierarchy.force, kind=UnitKind.BCU, code=f"B{n}", name=f"BCU {n}")
        for n in range(30)
    ]
    for bcu in bcus[:20]:
        grant(VIEW_UNIT, analyst, bcu, acting_user=granter)
    for bcu in bcus[15:25]:
        grant(VIEW_UNIT, group, bcu, acting_user=granter)

    with django_assert_num_queries(1):
        seen = list(Unit.objects.filter(holds_object_permission(analyst, VIEW_UNIT, Unit)))

    assert set(seen) == set(bcus[:25])
    assert len(seen) == 25  # a row granted both ways appears once


def test_answers_match_guardian_without_global_permissions(hierarchy, granter):
    analyst = UserFactory()
    analyst.user_permissions.add(Permission.objects.get(codename="view_unit"))
    group = Group.objects.create(name="Neighbouring force")
    analyst.groups.add(group)
    grant(VIEW_UNIT, analyst, hierarchy.bcu, acting_user=granter)
    grant(VIEW_UNIT, group, hierarchy.other_bcu, acting_user=granter)
    grant("change_unit", analyst, hierarchy.force, acting_user=granter)

    guardian_answer = get_objects_for_user(
        analyst, VIEW_UNIT, Unit, accept_global_perms=False, with_superuser=False
    )

    assert visible(analyst) == set(guardian_answer) == {hierarchy.bcu, hierarchy.other_bcu}


def test_outer_ref_filters_related_rows_by_their_parents_grant(hierarchy, granter):
    """Memberships stand in for a protected record's children (e.g. a product's versions)."""
    analyst = UserFactory()
    in_bcu, in_other_bcu = member(hierarchy.bcu), member(hierarchy.other_bcu)
    grant(VIEW_UNIT, analyst, hierarchy.bcu, acting_user=granter)

    rows = Membership.objects.filter(
        holds_object_permission(analyst, VIEW_UNIT, Unit, outer_ref="unit_id")
    )

    assert {m.user for m in rows} == {in_bcu}
    assert in_other_bcu not in {m.user for m in rows}


def test_an_active_police_user_may_act_as_police():
    require_police(UserFactory.build(), "raise an action")


@pytest.mark.parametrize(
    "user",
    [
        pytest.param(lambda: None, id="nobody"),
        pytest.param(AnonymousUser, id="anonymous"),
        pytest.param(lambda: UserFactory.build(is_active=False), id="inactive"),
        pytest.param(PartnerUserFactory.build, id="partner"),
    ],
)
def test_anybody_else_is_refused_with_what_they_tried(user):
    with pytest.raises(
        PermissionDenied, match=r"^Only an active police user can raise an action\.$"
    ):
        require_police(user(), "raise an action")
