"""The dashboard: a police user's units, roles and vetting; a partner user's own page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import Role, UnitKind, VettingLevel
from nim_portal.models import Membership, Unit
from tests.factories import PartnerUserFactory, UserFactory, add_unit, member

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr class="govuk-table__row">\s*<th scope="row"[\s\S]*?</tr>')


def dashboard_html(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in ROW.findall(html)]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_a_police_user_sees_each_membership_with_its_level_and_inherited_scope(client, hierarchy):
    user = member(hierarchy.force, Role.ANALYST)
    Membership.objects.create(user=user, unit=hierarchy.national, role=Role.REVIEWER)
    Membership.objects.create(user=user, unit=hierarchy.other_bcu, role=Role.MEMBER)

    html = dashboard_html(client, user)

    assert rows(html) == [
        "National National, UK Senior intelligence officer (reviewer) Level 3 "
        "National and 5 units below",
        "West Midlands Police Force, WMP Analyst Level 2 West Midlands Police and 1 unit below",
        "Stoke Basic Command Unit, STOKE T&amp;CG member Level 1 Stoke only",
    ]


def test_inactive_units_are_not_counted_in_the_scope(client, hierarchy):
    closed = add_unit(hierarchy.force, kind=UnitKind.BCU, code="CLOSED")
    Unit.objects.filter(pk=closed.pk).update(is_active=False)
    user = member(hierarchy.force, Role.ANALYST)

    assert "West Midlands Police and 1 unit below" in dashboard_html(client, user)


def test_a_membership_in_an_inactive_unit_says_it_covers_nothing(client, hierarchy):
    user = member(hierarchy.bcu)
    Unit.objects.filter(pk=hierarchy.bcu.pk).update(is_active=False)

    html = dashboard_html(client, user)

    assert "Inactive" in html
    assert "Nothing while the unit is inactive" in html


def test_a_police_user_sees_their_vetting_its_expiry_and_what_they_may_read(client, hierarchy):
    expires = timezone.localdate() + timedelta(days=400)
    user = member(hierarchy.force, vetting_level=VettingLevel.MV, vetting_expires_on=expires)

    html = dashboard_html(client, user)

    assert "Management Vetting (MV)" in html
    assert f"{expires.day} {expires:%B %Y}" in html
    assert re.search(r"Highest marking you may read</dt>\s*<dd[^>]*>SECRET</dd>", html)
    assert "govuk-warning-text" not in html


def test_lapsed_vetting_is_flagged_and_allows_no_marked_material(client, hierarchy):
    user = member(hierarchy.force, vetting_expires_on=timezone.localdate() - timedelta(days=1))

    html = dashboard_html(client, user)

    assert "Your vetting lapsed on" in html
    assert re.search(r"may read</dt>\s*<dd[^>]*>No marked material</dd>", html)


def test_vetting_about_to_lapse_is_flagged(client, hierarchy):
    user = member(hierarchy.force, vetting_expires_on=timezone.localdate() + timedelta(days=10))

    assert "Ask for it to be renewed." in dashboard_html(client, user)


def test_a_police_user_without_a_role_is_told_whom_to_ask(client):
    html = dashboard_html(client, UserFactory())

    assert "You hold no role in any unit yet." in html
    assert "govuk-table" not in html


def test_a_partner_user_sees_their_vetting_and_releases_but_no_police_data(client, hierarchy):
    partner = PartnerUserFactory(vetting_level=VettingLevel.NPPV2A)

    html = dashboard_html(client, partner)

    assert "Partner agency" in html
    assert "Non-Police Personnel Vetting level 2 (abbreviated)" in html
    assert re.search(r"may read</dt>\s*<dd[^>]*>OFFICIAL-SENSITIVE</dd>", html)
    assert "Releases for your agency" in html
    assert "Your units and roles" not in html
    for unit in (hierarchy.region, hierarchy.force, hierarchy.bcu):
        assert unit.name not in html


def build_user_with_memberships(hierarchy, count: int):
    user = UserFactory()
    bcus = [add_unit(hierarchy.force, kind=UnitKind.BCU, code=f"B{n}") for n in range(count)]
    for bcu in bcus:
        Membership.objects.create(user=user, unit=bcu, role=Role.ANALYST)
    return user


@pytest.mark.parametrize("count", [1, 10])
def test_the_dashboard_costs_the_same_queries_for_1_or_10_memberships(
    client, hierarchy, django_assert_max_num_queries, count
):
    user = build_user_with_memberships(hierarchy, count)
    client.force_login(user)

    client.get(reverse("dashboard"))  # warms the content-type cache, which the count leaves out
    # Session, user, vetting table, memberships, admin check for the navigation, session save,
    # the four lists of "My work" (products.apps registers that panel), "My meetings" and
    # "My actions" (tasking.apps).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("dashboard"))

    assert len(rows(response.content.decode())) == count


# What the apps register: the "Products" navigation item and the "My work" panel.


def test_police_users_get_products_in_the_navigation_and_partners_do_not(client, hierarchy):
    products = f'href="{reverse("products:register")}"'

    assert products in dashboard_html(client, member(hierarchy.force))
    assert products not in dashboard_html(client, PartnerUserFactory())


def test_the_products_item_is_current_on_product_pages(client, hierarchy):
    client.force_login(member(hierarchy.force))
    html = client.get(reverse("products:register")).content.decode()

    assert re.search(
        r'<a class="govuk-service-navigation__link" href="/products/" aria-current="page">', html
    )


@pytest.mark.django_db
def test_registered_items_and_panels_follow_their_audience():
    from nim_portal import portal_sections

    police, partner = UserFactory(), PartnerUserFactory()

    police_keys = [item.key for item in portal_sections.navigation_for(police)]
    partner_keys = [item.key for item in portal_sections.navigation_for(partner)]
    assert "products" in police_keys and "partner_area" not in police_keys
    # Partners' own sections only: releases, and (tasking) their information and meetings.
    assert partner_keys == ["partner_area", "partner_information", "partner_meetings"]
    assert not set(partner_keys) & set(police_keys)
    assert [panel["template_name"] for panel in portal_sections.dashboard_panels_for(partner)] == [
        "partners/area/dashboard_panel.html"
    ]


class Work:
    """An analyst's work around West Midlands Police, one product in each list of "My work"."""

    def __init__(self, hierarchy):
        from products.services import product_submit, tor_update
        from tests.factories import product_commissioned, product_drafting
        from tests.products.helpers import write

        force = hierarchy.force
        self.analyst = member(force, Role.ANALYST, username="me")
        self.colleague = member(force, Role.ANALYST, username="colleague")
        self.reviewer = member(force, Role.REVIEWER, username="boss")
        self.chair = member(force, Role.CHAIR, username="chair")
        late = timezone.localdate() - timedelta(days=2)
        self.draft = product_drafting(
            force, owner=self.analyst, requester=self.chair, title="My draft", due_date=late
        )
        self.to_review = product_drafting(
            force, owner=self.colleague, requester=self.chair, title="For review"
        )
        write(self.to_review, self.colleague, "Ready.")
        product_submit(acting_user=self.colleague, product=self.to_review)
        self.terms = product_commissioned(
            force, owner=self.analyst, requester=self.chair, title="Terms to agree"
        )
        tor_update(
            acting_user=self.chair, terms=self.terms.terms, purpose="Why.", questions="What?"
        )


def my_work(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    (panel,) = [p for p in response.context["panels"] if "my_work" in p["context"]]
    work = panel["context"]["my_work"]
    return {
        name: [product.title for product in getattr(work, name)]
        for name in ("drafts", "reviews", "terms", "overdue")
    }


def test_my_work_lists_drafts_reviews_terms_and_overdue_products(client, hierarchy):
    work = Work(hierarchy)

    assert my_work(client, work.analyst) == {
        "drafts": ["My draft"],
        "reviews": [],
        "terms": ["Terms to agree"],
        "overdue": ["My draft"],
    }
    assert my_work(client, work.reviewer) == {
        "drafts": [],
        "reviews": ["For review"],
        "terms": [],
        "overdue": [],
    }
    # The requester waits on the terms too, and sees the overdue product they asked for.
    assert my_work(client, work.chair)["terms"] == ["Terms to agree"]
    assert my_work(client, work.chair)["overdue"] == ["My draft"]
    html = dashboard_html(client, work.analyst)
    assert "My work" in html
    assert f'href="{reverse("products:detail", args=[work.draft.pk])}"' in html


def test_my_own_submitted_product_is_no_review_for_me(client, hierarchy):
    from nim_portal.models import Membership as Held

    work = Work(hierarchy)
    Held.objects.create(user=work.colleague, unit=hierarchy.force, role=Role.REVIEWER)

    assert my_work(client, work.colleague)["reviews"] == []


def test_agreed_terms_leave_the_list(client, hierarchy):
    from products.services import tor_agree

    work = Work(hierarchy)
    tor_agree(acting_user=work.analyst, terms=work.terms.terms)

    assert my_work(client, work.analyst)["terms"] == []
    assert my_work(client, work.chair)["terms"] == ["Terms to agree"]


def test_a_need_to_know_product_never_reaches_the_dashboard_of_someone_without_the_grant(
    client, hierarchy
):
    from nim_portal.choices import GSCMarking
    from products.services import product_submit
    from tests.factories import product_drafting
    from tests.products.helpers import write

    work = Work(hierarchy)
    profile = product_drafting(
        hierarchy.force,
        owner=work.analyst,
        requester=work.chair,
        kind="subject",
        title="Subject profile Canary-51c2",
        marking=GSCMarking.SECRET,
        due_date=timezone.localdate() - timedelta(days=1),
        lawful_basis="Crime prevention.",
        purpose="Safeguarding.",
        proportionality="Least intrusive.",
    )
    write(profile, work.analyst, "Canary-51c2 body text.")
    product_submit(acting_user=work.analyst, product=profile)
    # A colleague with the reviewer role below the unit, and a member of the unit.
    bcu_reviewer = member(hierarchy.bcu, Role.REVIEWER)
    unit_member = member(hierarchy.force, Role.MEMBER)

    for outsider in (work.colleague, bcu_reviewer, unit_member):
        assert "Canary-51c2" not in dashboard_html(client, outsider)
    assert "Canary-51c2" in dashboard_html(client, work.reviewer)


def banner_markings(html: str) -> list[str]:
    return re.findall(r'aria-label="Protective marking">([^<]+)</div>', html)


def test_the_banner_carries_the_highest_marking_of_the_work_listed(client, hierarchy):
    work = Work(hierarchy)
    idle = member(hierarchy.force, Role.ANALYST)

    assert banner_markings(dashboard_html(client, work.analyst)) == ["OFFICIAL-SENSITIVE"] * 2
    assert banner_markings(dashboard_html(client, idle)) == ["OFFICIAL"] * 2


def test_nothing_waiting_says_so(client, hierarchy):
    html = dashboard_html(client, member(hierarchy.force, Role.ANALYST))

    assert "Nothing is waiting for you." in html


@pytest.mark.parametrize("copies", [1, 6])
def test_my_work_costs_the_same_queries_however_much_work(
    client, hierarchy, django_assert_max_num_queries, copies
):
    from tests.factories import product_drafting

    work = Work(hierarchy)
    for n in range(copies):
        product_drafting(hierarchy.force, owner=work.analyst, title=f"Draft {n}")
    client.force_login(work.analyst)
    client.get(reverse("dashboard"))  # warms the content-type cache, which the count leaves out

    with django_assert_max_num_queries(14):
        response = client.get(reverse("dashboard"))

    assert "Draft 0" in response.content.decode()
