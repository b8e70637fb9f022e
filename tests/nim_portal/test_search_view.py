"""The site search page and the header's search box: police staff only, results grouped by kind
and capped, every result readable by the reader and marked, the banner at the highest marking
listed, whatever is typed answered with a page, and a constant number of queries."""

import re

import pytest
from django.urls import reverse

from nim_portal.choices import GSCMarking, Role, VettingLevel
from nim_portal.search import MAX_SEARCH_LENGTH, RESULTS_PER_KIND
from products.models import Product
from tests.factories import PartnerUserFactory, member, product_drafting
from tests.products.helpers import write
from tests.tasking.factories import StrategyCast, action_raised, strategy_approved

pytestmark = pytest.mark.django_db

CANARY = "Canary-51d0 courier stores the cash at the boathouse"
SEARCH_BOX = re.compile(r'<form[^>]*role="search"[^>]*action="/search/"')


@pytest.fixture
def cast(hierarchy):
    return StrategyCast(hierarchy)


@pytest.fixture
def rv_member(cast):
    return member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV)


def search(client, user, text=None, **params):
    if user is not None:
        client.force_login(user)
    if text is not None:
        params["q"] = text
    return client.get(reverse("search"), params)


def banner(html: str) -> str:
    return re.search(r'<div class="nim-marking[^"]*"[^>]*>([^<]+)</div>', html).group(1)


def group_titles(response, key) -> list[str]:
    groups = {group.key: group for group in response.context["groups"]}
    return [hit.title for hit in groups[key].hits]


# Who gets the box and the page.


def test_police_staff_get_a_labelled_search_box_in_the_header(client, cast):
    client.force_login(cast.member)
    html = client.get(reverse("dashboard")).content.decode()

    form = re.search(r'<form[^>]*role="search"[\s\S]*?</form>', html).group(0)
    assert 'action="/search/"' in form and 'method="get"' in form
    field_id = re.search(r'<input[^>]*id="([^"]+)"[^>]*name="q"', form).group(1)
    assert re.search(rf'<label[^>]*for="{field_id}"[^>]*>Search the portal</label>', form)
    assert re.search(r'<button type="submit"[^>]*>Search</button>', form)


def test_partners_and_signed_out_visitors_get_no_box_and_no_page(client):
    partner = PartnerUserFactory()
    client.force_login(partner)
    assert not SEARCH_BOX.search(client.get(reverse("dashboard")).content.decode())
    assert search(client, None, "burglary").status_code == 404

    client.logout()
    assert not SEARCH_BOX.search(client.get(reverse("login")).content.decode())
    response = search(client, None, "burglary")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Results.


def test_results_are_grouped_by_kind_each_marked_and_the_banner_is_the_highest(client, cast):
    strategy = strategy_approved(
        cast.unit, chair=cast.chair, version=cast.assessment(), title="Harbour control strategy"
    )
    priority = strategy.priorities.order_by("rank").first()
    action_raised(
        cast.unit,
        chair=cast.chair,
        priority=priority,
        description="Patrols at the harbour wall.",
        marking=GSCMarking.SECRET,
    )
    product = product_drafting(
        cast.unit, owner=cast.analyst, title="Harbour thefts", marking=GSCMarking.OFFICIAL
    )

    response = search(client, cast.member, "harbour")

    assert response.status_code == 200
    assert [group.label for group in response.context["groups"]] == [
        "Products",
        "Meetings",
        "Actions",
        "Control strategies",
    ]
    assert group_titles(response, "products") == [product.title]
    assert group_titles(response, "control_strategies") == [strategy.title]
    assert len(group_titles(response, "actions")) == 1
    assert group_titles(response, "meetings") == []
    html = response.content.decode()
    assert re.search(r'govuk-tag--red">SECRET</strong>', html)
    assert re.search(r'govuk-tag--grey">OFFICIAL</strong>', html)
    assert banner(html) == "SECRET"
    assert "No meetings you may read match your search." in html


def test_each_group_is_capped_and_products_link_to_the_register_for_more(client, cast):
    for n in range(RESULTS_PER_KIND + 2):
        product_drafting(cast.unit, owner=cast.analyst, title=f"Shoplifting {n}")

    response = search(client, cast.member, "shoplifting")

    assert len(group_titles(response, "products")) == RESULTS_PER_KIND
    more = f'href="{reverse("products:register")}?q=shoplifting"'
    assert more in response.content.decode()


def test_a_section_above_the_readers_vetting_is_neither_found_nor_quoted(client, cast, rv_member):
    cleared = member(cast.unit, Role.ANALYST, vetting_level=VettingLevel.SC)
    product = product_drafting(
        cast.unit, owner=cleared, title="Cash couriers", marking=GSCMarking.OFFICIAL_SENSITIVE
    )
    write(product, cleared, CANARY, position=2, marking=GSCMarking.SECRET)

    html = search(client, rv_member, "boathouse").content.decode()
    assert "Canary-51d0" not in html and product.title not in html

    response = search(client, cleared, "boathouse")
    assert group_titles(response, "products") == [product.title]
    html = response.content.decode()
    assert "<mark>boathouse</mark>" in html
    assert banner(html) == "SECRET"

    # Were the product marked below its section, the section alone keeps the canary back,
    # and the page quoting it is still marked as the section.
    Product.objects.filter(pk=product.pk).update(
        marking=GSCMarking.OFFICIAL, envelope_marking=GSCMarking.OFFICIAL
    )
    response = search(client, rv_member, "cash couriers boathouse")
    assert "Canary-51d0" not in response.content.decode()
    response = search(client, cleared, "boathouse")
    assert banner(response.content.decode()) == "SECRET"


def test_a_need_to_know_product_is_found_only_with_the_grant(client, cast):
    profile = product_drafting(
        cast.unit,
        owner=cast.analyst,
        kind="subject",
        title="Subject profile: courier nominal",
        marking=GSCMarking.SECRET,
    )
    write(profile, cast.analyst, CANARY)

    html = search(client, cast.member, "boathouse").content.decode()
    assert profile.title not in html and "Canary-51d0" not in html
    assert group_titles(search(client, cast.analyst, "boathouse"), "products") == [profile.title]


# Whatever is typed.


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("burglary\x00", "cannot be searched for"),
        ("\x00", "cannot be searched for"),
        ("burglary " * 250, f"at most {MAX_SEARCH_LENGTH} characters"),
        ("   ", "Enter the words to search for."),
    ],
)
def test_text_that_cannot_be_searched_gets_a_clear_message(client, cast, text, message):
    response = search(client, cast.member, text)

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert response.context["groups"] == []


def test_the_page_without_words_asks_for_them_without_an_error(client, cast):
    response = search(client, cast.member)

    assert response.status_code == 200
    assert "There is a problem" not in response.content.decode()


# Queries.


@pytest.mark.parametrize("copies", [1, RESULTS_PER_KIND + 3])
def test_the_page_costs_the_same_queries_at_any_size(
    client, cast, django_assert_max_num_queries, copies
):
    strategy = strategy_approved(
        cast.unit, chair=cast.chair, version=cast.assessment(), title="Canal strategy"
    )
    priority = strategy.priorities.order_by("rank").first()
    for n in range(copies):
        product = product_drafting(cast.unit, owner=cast.analyst, title=f"Canal thefts {n}")
        write(product, cast.analyst, f"Boats broken into along the canal, report {n}.")
        action_raised(cast.unit, chair=cast.chair, priority=priority, description=f"Canal {n}")
    client.force_login(cast.member)
    search(client, None, "canal")  # warms the content-type cache, which the count leaves out

    # Session, user, the navigation's admin check, and for each kind of result its rows and
    # their units; for products the ranked ids of their newest matches (after, on PostgreSQL,
    # how common it expects the words to be), then the rows shown with their units.
    with django_assert_max_num_queries(11):
        response = search(client, None, "canal")

    assert len(group_titles(response, "products")) == min(copies, RESULTS_PER_KIND)
