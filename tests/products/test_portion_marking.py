"""Portion marking, from both sides (docs/access.md, "Portion marking"): a reader opens a
product by the marking of its title and summary, and each section marked above their vetting is
withheld, its marking only, on the product's page, its version pages, compare, the REST API and
the PDF printed for their vetting. A canary planted in the SECRET section (its title and its
text) reaches no response to a reader vetted to OFFICIAL-SENSITIVE (RV); an SC reader reads it.
A product whose title and summary are above the reader's vetting is still 404, and working on a
product (its editor, terms, history, review) needs vetting for all of it."""

import io
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db.models import F
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from nim_portal.choices import GSCMarking, Role, VettingLevel
from products.models import Product, ProductVersionPrint
from products.services import product_update, product_version_print_request, section_retitle
from products.services.prints import print_ceiling
from tests.factories import member, product_drafting
from tests.products.helpers import publish, write

pytestmark = pytest.mark.django_db

CANARY = "Kestrelcanary"
TITLE_CANARY = "Merlincanary"
OPEN_TEXT = "Burglary rose by a tenth in the north of the city."


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rv(people):
    """A member vetted to OFFICIAL-SENSITIVE (RV)."""
    return member(people.unit, Role.MEMBER, vetting_level=VettingLevel.RV)


@pytest.fixture
def sc(people):
    """A member vetted to SECRET (SC)."""
    return member(people.unit, Role.MEMBER, vetting_level=VettingLevel.SC)


@pytest.fixture
def product(drafting, people):
    """Marked OFFICIAL-SENSITIVE (its title and summary), with a SECRET second section holding
    the canary in its title and text; v1 and v2 published, the SECRET section changed."""
    write(drafting, people.analyst, OPEN_TEXT, position=1)
    write(
        drafting,
        people.analyst,
        f"Source {CANARY} reports the stash is moved on Fridays.",
        position=2,
        marking=GSCMarking.SECRET,
    )
    section_retitle(
        acting_user=people.analyst,
        section=drafting.sections.get(position=2),
        title=f"Sources {TITLE_CANARY}",
    )
    publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    write(drafting, people.analyst, OPEN_TEXT.replace("tenth", "fifth"), position=1)
    write(drafting, people.analyst, f"Source {CANARY} reports Saturdays now.", position=2)
    publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    drafting.refresh_from_db()
    return drafting


def pages(product) -> dict[str, str]:
    detail = reverse("products:detail", args=[product.pk])
    compare = reverse("products:version_compare", args=[product.pk])
    return {
        "product": detail,
        "version 1": reverse("products:version_detail", args=[product.pk, 1]),
        "version 2": reverse("products:version_detail", args=[product.pk, 2]),
        "compare inline": f"{compare}?a=1&b=2",
        "compare side by side": f"{compare}?a=1&b=2&view=side-by-side",
    }


def api_answers(user, product) -> dict[str, bytes]:
    api = APIClient()
    api.force_authenticate(user)
    base = f"/api/v1/products/{product.pk}/"
    answers = {
        "list": api.get("/api/v1/products/"),
        "detail": api.get(base),
        "versions": api.get(f"{base}versions/"),
        "version 2": api.get(f"{base}versions/2/"),
        "compare": api.get(f"{base}versions/compare/?a=1&b=2"),
    }
    for name, answer in answers.items():
        assert answer.status_code == 200, name
    return {name: answer.content for name, answer in answers.items()}


def printed_text(user, version, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        product_version_print_request(acting_user=user, version=version)
    printed = ProductVersionPrint.objects.get(version=version, ceiling=print_ceiling(user, version))
    with printed.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# The RV reader: everything but the SECRET section.


def test_an_rv_reader_reads_every_page_with_the_secret_section_withheld(client, rv, product):
    client.force_login(rv)
    for name, url in pages(product).items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert CANARY not in html and TITLE_CANARY not in html, name
        assert "Withheld: SECRET" in html, name
        assert "Burglary rose by a" in html, name
        assert response.context["page_marking"] == "OFFICIAL-SENSITIVE", name
        assert response.context["page_withheld"] == "Parts marked SECRET withheld", name
        # The banner says so, top and bottom.
        assert html.count("Parts marked SECRET withheld") >= 2, name


def test_compare_never_diffs_a_withheld_section_and_lists_changed_sections_first(
    client, rv, sc, product
):
    url = pages(product)["compare inline"]
    client.force_login(rv)
    comparison = client.get(url).context["comparison"]
    statuses = [d.status for d in comparison.sections]
    assert statuses == ["changed", *["unchanged"] * (len(statuses) - 2), "withheld"]
    (withheld,) = comparison.withheld
    assert (withheld.title_before, withheld.unified, withheld.words) == (None, [], [])

    client.force_login(sc)
    html = client.get(url).content.decode()
    assert CANARY in html and TITLE_CANARY in html
    assert '<ins><span class="govuk-visually-hidden">added: </span>Saturdays</ins>' in html
    assert "Withheld" not in html


def test_the_api_withholds_the_section_the_same_way(rv, sc, product):
    answers = api_answers(rv, product)
    for name, content in answers.items():
        assert CANARY.encode() not in content and TITLE_CANARY.encode() not in content, name

    api = APIClient()
    api.force_authenticate(rv)
    base = f"/api/v1/products/{product.pk}/"
    sections = api.get(base).json()["sections"]
    assert sections[1] == {
        "id": sections[1]["id"],
        "position": 2,
        "title": None,
        "marking": GSCMarking.SECRET,
        "marking_label": "SECRET",
        "body": None,
        "releasable_to_partners": None,
        "revision": None,
        "updated_by": None,
        "updated_at": None,
        "withheld": True,
    }
    assert sections[0]["withheld"] is False and "tenth" not in sections[0]["body"]
    content = api.get(f"{base}versions/2/").json()["content"]
    assert [s["withheld"] for s in content["sections"]][:2] == [False, True]
    assert content["sections"][1]["body"] is None
    differences = api.get(f"{base}versions/compare/?a=1&b=2").json()["sections"]
    withheld = [d for d in differences if d["status"] == "withheld"]
    assert len(withheld) == 1 and withheld[0]["unified"] == withheld[0]["side_by_side"] == []

    for name, content in api_answers(sc, product).items():
        if name not in ("list", "versions"):
            assert CANARY.encode() in content, name


def test_the_pdf_printed_for_rv_holds_no_secret_text_and_sc_gets_their_own(
    rv, sc, product, django_capture_on_commit_callbacks
):
    version = product.versions.get(number=2)
    rv_text = printed_text(rv, version, django_capture_on_commit_callbacks)
    assert CANARY not in rv_text and TITLE_CANARY not in rv_text
    assert "Withheld: SECRET" in rv_text
    assert "fifth" in rv_text
    assert "OFFICIAL-SENSITIVE" in rv_text

    sc_text = printed_text(sc, version, django_capture_on_commit_callbacks)
    assert CANARY in sc_text and TITLE_CANARY in sc_text
    assert "Withheld" not in sc_text
    # One print per ceiling, each kept for every reader of that ceiling.
    assert sorted(version.prints.values_list("ceiling", flat=True)) == [
        GSCMarking.OFFICIAL_SENSITIVE,
        GSCMarking.SECRET,
    ]


def test_the_rv_reader_downloads_only_their_own_print(
    client, rv, sc, product, django_capture_on_commit_callbacks
):
    version = product.versions.get(number=2)
    printed_text(sc, version, django_capture_on_commit_callbacks)
    printed_text(rv, version, django_capture_on_commit_callbacks)
    client.force_login(rv)
    response = client.get(reverse("products:version_print", args=[product.pk, 2]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert CANARY not in text and "Withheld: SECRET" in " ".join(text.split())


# Search: never a match on text the reader may not read.


def test_search_never_matches_the_rv_reader_on_the_secret_text(client, rv, sc, product):
    client.force_login(rv)
    for url in (reverse("products:register"), reverse("search")):
        response = client.get(url, {"q": CANARY})
        assert response.status_code == 200
        assert product.title not in response.content.decode()
    client.force_login(sc)
    assert product.title in client.get(reverse("products:register"), {"q": CANARY}).content.decode()


# The SC reader: everything.


def test_an_sc_reader_reads_the_secret_section(client, sc, product):
    client.force_login(sc)
    for name, url in pages(product).items():
        response = client.get(url)
        html = response.content.decode()
        assert CANARY in html and TITLE_CANARY in html, name
        assert "Withheld" not in html, name
        assert response.context["page_marking"] == "SECRET", name
        assert response.context["page_withheld"] == "", name


# The envelope: a title and summary above the reader's vetting is 404 everywhere.


def test_a_product_whose_title_is_above_the_readers_vetting_is_404(
    client, people, rv, django_capture_on_commit_callbacks
):
    secret = product_drafting(
        people.unit,
        owner=people.analyst,
        requester=people.requester,
        title=f"Operation {TITLE_CANARY}",
        marking=GSCMarking.SECRET,
    )
    write(secret, people.analyst, OPEN_TEXT, position=1, marking=GSCMarking.OFFICIAL)
    publish(secret, owner=people.analyst, reviewer=people.reviewer)
    client.force_login(rv)
    for name, url in [
        *pages(secret).items(),
        ("print", reverse("products:version_print", args=[secret.pk, 1])),
    ]:
        if name in ("version 2",):
            continue
        response = client.get(url)
        assert response.status_code == 404, name
        assert TITLE_CANARY not in response.content.decode(), name
    api = APIClient()
    api.force_authenticate(rv)
    assert api.get(f"/api/v1/products/{secret.pk}/").status_code == 404
    assert api.get(f"/api/v1/products/{secret.pk}/versions/1/").status_code == 404
    assert TITLE_CANARY not in api.get("/api/v1/products/").content.decode()
    assert not ProductVersionPrint.objects.filter(version__product=secret).exists()


# Working on a product needs vetting for all of it.


def test_working_on_a_product_needs_vetting_for_all_of_it(client, people, product):
    rv_analyst = member(people.unit, Role.ANALYST, vetting_level=VettingLevel.RV)
    rv_reviewer = member(people.unit, Role.REVIEWER, vetting_level=VettingLevel.RV)
    open_section, secret_section = product.sections.order_by("position")[:2]
    for user in (rv_analyst, rv_reviewer):
        client.force_login(user)
        page = client.get(reverse("products:detail", args=[product.pk]))
        assert page.context["reads_whole"] is False
        assert not page.context["may_edit_sections"] and not page.context["may_read_history"]
        assert not any(page.context["actions"].values())
        for name in ("terms", "history"):
            assert client.get(reverse(f"products:{name}", args=[product.pk])).status_code == 404
        for section in (open_section, secret_section):
            edit = reverse("products:section_edit", args=[product.pk, section.pk])
            response = client.get(edit)
            assert response.status_code == 404
            assert CANARY not in response.content.decode()
    assert client.post(reverse("products:approve", args=[product.pk])).status_code == 404

    client.force_login(people.analyst)
    page = client.get(reverse("products:detail", args=[product.pk]))
    assert page.context["reads_whole"] and page.context["may_edit_sections"]


# Existing products: their title and summary keep the marking they were written under.


def test_the_migration_marks_a_title_and_summary_as_they_were_written(people):
    """0010: the highest marking the product had each time its title or summary was written
    (a product raised to SECRET by a section alone opens at the marking it was commissioned
    at; one whose summary was changed while SECRET stays SECRET)."""
    raised_by_a_section, retitled_while_secret = (
        product_drafting(people.unit, owner=people.analyst, title=title)
        for title in ("Raised by a section", "To be retitled")
    )
    for product in (raised_by_a_section, retitled_while_secret):
        write(product, people.analyst, "Secret text.", position=2, marking=GSCMarking.SECRET)
    product_update(
        acting_user=people.analyst, product=retitled_while_secret, title="Retitled while SECRET"
    )
    # As before the migration: the whole marking stood for the title and summary too.
    Product.objects.update(envelope_marking=F("marking"))

    migration = import_module("products.migrations.0010_product_envelope_marking")
    migration.envelope_from_history(django_apps, None)

    envelope = dict(Product.objects.values_list("title", "envelope_marking"))
    assert envelope == {
        "Raised by a section": GSCMarking.OFFICIAL_SENSITIVE,
        "Retitled while SECRET": GSCMarking.SECRET,
    }
