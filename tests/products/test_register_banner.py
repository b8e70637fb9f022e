"""The register's banner (issue 13, point 9): the register shows each product's title and
summary, so the page is marked as those are (Product.envelope_marking), not as the highest
section inside, which it never shows."""

import re

import pytest
from django.urls import reverse

from nim_portal.choices import GSCMarking, Role, VettingLevel
from tests.factories import member
from tests.products.helpers import write

pytestmark = pytest.mark.django_db

BANNER = re.compile(r'<div class="nim-marking[^"]*"[^>]*>([^<]*)</div>')


@pytest.fixture
def with_secret_section(drafting, people):
    write(drafting, people.analyst, "The fence is named.", position=2, marking=GSCMarking.SECRET)
    drafting.refresh_from_db()
    assert drafting.envelope_marking < drafting.marking == GSCMarking.SECRET
    return drafting


@pytest.mark.parametrize("vetting", [VettingLevel.SC, VettingLevel.RV])
def test_the_register_is_marked_as_the_titles_it_shows(
    client, people, with_secret_section, vetting
):
    client.force_login(member(people.unit, Role.MEMBER, vetting_level=vetting))

    html = client.get(reverse("products:register")).content.decode()

    assert with_secret_section.title in html
    envelope = GSCMarking(with_secret_section.envelope_marking).label
    assert BANNER.findall(html) == [envelope, envelope]
