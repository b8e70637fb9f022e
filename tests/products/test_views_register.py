"""The product register: only visible products, filters, search (SQLite and PostgreSQL paths),
sorting, the page's marking, constant queries; and commissioning from both sides."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role
from nim_portal.search import RankedPaginator
from products.choices import ProductStatus
from products.models import Product
from products.selectors import search_products
from products.services import product_close, product_submit
from products.views import register as register_views
from tests.factories import PartnerUserFactory, member, product_commissioned, product_drafting
from tests.paging import two_pages
from tests.products.helpers import publish, write

pytestmark = pytest.mark.django_db

CANARY = "Canary-7f3a nominal lives at the boathouse"


def register(client, user, **params):
    client.force_login(user)
    return client.get(reverse("products:register"), params)


def titles(response) -> list[str]:
    return [product.title for product in response.context["page_obj"].object_list]


def test_the_register_lists_only_visible_products(client, people, drafting, far_force, hierarchy):
    other = product_drafting(
        hierarchy.other_force, owner=people.outsider, title="Staffordshire drugs market"
    )

    response = register(client, people.member)

    assert response.status_code == 200
    assert titles(response) == [drafting.title]
    assert other.title not in response.content.decode()


def test_partner_users_get_404(client):
    assert register(client, PartnerUserFactory()).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(reverse("products:register")).status_code == 302


def test_each_row_shows_its_marking_and_the_page_is_marked_with_the_highest(client, people):
    product_drafting(people.unit, owner=people.analyst, title="Low", marking=GSCMarking.OFFICIAL)
    product_drafting(people.unit, owner=people.analyst, title="High", marking=GSCMarking.SECRET)

    response = register(client, people.member)

    html = response.content.decode()
    assert response.context["page_marking"] == GSCMarking.SECRET
    assert html.count('class="govuk-tag govuk-tag--red">SECRET</strong>') == 1
    assert 'govuk-tag--grey">OFFICIAL</strong>' in html


def test_an_empty_register_is_marked_official(client, people):
    response = register(client, people.member)

    assert response.context["page_marking"] == GSCMarking.OFFICIAL
    assert "No products match" in response.content.decode()


# Filters.


@pytest.fixture
def several(people, hierarchy):
    today = timezone.localdate()
    return {
        "strategic": product_drafting(
            people.unit, owner=people.analyst, title="Strategic", due_date=today + timedelta(5)
        ),
        "problem": product_commissioned(
            hierarchy.bcu,
            owner=member(hierarchy.bcu, Role.ANALYST, username="bcuanalyst"),
            kind="problem",
            title="Problem in Birmingham",
            marking=GSCMarking.OFFICIAL,
            due_date=today - timedelta(3),
        ),
        "late": product_drafting(
            people.unit,
            owner=people.second_analyst,
            title="Late tactical",
            kind="tactical",
            due_date=today - timedelta(1),
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "problem"}, {"Problem in Birmingham"}),
        ({"status": "commissioned"}, {"Problem in Birmingham"}),
        ({"marking": str(GSCMarking.OFFICIAL)}, {"Problem in Birmingham"}),
        ({"overdue": "on"}, {"Problem in Birmingham", "Late tactical"}),
        ({"due_to": "2000-01-01"}, set()),
    ],
)
def test_filters(client, people, several, params, expected):
    assert set(titles(register(client, people.member, **params))) == expected


def test_the_unit_filter_includes_the_units_below(client, people, several, hierarchy):
    everything = set(titles(register(client, people.member, unit=people.unit.pk)))
    below = set(titles(register(client, people.member, unit=hierarchy.bcu.pk)))

    assert everything == {"Strategic", "Problem in Birmingham", "Late tactical"}
    assert below == {"Problem in Birmingham"}


def test_the_owner_filter_takes_a_username_whatever_its_case(client, people, several):
    username = people.second_analyst.username.upper()

    assert titles(register(client, people.member, owner=username)) == ["Late tactical"]
    assert titles(register(client, people.member, owner="nobody-of-that-name")) == []


def test_due_from_and_to(client, people, several):
    today = timezone.localdate()
    response = register(
        client,
        people.member,
        due_from=(today - timedelta(2)).isoformat(),
        due_to=(today + timedelta(10)).isoformat(),
    )

    assert set(titles(response)) == {"Strategic", "Late tactical"}


def test_an_approved_product_past_its_date_is_not_overdue(client, people, several):
    late = several["late"]
    write(late, people.second_analyst, "Done.")
    publish(late, owner=people.second_analyst, reviewer=people.reviewer)

    assert "Late tactical" not in titles(register(client, people.member, overdue="on"))


def test_a_bad_filter_value_is_an_error_not_a_500(client, people, several):
    response = register(client, people.member, due_from="31/31/2026")

    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_sort_by_due_date(client, people, several):
    assert titles(register(client, people.member, sort="due")) == [
        "Problem in Birmingham",
        "Late tactical",
        "Strategic",
    ]
    assert titles(register(client, people.member, sort="-due"))[0] == "Strategic"


def test_the_default_order_is_named(client, people):
    sort = register(client, people.member).context["form"].fields["sort"]

    assert sort.choices[0] == ("", "Best match when searching, then newest")


def test_overdue_rows_are_highlighted(client, people, several):
    html = register(client, people.member, kind="problem").content.decode()

    assert 'govuk-tag--red">Overdue</strong>' in html


def test_pages_of_25(client, people):
    for n in range(27):
        Product.objects.create(
            unit=people.unit,
            kind="strategic",
            title=f"Bulk {n:02}",
            envelope_marking=GSCMarking.OFFICIAL_SENSITIVE,
            owner=people.analyst,
            requester=people.analyst,
        )

    first = register(client, people.member)
    second = client.get(first.context["page_obj"].next_url)

    assert len(titles(first)) == 25
    assert len(titles(second)) == 2
    assert "Page 1 of 2" in first.content.decode()


# Search.


def test_search_finds_titles_and_section_text(client, people, drafting):
    other = product_drafting(people.unit, owner=people.analyst, title="Vehicle crime")
    write(other, people.analyst, "Catalytic converters taken from hybrid cars overnight.")

    assert titles(register(client, people.member, q="burglary")) == [drafting.title]
    assert titles(register(client, people.member, q="converters")) == [other.title]
    assert titles(register(client, people.member, q="nothing like this")) == []


def test_search_is_combined_with_the_filters(client, people, drafting):
    write(drafting, people.analyst, "Converters.")

    assert titles(register(client, people.member, q="converters", status="drafting")) == [
        drafting.title
    ]
    assert titles(register(client, people.member, q="converters", status="approved")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgresql_search_stems_and_ranks_the_title_first(people):
    in_title = product_drafting(people.unit, owner=people.analyst, title="Burglaries of sheds")
    in_text = product_drafting(people.unit, owner=people.analyst, title="Rural crime")
    write(in_text, people.analyst, "A series of shed burglary reports in the villages.")

    found = list(search_products(people.member, "burglary"))

    # "burglary" finds "Burglaries" (stemmed) and the section's text; the title ranks first.
    assert found[0] == in_title
    assert in_text in found


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite path")
def test_sqlite_search_is_a_case_insensitive_containment(people, drafting):
    assert list(search_products(people.member, "BURGL")) == [drafting]


def test_search_never_finds_a_need_to_know_product_without_the_grant(
    client, people, subject_profile
):
    write(subject_profile, people.analyst, CANARY)

    # The page repeats the search: look for the rest of the canary, never searched for.
    for params, unsaid in (({}, "Canary-7f3a"), ({"q": "Canary-7f3a"}, "boathouse")):
        html = register(client, people.member, **params).content.decode()
        assert unsaid not in html
        assert subject_profile.title not in html
    assert titles(register(client, people.member, q="boathouse")) == []
    assert titles(register(client, people.analyst, q="boathouse")) == [subject_profile.title]


# Queries.


def _products(people, count):
    for n in range(count):
        product = product_drafting(
            people.unit, owner=people.analyst, title=f"Assessment {n}", due_date=None
        )
        write(product, people.analyst, f"Text of assessment {n}.")
        if n % 3 == 0:
            publish(product, owner=people.analyst, reviewer=people.reviewer)


# Session and user (2), the count and the page (2), the unit choices (1), "may commission" (1),
# the navigation's admin check (1), the session's save (3). A ranked search on PostgreSQL: its
# estimate, its ranking and the page (3) instead of the count and the page.
@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    ("params", "most"),
    [
        ({}, 10),
        ({"q": "assessment"}, 11 if connection.vendor == "postgresql" else 10),
        ({"q": "assessment", "overdue": "on", "sort": "due"}, 10),
    ],
)
def test_the_register_runs_a_constant_number_of_queries(
    client, people, django_assert_max_num_queries, count, params, most
):
    _products(people, count)
    client.force_login(people.member)
    with django_assert_max_num_queries(most):
        response = client.get(reverse("products:register"), params)
    assert response.status_code == 200


def test_two_pages_cost_the_same_queries_at_two_sizes(client, people, monkeypatch):
    monkeypatch.setattr(register_views, "PRODUCTS_PER_PAGE", 2)
    client.force_login(people.member)
    url, params = reverse("products:register"), {"kind": "strategic", "sort": "-updated"}
    _products(people, 5)
    small = two_pages(client, url, params)
    _products(people, 5)
    assert two_pages(client, url, params) == small


def test_the_pages_of_a_ranked_search_follow_its_ranking(client, people, monkeypatch):
    # Each page reads only its own rows of the ranking, in the ranking's order.
    monkeypatch.setattr(register_views, "PRODUCTS_PER_PAGE", 2)
    _products(people, 5)
    client.force_login(people.member)
    url, params = reverse("products:register"), {"q": "assessment"}
    ranking = [product.title for product in search_products(people.member, "assessment")]

    first = client.get(url, params).context["page_obj"]
    second = client.get(first.next_url).context["page_obj"]
    last = client.get(second.next_url).context["page_obj"]

    assert [product.title for product in [*first, *second, *last]] == ranking
    assert first.paginator.count == 5 and not last.has_next()
    small = two_pages(client, url, params)
    _products(people, 5)
    assert two_pages(client, url, params) == small


# Commissioning.


def commission_data(people, **overrides):
    return {
        "kind": "problem",
        "unit": people.unit.pk,
        "title": "Cash-machine fraud in the city centre",
        "marking": GSCMarking.OFFICIAL_SENSITIVE,
        "descriptor": "",
        "requester": people.requester.pk,
        "owner": people.analyst.pk,
        "due_date": (timezone.localdate() + timedelta(days=90)).isoformat(),
        **overrides,
    }


def test_an_analyst_commissions_a_product(client, people):
    client.force_login(people.analyst)
    response = client.post(reverse("products:commission"), commission_data(people))

    product = Product.objects.get(title="Cash-machine fraud in the city centre")
    assert response.status_code == 302
    assert response.url == reverse("products:terms", args=[product.pk])
    assert (product.kind, product.owner, product.requester, product.status) == (
        "problem",
        people.analyst,
        people.requester,
        ProductStatus.COMMISSIONED,
    )
    assert product.sections.count() == 6


def test_the_commission_form_offers_only_units_where_the_user_may_commission(client, people):
    client.force_login(people.analyst)
    units = list(client.get(reverse("products:commission")).context["form"].fields["unit"].queryset)

    assert people.unit in units and people.hierarchy.bcu in units
    assert people.hierarchy.other_force not in units


def test_the_developing_analyst_is_chosen_among_analysts_the_service_accepts(client, people):
    """Issue 13, point 9: a dropdown offers nobody the service would refuse."""
    client.force_login(people.analyst)
    form = client.get(reverse("products:commission")).context["form"]
    owners = set(form.fields["owner"].queryset)
    assert {people.analyst, people.second_analyst} <= owners
    assert not owners & {people.requester, people.reviewer, people.member, people.outsider}
    assert people.requester in set(form.fields["requester"].queryset)


def test_a_member_cannot_commission_403(client, people):
    client.force_login(people.member)

    assert client.get(reverse("products:commission")).status_code == 403
    response = client.post(reverse("products:commission"), commission_data(people))
    assert response.status_code == 403
    assert not Product.objects.exists()


def test_an_owner_who_is_not_an_analyst_is_refused_on_the_form(client, people):
    client.force_login(people.analyst)
    response = client.post(
        reverse("products:commission"), commission_data(people, owner=people.member.pk)
    )

    # Not offered, so refused by the form before the service (which refuses it too).
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Product.objects.exists()


def test_a_missing_title_is_an_error_on_the_form(client, people):
    client.force_login(people.analyst)
    response = client.post(reverse("products:commission"), commission_data(people, title=""))

    assert "This field is required." in response.content.decode()
    assert not Product.objects.exists()


def test_the_register_offers_commissioning_only_to_those_who_may(client, people):
    new = reverse("products:commission")
    assert new in register(client, people.analyst).content.decode()
    assert new not in register(client, people.member).content.decode()


def test_closed_products_stay_in_the_register(client, people, drafting):
    product_close(acting_user=people.analyst, product=drafting, reason="other", reason_text="Done")

    assert titles(register(client, people.member, status="closed")) == [drafting.title]


def test_submitted_products_show_their_status(client, people, drafting):
    write(drafting, people.analyst, "Draft.")
    product_submit(acting_user=people.analyst, product=drafting)

    assert "Submitted for review" in register(client, people.member).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_a_search_ranks_only_the_newest_matches(client, people, monkeypatch):
    # A word in most of the country's products is ranked among its newest matches only (one
    # more than the register counts, so that such a search reads "more than 1,000").
    monkeypatch.setattr("products.search.RANKED_MATCHES", 3)
    older_title_match = product_drafting(people.unit, owner=people.analyst, title="Sheds")
    newer = []
    for number in range(3):
        product = product_drafting(people.unit, owner=people.analyst, title=f"Rural {number}")
        write(product, people.analyst, "Shed burglaries in the villages.")
        newer.append(product.title)

    response = register(client, people.member, q="shed")

    assert sorted(titles(response)) == sorted(newer)
    assert older_title_match.title not in titles(response)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_the_filters_narrow_a_search_before_its_newest_matches_are_ranked(
    client, people, monkeypatch
):
    monkeypatch.setattr("products.search.RANKED_MATCHES", 2)
    approved = product_drafting(people.unit, owner=people.analyst, title="Shed burglaries")
    Product.objects.filter(pk=approved.pk).update(status=ProductStatus.APPROVED)
    for number in range(3):
        product_drafting(people.unit, owner=people.analyst, title=f"Shed thefts {number}")

    found = titles(register(client, people.member, q="shed", status="approved"))

    assert found == [approved.title]


def test_a_search_sorted_by_the_reader_keeps_their_order_over_every_match(
    client, people, monkeypatch
):
    monkeypatch.setattr("products.search.RANKED_MATCHES", 1)
    today = timezone.localdate()
    later = product_drafting(
        people.unit, owner=people.analyst, title="Shed thefts", due_date=today + timedelta(9)
    )
    sooner = product_drafting(
        people.unit, owner=people.analyst, title="Shed burglaries", due_date=today + timedelta(3)
    )

    found = titles(register(client, people.member, q="shed", sort="due"))

    assert found == [sooner.title, later.title]


def test_a_search_of_more_matches_than_the_list_counts_says_which_are_ranked(
    client, people, drafting, monkeypatch
):
    # More matches than either paginator counts: the ranked search's, and the lists'.
    monkeypatch.setattr(RankedPaginator, "count", None)
    monkeypatch.setattr(
        "nim_portal.pagination.bounded_count", lambda queryset, bound, *, in_order=False: None
    )
    hint = "The best matches among the newest 1,001 are listed first."

    assert hint in register(client, people.member, q="burglary").content.decode()
    assert hint not in register(client, people.member, q="burglary", sort="due").content.decode()
    assert hint not in register(client, people.member).content.decode()
