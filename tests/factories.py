"""Factories for every app's tests, in one place."""

import factory
from django.contrib.auth import get_user_model

from nim_portal.access.backends import PortalBackend
from nim_portal.choices import Role, UnitKind, UserKind, VettingLevel
from nim_portal.models import Membership, Unit

TEST_PASSWORD = "Correct-Horse-Battery-9"


def add_unit(parent: Unit | None, *, kind: str, code: str, name: str | None = None) -> Unit:
    fields = {"kind": kind, "code": code, "name": name or code}
    if parent is None:
        return Unit.objects.add_root(fields)
    return Unit.objects.add_child(parent, fields)


class HierarchyFactory:
    """A small national > region > force > BCU tree with a neighbouring force and BCU."""

    def __init__(self):
        self.national = add_unit(None, kind=UnitKind.NATIONAL, code="UK", name="National")
        self.region = add_unit(self.national, kind=UnitKind.REGION, code="WM", name="West Midlands")
        self.force = add_unit(
            self.region, kind=UnitKind.FORCE, code="WMP", name="West Midlands Police"
        )
        self.bcu = add_unit(self.force, kind=UnitKind.BCU, code="BIRM", name="Birmingham")
        self.other_force = add_unit(
            self.region, kind=UnitKind.FORCE, code="STAFFS", name="Staffordshire Police"
        )
        self.other_bcu = add_unit(self.other_force, kind=UnitKind.BCU, code="STOKE", name="Stoke")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@police.example")
    kind = UserKind.POLICE
    vetting_level = VettingLevel.MV
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PartnerUserFactory(UserFactory):
    kind = UserKind.PARTNER
    vetting_level = VettingLevel.NPPV2A
    email = factory.LazyAttribute(lambda u: f"{u.username}@council.example")


def signed_in(user):
    """`user` read as each request reads the signed-in user, with their vetting ceiling
    (nim_portal.access.backends): a selector's queries are then counted as on a page."""
    return PortalBackend().get_user(user.pk)


def member(unit: Unit, role: str = Role.MEMBER, **user_fields):
    """A police user holding `role` in `unit`."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


# Products: built through the services, so that every test product obeys the rules.


def product_commissioned(
    unit: Unit,
    *,
    owner,
    requester=None,
    kind: str | None = None,
    title: str = "Burglary in the north of the city",
    marking: int | None = None,
    **details,
):
    """A commissioned product with its draft terms of reference and template sections
    (a strategic assessment marked OFFICIAL-SENSITIVE unless said otherwise)."""
    from nim_portal.choices import GSCMarking
    from products.choices import ProductKind
    from products.services import product_commission

    return product_commission(
        acting_user=owner,
        unit=unit,
        kind=kind or ProductKind.STRATEGIC_ASSESSMENT,
        title=title,
        owner=owner,
        requester=requester or owner,
        marking=marking or GSCMarking.OFFICIAL_SENSITIVE,
        **details,
    )


def product_drafting(unit: Unit, *, owner, requester=None, **fields):
    """A product whose terms both sides agreed: it is being drafted."""
    from products.services import tor_agree, tor_update

    product = product_commissioned(unit, owner=owner, requester=requester, **fields)
    terms = product.terms
    tor_update(
        acting_user=owner,
        terms=terms,
        purpose="Inform the TT&CG.",
        questions="Who is offending, where and when?",
    )
    for party in {terms.requester, terms.developer}:
        tor_agree(acting_user=party, terms=terms)
    product.refresh_from_db()
    return product
