"""Published version pages and the compare page: snapshots, audited reads, constant queries."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from nim_portal.choices import AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent
from products.models import ProductVersion
from products.services import section_add
from tests.factories import member, product_drafting
from tests.products.helpers import publish, write

pytestmark = pytest.mark.django_db


def version_url(product, number):
    return reverse("products:version_detail", args=[product.pk, number])


def compare_url(product, a=None, b=None):
    url = reverse("products:version_compare", args=[product.pk])
    return f"{url}?a={a}&b={b}" if a is not None else url


def version_views() -> int:
    return AuditEvent.objects.filter(verb=AuditVerb.VIEW).count()


@pytest.fixture
def two_versions(drafting, people):
    """v1, then v2 with one section changed (and raised to SECRET), one added, one unchanged."""
    write(drafting, people.analyst, "Burglary rose by a tenth.\nMostly at night.", position=1)
    write(drafting, people.analyst, "Sources are reliable.", position=2)
    v1 = publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    write(
        drafting,
        people.analyst,
        "Burglary rose by a fifth.\nMostly at night.",
        position=1,
        marking=GSCMarking.SECRET,
    )
    section_add(acting_user=people.analyst, product=drafting, title="Annex: hotspots")
    v2 = publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    return v1, v2


class TestVersionPage:
    def test_shows_the_snapshot_with_its_details_and_digest_and_is_audited(
        self, client, people, drafting, two_versions
    ):
        v1, _ = two_versions
        # The live section changes after publication: the version page keeps the snapshot.
        write(drafting, people.analyst, "Live text after publication.", position=1)
        client.force_login(people.member)
        before = version_views()
        response = client.get(version_url(drafting, 1))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Burglary rose by a tenth." in html
        assert "Live text after publication." not in html
        assert v1.sha256 in html
        assert "Check a printed copy against this" in html
        assert escape(str(people.analyst)) in html
        assert escape(str(people.reviewer)) in html
        assert reverse("products:version_print", args=[drafting.pk, 1]) in html
        assert response.context["page_marking"] == "OFFICIAL-SENSITIVE"
        assert version_views() == before + 1
        event = AuditEvent.objects.filter(verb=AuditVerb.VIEW).latest("pk")
        assert event.actor == people.member
        assert event.object_id == str(v1.pk)

    def test_each_section_shows_its_own_marking(self, client, people, drafting, two_versions):
        client.force_login(people.analyst)
        response = client.get(version_url(drafting, 2))
        html = response.content.decode()
        assert "(SECRET)" in html
        assert "(OFFICIAL-SENSITIVE)" in html
        assert response.context["page_marking"] == "SECRET"

    def test_every_read_is_audited(self, client, people, drafting, two_versions):
        client.force_login(people.analyst)
        before = version_views()
        for _ in range(3):
            client.get(version_url(drafting, 1))
        assert version_views() == before + 3

    @pytest.mark.parametrize("who", ["outsider", "neighbour_reviewer"])
    def test_others_get_404_and_nothing_is_audited(
        self, client, people, drafting, two_versions, who
    ):
        client.force_login(getattr(people, who))
        before = version_views()
        assert client.get(version_url(drafting, 1)).status_code == 404
        assert client.get(compare_url(drafting, 1, 2)).status_code == 404
        assert version_views() == before

    def test_a_section_above_the_readers_vetting_is_withheld(
        self, client, people, drafting, two_versions
    ):
        rv_member = member(people.unit, Role.MEMBER, vetting_level=VettingLevel.RV)
        client.force_login(rv_member)
        # v2's first section is SECRET: RV reads the rest of it, that section withheld.
        response = client.get(version_url(drafting, 2))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Withheld: SECRET" in html
        assert "Burglary rose by a fifth" not in html
        assert "Sources are reliable." in html
        assert response.context["page_marking"] == "OFFICIAL-SENSITIVE"
        assert response.context["page_withheld"] == "Parts marked SECRET withheld"

    def test_an_unknown_number_is_404(self, client, people, drafting, two_versions):
        client.force_login(people.analyst)
        assert client.get(version_url(drafting, 9)).status_code == 404


class TestCompare:
    def test_shows_changed_added_and_unchanged_sections_and_audits_both(
        self, client, people, drafting, two_versions
    ):
        client.force_login(people.analyst)
        before = version_views()
        response = client.get(compare_url(drafting, 2, 1))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Changed" in html and "Added" in html and "Unchanged" in html
        assert "Annex: hotspots" in html
        # Word by word: only the changed word is marked, each change labelled for screen readers.
        assert (
            "Burglary rose by a "
            '<del><span class="govuk-visually-hidden">removed: </span>tenth</del>'
            '<ins><span class="govuk-visually-hidden">added: </span>fifth</ins>.'
        ) in html
        assert "Marking was OFFICIAL-SENSITIVE, now SECRET." in html
        assert response.context["comparison"].before.number == 1
        assert version_views() == before + 2
        assert response.context["page_marking"] == "SECRET"

    def test_without_a_choice_the_form_is_shown_and_nothing_is_read(
        self, client, people, drafting, two_versions
    ):
        client.force_login(people.analyst)
        before = version_views()
        response = client.get(compare_url(drafting))
        assert response.status_code == 200
        assert response.context["comparison"] is None
        assert response.context["form"].initial == {"a": 1, "b": 2}
        assert version_views() == before

    @pytest.mark.parametrize("query", ["a=1&b=1", "a=1&b=7", "a=x&b=2", "a=1"])
    def test_bad_choices_get_a_message_and_no_reads(
        self, client, people, drafting, two_versions, query
    ):
        client.force_login(people.analyst)
        before = version_views()
        url = reverse("products:version_compare", args=[drafting.pk]) + "?" + query
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert "There is a problem" in response.content.decode()
        assert version_views() == before

    def test_fewer_than_two_versions_says_so(self, client, people, drafting):
        client.force_login(people.analyst)
        response = client.get(compare_url(drafting))
        assert "nothing to compare yet" in response.content.decode()


def _product_with(people, sections: int, versions: int):
    product = product_drafting(
        people.unit, owner=people.analyst, requester=people.requester, title=f"P{sections}"
    )
    for index in range(sections - product.sections.count()):
        section_add(acting_user=people.analyst, product=product, title=f"Extra {index}")
    for number in range(versions):
        for position in range(1, sections + 1):
            write(product, people.analyst, f"Text {number} of {position}", position=position)
        publish(product, owner=people.analyst, reviewer=people.reviewer)
    return product


@pytest.mark.parametrize("page", ["version", "compare"])
def test_queries_do_not_grow_with_sections_or_versions(
    client, people, django_assert_max_num_queries, page
):
    small = _product_with(people, sections=7, versions=2)
    large = _product_with(people, sections=15, versions=4)
    client.force_login(people.analyst)

    def url(product):
        if page == "version":
            return version_url(product, 2)
        return compare_url(product, 1, 2)

    client.get(url(small))  # warm the session and content types
    with django_assert_max_num_queries(20) as counted:
        assert client.get(url(small)).status_code == 200
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert client.get(url(large)).status_code == 200
    assert ProductVersion.objects.filter(product=large).count() == 4
