"""The Django admin shows products read-only, and only those its user may read."""

import pytest
from django.urls import reverse

from nim_portal.choices import Role
from nim_portal.models import Membership
from tests.factories import UserFactory, product_drafting
from tests.products.helpers import publish, write

pytestmark = pytest.mark.django_db

CANARY = "CANARY-ADMIN-9d2b"
MODELS = ["product", "termsofreference", "section", "reviewcomment", "productversion"]


@pytest.fixture
def published(people):
    product = product_drafting(people.unit, owner=people.analyst, need_to_know=True)
    write(product, people.analyst, CANARY)
    publish(product, owner=people.analyst, reviewer=people.reviewer)
    return product


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_a_superuser_without_the_need_to_know_sees_no_product(client, published, superuser):
    client.force_login(superuser)
    for model in MODELS:
        page = client.get(reverse(f"admin:products_{model}_changelist"))
        assert page.status_code == 200
        assert CANARY.encode() not in page.content
        assert published.title.encode() not in page.content
    change = client.get(reverse("admin:products_product_change", args=[published.pk]))
    assert change.status_code == 302  # Django's "doesn't exist" redirect, as for a missing id
    history = client.get(reverse("admin:products_product_history", args=[published.pk]))
    assert history.status_code == 302


def test_a_superuser_who_may_read_it_sees_it_read_only(client, published, superuser, people):
    Membership.objects.create(user=superuser, unit=people.unit, role=Role.REVIEWER)
    client.force_login(superuser)
    page = client.get(reverse("admin:products_section_changelist"))
    assert published.sections.first().title.encode() in page.content
    change = client.get(reverse("admin:products_product_change", args=[published.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert client.get(reverse("admin:products_product_add")).status_code == 403
