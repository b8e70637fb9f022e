"""The standards checklist a reviewer completes at approval (issue 14, point 9): refused without
every standard, kept with the published version, the same through the page and the API."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from products.choices import ProductStatus, ReviewStandard
from products.models import Product, ProductVersion
from products.services import product_approve, product_submit
from tests.products.helpers import write

ALL = ReviewStandard.values


@pytest.fixture
def submitted(people, drafting):
    write(drafting, people.analyst, "Draft.")
    product_submit(acting_user=people.analyst, product=drafting)
    return drafting


def status_of(product):
    return Product.objects.get(pk=product.pk).status


def test_approval_is_refused_without_every_standard(people, submitted):
    with pytest.raises(ValidationError, match="Confirm every standard") as refusal:
        product_approve(acting_user=people.reviewer, product=submitted, standards=ALL[:-1])
    assert ReviewStandard(ALL[-1]).label.lower() in str(refusal.value)
    with pytest.raises(ValidationError, match="Confirm every standard"):
        product_approve(acting_user=people.reviewer, product=submitted)
    with pytest.raises(ValidationError, match="Unknown standards"):
        product_approve(
            acting_user=people.reviewer, product=submitted, standards=[*ALL, "looks_nice"]
        )
    assert status_of(submitted) == ProductStatus.SUBMITTED
    assert not ProductVersion.objects.filter(product=submitted).exists()


def test_the_confirmed_standards_are_kept_with_the_version(people, submitted):
    version = product_approve(acting_user=people.reviewer, product=submitted, standards=ALL)
    assert ProductVersion.objects.get(pk=version.pk).standards_confirmed == ALL
    assert status_of(submitted) == ProductStatus.APPROVED


def test_the_checklist_does_not_let_anybody_else_approve(people, submitted):
    with pytest.raises(PermissionDenied):
        product_approve(acting_user=people.analyst, product=submitted, standards=ALL)
    with pytest.raises(PermissionDenied):
        product_approve(acting_user=people.member, product=submitted, standards=ALL)


def test_the_page_shows_the_checklist_and_refuses_an_incomplete_one(client, people, submitted):
    client.force_login(people.reviewer)
    html = client.get(reverse("products:detail", args=[submitted.pk])).content.decode()
    assert "Standards checklist" in html
    for standard in ReviewStandard:
        assert f'value="{standard.value}"' in html

    url = reverse("products:approve", args=[submitted.pk])
    response = client.post(url, {"standards": ALL[:2]}, follow=True)
    assert "Confirm every standard" in response.content.decode()
    assert status_of(submitted) == ProductStatus.SUBMITTED

    response = client.post(url, {"standards": ALL}, follow=True)
    assert "Version 1 approved and published." in response.content.decode()
    assert status_of(submitted) == ProductStatus.APPROVED


def test_the_owner_sees_no_checklist(client, people, submitted):
    client.force_login(people.analyst)
    html = client.get(reverse("products:detail", args=[submitted.pk])).content.decode()
    assert "Standards checklist" not in html


def test_the_api_refuses_approval_without_the_checklist(people, submitted):
    api = APIClient()
    api.force_authenticate(people.reviewer)
    url = f"/api/v1/products/{submitted.pk}/approve/"

    response = api.post(url, {"standards": ALL[:3]}, format="json")
    assert response.status_code == 400
    assert "Confirm every standard" in str(response.data)
    response = api.post(url, {"standards": "answers_terms"}, format="json")
    assert response.status_code == 400
    assert status_of(submitted) == ProductStatus.SUBMITTED

    api.force_authenticate(people.analyst)
    assert api.post(url, {"standards": ALL}, format="json").status_code == 403

    api.force_authenticate(people.reviewer)
    response = api.post(url, {"standards": ALL}, format="json")
    assert response.status_code == 200, response.content
    assert ProductVersion.objects.get(product=submitted).standards_confirmed == ALL
