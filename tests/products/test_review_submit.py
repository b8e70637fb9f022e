"""Submitting a draft for review: the page that checks it first lists its empty sections (to fill
or to submit as they are), and the API's answer names the same sections. The service refuses
nothing new: a draft with empty sections still goes for review."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from products.choices import ProductStatus
from products.models import Product, Section
from products.services import empty_sections
from tests.products.helpers import write

pytestmark = pytest.mark.django_db


def check_url(product):
    return reverse("products:submit_check", args=[product.pk])


def submit_url(product):
    return reverse("products:submit", args=[product.pk])


def fill_all(product, user, *, but=()):
    """Write every section's text, except the sections at the positions in `but`."""
    for section in product.sections.order_by("position"):
        if section.position not in but:
            write(product, user, f"Text of {section.title}.", position=section.position)


def status_of(product) -> str:
    return Product.objects.get(pk=product.pk).status


class TestEmptySections:
    def test_blank_and_white_space_only_texts_are_empty_in_order(self, people, drafting):
        fill_all(drafting, people.analyst, but=(2, 4, 5))
        write(drafting, people.analyst, "  \n\t\n ", position=4)
        titles = [s.title for s in drafting.sections.filter(position__in=(2, 4, 5))]
        assert [s.title for s in empty_sections(drafting)] == titles

    def test_none_when_every_section_has_text(self, people, drafting):
        fill_all(drafting, people.analyst)
        assert empty_sections(drafting) == []

    def test_reads_one_query(self, drafting, django_assert_num_queries):
        with django_assert_num_queries(1):
            empty_sections(drafting)


class TestTheCheckPage:
    def test_the_product_page_submit_button_opens_it(self, client, people, drafting):
        client.force_login(people.analyst)
        html = client.get(reverse("products:detail", args=[drafting.pk])).content.decode()
        assert f'<form method="get" action="{check_url(drafting)}">' in html

    def test_lists_the_empty_sections_by_title_and_writes_nothing(
        self, client, people, drafting, django_assert_max_num_queries
    ):
        fill_all(drafting, people.analyst, but=(2, 5))
        client.force_login(people.analyst)
        with django_assert_max_num_queries(10):
            response = client.get(check_url(drafting))
        assert response.status_code == 200
        html = response.content.decode()
        empty = list(drafting.sections.filter(position__in=(2, 5)).order_by("position"))
        assert "2 sections have no text" in html
        for section in empty:
            assert escape(section.title) in html
            edit = reverse("products:section_edit", args=[drafting.pk, section.pk])
            assert f'href="{edit}"' in html
        filled = drafting.sections.get(position=1)
        assert escape(filled.title) not in html
        assert "Submit with 2 empty sections" in html
        assert f'action="{submit_url(drafting)}"' in html
        assert response.context["page_marking"] == drafting.marking_label
        assert status_of(drafting) == ProductStatus.DRAFTING

    def test_a_complete_draft_is_submitted_plainly(self, client, people, drafting):
        fill_all(drafting, people.analyst)
        client.force_login(people.analyst)
        html = client.get(check_url(drafting)).content.decode()
        assert "Every section of this draft has text." in html
        assert "Submit v1 for review" in html
        assert "empty section" not in html

    def test_the_analyst_may_still_submit_with_empty_sections(self, client, people, drafting):
        client.force_login(people.analyst)
        response = client.post(submit_url(drafting), follow=True)
        assert "Version 1 submitted for review." in response.content.decode()
        assert status_of(drafting) == ProductStatus.SUBMITTED

    @pytest.mark.parametrize("who", ["second_analyst", "reviewer", "requester"])
    def test_refused_to_readers_who_may_not_submit(self, client, people, drafting, who):
        client.force_login(getattr(people, who))
        assert client.get(check_url(drafting)).status_code == 403

    @pytest.mark.parametrize("who", ["outsider", "neighbour_reviewer"])
    def test_404_to_people_who_cannot_see_the_product(self, client, people, drafting, who):
        client.force_login(getattr(people, who))
        response = client.get(check_url(drafting))
        assert response.status_code == 404
        assert drafting.title not in response.content.decode()

    def test_a_product_that_cannot_go_for_review_goes_back_with_the_reason(
        self, client, people, commissioned
    ):
        client.force_login(people.analyst)
        response = client.get(check_url(commissioned), follow=True)
        assert response.redirect_chain[-1][0] == reverse("products:detail", args=[commissioned.pk])
        assert "cannot become submitted for review" in response.content.decode()

    def test_a_post_is_not_allowed(self, client, people, drafting):
        client.force_login(people.analyst)
        assert client.post(check_url(drafting)).status_code == 405
        assert status_of(drafting) == ProductStatus.DRAFTING


class TestTheApiNamesTheEmptySections:
    def submit(self, user, product):
        api = APIClient()
        api.force_authenticate(user)
        return api.post(f"/api/v1/products/{product.pk}/submit/")

    def test_the_answer_lists_them_and_the_draft_is_submitted(self, people, drafting):
        fill_all(drafting, people.analyst, but=(3,))
        response = self.submit(people.analyst, drafting)
        assert response.status_code == 200, response.content
        empty = drafting.sections.get(position=3)
        assert response.data["empty_sections"] == [{"id": empty.pk, "title": empty.title}]
        assert response.data["status"] == ProductStatus.SUBMITTED

    def test_none_when_complete(self, people, drafting):
        fill_all(drafting, people.analyst)
        response = self.submit(people.analyst, drafting)
        assert response.data["empty_sections"] == []

    def test_a_refused_submit_names_nothing(self, people, drafting):
        response = self.submit(people.second_analyst, drafting)
        assert response.status_code == 403
        assert "empty_sections" not in response.data
        assert status_of(drafting) == ProductStatus.DRAFTING
        assert Section.objects.filter(product=drafting, body="").exists()
