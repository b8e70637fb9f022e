"""The register's export (nim_portal.exports): exactly the rows the reader sees, filtered as on
screen, marked with their highest marking, audited; a bad filter is a message, never a 500."""

import pytest
from django.urls import reverse

from nim_portal.choices import AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent
from products.choices import ProductKind
from tests.exports import csv_rows, xlsx_rows
from tests.factories import member, product_drafting

pytestmark = pytest.mark.django_db

CANARY = "Canary-2c41 nominal at the marina"


def export(client, user, **params):
    client.force_login(user)
    return client.get(reverse("products:register"), params)


@pytest.fixture
def reader(hierarchy):
    """A member of the force with recruitment vetting (reads up to OFFICIAL-SENSITIVE)."""
    return member(hierarchy.force, Role.MEMBER, username="rv-member", vetting_level=VettingLevel.RV)


@pytest.fixture
def products(people, hierarchy):
    """Two products the RV reader reads, and three they may not: another force's, one marked
    above their vetting, and a need-to-know one they hold no grant for."""
    return {
        "problem": product_drafting(
            people.unit,
            owner=people.analyst,
            title="Night-time economy problem profile",
            kind=ProductKind.PROBLEM_PROFILE,
            marking=GSCMarking.OFFICIAL,
        ),
        "assessment": product_drafting(
            people.unit,
            owner=people.analyst,
            title="Tactical assessment, spring",
            marking=GSCMarking.OFFICIAL_SENSITIVE,
        ),
        "elsewhere": product_drafting(
            hierarchy.other_force, owner=people.outsider, title=f"{CANARY} (other force)"
        ),
        "above": product_drafting(
            people.unit,
            owner=people.analyst,
            title=f"{CANARY} (secret)",
            marking=GSCMarking.SECRET,
        ),
        "need_to_know": product_drafting(
            people.unit,
            owner=people.analyst,
            title=f"{CANARY} (need to know)",
            need_to_know=True,
        ),
    }


def test_the_csv_holds_exactly_the_rows_the_reader_sees(client, reader, products):
    response = export(client, reader, export="csv")

    assert response.status_code == 200
    marking, headings, *rows = csv_rows(response)
    assert CANARY not in repr(rows)
    assert marking == ["OFFICIAL-SENSITIVE"]
    assert headings[:3] == ["Product id", "Title", "Kind"]
    shown = export(client, reader).context["page_obj"].object_list
    assert [row[1] for row in rows] == [product.title for product in shown]


def test_the_export_keeps_the_filters_on_screen(client, reader, products):
    response = export(client, reader, export="csv", kind=ProductKind.PROBLEM_PROFILE)

    _, _, *rows = csv_rows(response)
    assert [row[1] for row in rows] == ["Night-time economy problem profile"]
    # Its only row is OFFICIAL: so is the export.
    assert "product-register-OFFICIAL-" in response["Content-Disposition"]


def test_a_search_exports_its_matches(client, reader, products):
    response = export(client, reader, export="csv", q="assessment")

    _, _, *rows = csv_rows(response)
    assert [row[1] for row in rows] == ["Tactical assessment, spring"]


def test_a_reader_vetted_higher_gets_the_higher_marking(client, people, products):
    response = export(client, people.member, export="xlsx")  # MV: reads SECRET

    assert response.status_code == 200
    assert "product-register-SECRET-" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert rows[0][0] == "SECRET"
    assert f"{CANARY} (secret)" in [row[1] for row in rows[2:]]
    # The need-to-know product stays out even for a reader vetted to read it.
    assert f"{CANARY} (need to know)" not in [row[1] for row in rows[2:]]


def test_the_export_is_audited_with_its_filters_and_rows(client, reader, products):
    export(client, reader, export="xlsx", kind=ProductKind.PROBLEM_PROFILE, page="2")

    event = AuditEvent.objects.get(verb=AuditVerb.EXPORT)
    assert event.actor == reader
    assert event.detail == {
        "export": "product register",
        "format": "xlsx",
        "filter": {"kind": ProductKind.PROBLEM_PROFILE},
        "rows": 1,
        "marking": "OFFICIAL",
    }


def test_a_bad_filter_is_a_message_on_the_page_and_nothing_is_exported(client, reader, products):
    response = export(client, reader, export="csv", due_from="31/31/2026")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "The product register was not downloaded: correct the filters below first." in html
    assert "Enter a valid date" in html
    assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT).exists()


def test_an_unknown_format_is_a_message(client, reader, products):
    response = export(client, reader, export="pdf")

    assert "choose CSV or XLSX" in response.content.decode()
    assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT).exists()


def test_the_page_links_to_its_exports_with_its_filters(client, reader, products):
    html = export(client, reader, kind=ProductKind.PROBLEM_PROFILE, page="1").content.decode()

    assert f'href="/products/?kind={ProductKind.PROBLEM_PROFILE}&amp;export=csv"' in html
    assert f'href="/products/?kind={ProductKind.PROBLEM_PROFILE}&amp;export=xlsx"' in html


def test_the_export_reads_a_constant_number_of_queries(
    client, people, django_assert_max_num_queries
):
    for number in range(30):
        product_drafting(people.unit, owner=people.analyst, title=f"Product {number}")
    client.force_login(people.member)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("products:register"), {"export": "csv"})
        rows = csv_rows(response)
    assert len(rows) == 32


def test_the_audit_log_names_the_export(client, reader, products, hierarchy):
    export(client, reader, export="csv", kind=ProductKind.PROBLEM_PROFILE)

    client.force_login(member(hierarchy.force, Role.ADMIN))
    html = client.get(reverse("audit:log"), {"verb": AuditVerb.EXPORT}).content.decode()

    assert "Product register as CSV, 1 row marked OFFICIAL: kind=problem" in html
