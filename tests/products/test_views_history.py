"""The staff history page: who may read it, what it shows, and that it never leaks a product."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from nim_portal.choices import GSCMarking, Role
from products.services import section_add, tor_update
from tests.factories import member, product_drafting
from tests.products.helpers import write

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a-nominal-address"


def history_url(product):
    return reverse("products:history", args=[product.pk])


@pytest.fixture
def unit_admin(people):
    return member(people.unit, Role.ADMIN, username="wmp-admin")


@pytest.fixture
def edited(drafting, people):
    write(drafting, people.analyst, "First draft of the aim.", position=1)
    write(drafting, people.second_analyst, "Second draft of the aim.", position=1)
    write(drafting, people.analyst, "Hidden detail.", position=2, marking=GSCMarking.SECRET)
    return drafting


class TestWhoMayRead:
    @pytest.mark.parametrize("who", ["analyst", "reviewer", "regional_reviewer"])
    def test_owner_and_reviewers_over_the_unit_read_it(self, client, people, edited, who):
        client.force_login(getattr(people, who))
        response = client.get(history_url(edited))
        assert response.status_code == 200
        assert response.context["page_marking"] == "SECRET"

    def test_an_admin_over_the_unit_reads_it(self, client, edited, unit_admin):
        client.force_login(unit_admin)
        assert client.get(history_url(edited)).status_code == 200

    @pytest.mark.parametrize("who", ["member", "second_analyst", "requester"])
    def test_others_who_see_the_product_get_403(self, client, people, edited, who):
        client.force_login(getattr(people, who))
        response = client.get(history_url(edited))
        assert response.status_code == 403
        assert "First draft of the aim." not in response.content.decode()

    @pytest.mark.parametrize("who", ["outsider", "neighbour_reviewer", "bcu_reviewer"])
    def test_people_who_cannot_see_the_product_get_404(self, client, people, edited, who):
        client.force_login(getattr(people, who))
        assert client.get(history_url(edited)).status_code == 404


class TestWhatItShows:
    def test_changes_of_product_sections_and_terms_newest_first_with_who(
        self, client, people, edited
    ):
        section_add(acting_user=people.analyst, product=edited, title="Annex")
        tor_update(acting_user=people.analyst, terms=edited.terms, distribution="TT&CG members")
        client.force_login(people.analyst)
        response = client.get(history_url(edited))
        entries = response.context["entries"]
        assert entries[0].record == "Terms of reference"
        assert entries[1].record == "Section “Annex”"
        assert entries[1].kind == "Created"
        assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
        records = {e.record for e in entries}
        assert {"Product", "Terms of reference"} <= records
        body_change = next(
            e
            for e in entries
            if any(c.name == "body" and c.new == "Second draft of the aim." for c in e.changes)
        )
        assert body_change.who == people.second_analyst
        (change,) = [c for c in body_change.changes if c.name == "body"]
        assert change.old == "First draft of the aim."
        terms_change = next(e for e in entries if e.record == "Terms of reference" and e.changes)
        assert any(c.name == "distribution" for c in terms_change.changes)
        marking_raise = next(e for e in entries if e.record == "Product" and e.changes)
        assert any(
            c.old == "OFFICIAL-SENSITIVE" and c.new == "SECRET" for c in marking_raise.changes
        )
        html = response.content.decode()
        assert "Second draft of the aim." in html
        assert escape(str(people.second_analyst)) in html


def test_a_need_to_know_products_history_never_leaks(client, people, unit_admin):
    profile = product_drafting(
        people.unit,
        owner=people.analyst,
        requester=people.requester,
        kind="subject",
        title="Subject profile: nominal 14",
    )
    write(profile, people.analyst, f"Lives at {CANARY}.", position=1)
    for user in (unit_admin, people.member, people.second_analyst, people.outsider):
        client.force_login(user)
        response = client.get(history_url(profile))
        assert response.status_code == 404
        assert CANARY not in response.content.decode()
    client.force_login(people.analyst)
    assert CANARY in client.get(history_url(profile)).content.decode()


def test_queries_do_not_grow_with_changes(client, people, django_assert_max_num_queries):
    small = product_drafting(people.unit, owner=people.analyst, requester=people.requester)
    large = product_drafting(people.unit, owner=people.analyst, requester=people.requester)
    write(small, people.analyst, "Once", position=1)
    for round_number in range(4):
        for position in range(1, 6):
            write(large, people.analyst, f"Round {round_number}", position=position)
            write(large, people.second_analyst, f"Round {round_number}!", position=position)
    client.force_login(people.reviewer)
    client.get(history_url(small))
    with django_assert_max_num_queries(20) as counted:
        assert client.get(history_url(small)).status_code == 200
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert client.get(history_url(large)).status_code == 200
