"""Product search: stored vectors kept by the services, ranking and snippets on PostgreSQL, the
plain fallback on SQLite, and from both sides of access (a planted canary, need-to-know)."""

import pytest
from django.db import connection

from nim_portal.choices import GSCMarking, Role, VettingLevel
from products.models import Product, Section
from products.search import refresh_search_vectors, search_products
from products.services import product_update, section_add, section_retitle
from tests.factories import PartnerUserFactory, member, product_drafting
from tests.products.helpers import write

pytestmark = pytest.mark.django_db

CANARY = "Canary-7f3a nominal keeps the ledger at the boathouse"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL full-text search: runs in CI's PostgreSQL pass",
)
sqlite_only = pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite fallback")


@pytest.fixture(params=["rare words", "common words"])
def both_ways(request, monkeypatch):
    """PostgreSQL finds the matches of words it expects in many products by reading the
    reader's products newest first, and those of rarer words through the text index: every
    rule holds both ways (SQLite has one way, and runs each test twice)."""
    if request.param == "common words":
        monkeypatch.setattr("products.search.COMMON_MATCHES", 0)


def found(user, text) -> list[str]:
    return [product.title for product in search_products(user, text)]


def snippets(user, text) -> str:
    return " ".join(str(product.search_snippet) for product in search_products(user, text))


# Both databases.


@pytest.mark.usefixtures("both_ways")
@pytest.mark.parametrize(
    ("marking", "reader_vetting", "cleared_vetting"),
    [
        (GSCMarking.SECRET, VettingLevel.RV, VettingLevel.SC),
        (GSCMarking.TOP_SECRET, VettingLevel.SC, VettingLevel.DV),
    ],
)
def test_a_section_above_the_readers_vetting_is_never_found_nor_quoted(
    people, marking, reader_vetting, cleared_vetting
):
    cleared = member(people.unit, Role.ANALYST, vetting_level=cleared_vetting)
    reader = member(people.unit, Role.MEMBER, vetting_level=reader_vetting)
    product = product_drafting(
        people.unit, owner=cleared, title="Boat thefts on the canal", marking=marking
    )
    write(product, cleared, "Outboard motors taken from moorings.", position=1)
    write(product, cleared, CANARY, position=2, marking=marking)
    assert found(reader, "boathouse") == found(reader, "boat") == []
    assert found(cleared, "boathouse") == [product.title]
    assert "boathouse" in snippets(cleared, "boathouse")

    # Were the product marked below its section (written past the services), the section still
    # keeps it from the reader's search, its vectors refreshed or not.
    Product.objects.filter(pk=product.pk).update(
        marking=GSCMarking.OFFICIAL, envelope_marking=GSCMarking.OFFICIAL
    )
    for refreshed in (False, True):
        if refreshed:
            refresh_search_vectors(Product.objects.filter(pk=product.pk))
        assert found(reader, "boathouse") == found(reader, "Canary-7f3a") == []
        assert found(reader, "boat") == []
        assert "boathouse" not in snippets(reader, "boat ledger")
        assert found(cleared, "boathouse") == [product.title]


@pytest.mark.usefixtures("both_ways")
def test_a_product_marked_above_the_reader_is_not_found(people):
    reader = member(people.unit, Role.MEMBER, vetting_level=VettingLevel.RV)
    product = product_drafting(
        people.unit, owner=people.analyst, title="Firearms supply", marking=GSCMarking.SECRET
    )
    write(product, people.analyst, CANARY)

    assert found(reader, "boathouse") == found(reader, "firearms") == []
    assert found(people.member, "boathouse") == [product.title]


@pytest.mark.usefixtures("both_ways")
def test_a_product_of_another_force_is_never_found_nor_quoted(people, hierarchy):
    theirs = product_drafting(
        hierarchy.other_force, owner=people.outsider, title="Boathouse thefts"
    )
    write(theirs, people.outsider, CANARY)

    assert found(people.member, "boathouse") == found(people.member, "Canary-7f3a") == []
    assert "ledger" not in snippets(people.member, "ledger")
    assert found(people.outsider, "boathouse") == [theirs.title]


@pytest.mark.usefixtures("both_ways")
def test_a_need_to_know_product_is_found_only_with_the_grant(people, subject_profile):
    write(subject_profile, people.analyst, CANARY)

    assert found(people.member, "boathouse") == []
    assert found(people.member, "nominal") == []
    assert found(people.analyst, "boathouse") == [subject_profile.title]


@pytest.mark.usefixtures("both_ways")
def test_partners_lapsed_vetting_and_signed_out_users_find_nothing(people, drafting):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    lapsed = member(people.unit, Role.MEMBER)
    lapsed.vetting_expires_on = timezone.localdate().replace(year=2000)
    lapsed.save()
    for user in (PartnerUserFactory(), lapsed, AnonymousUser()):
        assert found(user, "burglary") == []


@pytest.mark.parametrize(
    "text", ["", "   ", "\t\n", "burglary\x00", "\x00", "burglary " * 250, None]
)
def test_text_that_cannot_be_searched_finds_nothing_without_failing(people, drafting, text):
    assert found(people.member, text) == []


@pytest.mark.usefixtures("both_ways")
@pytest.mark.parametrize("text", ["-burglary", '"', "'; --", "!!! ???"])
def test_operators_and_punctuation_find_nothing_without_failing(people, drafting, text):
    assert found(people.member, text) == []


@pytest.mark.usefixtures("both_ways")
@postgresql_only
@pytest.mark.parametrize("text", ["the", "OR", "the OR of"])
def test_stop_words_alone_find_nothing_without_failing(people, drafting, text):
    assert found(people.member, text) == []


def test_the_vectors_follow_the_services(people, drafting):
    drafting = product_update(
        acting_user=people.analyst, product=drafting, title="Robbery at the interchange"
    )
    section = section_add(acting_user=people.analyst, product=drafting, title="Getaway vehicles")
    write(drafting, people.analyst, "Stolen mopeds used for snatch thefts.", position=1)

    assert found(people.member, "interchange") == [drafting.title]
    assert found(people.member, "getaway") == [drafting.title]
    assert found(people.member, "mopeds") == [drafting.title]

    section_retitle(acting_user=people.analyst, section=section, title="Escape routes")
    assert found(people.member, "getaway") == []
    assert found(people.member, "escape routes") == [drafting.title]


# PostgreSQL.


@pytest.mark.usefixtures("both_ways")
@postgresql_only
def test_title_matches_rank_first_and_words_are_stemmed(people):
    in_text = product_drafting(people.unit, owner=people.analyst, title="Rural crime")
    write(in_text, people.analyst, "A series of shed burglaries in the villages.")
    in_title = product_drafting(people.unit, owner=people.analyst, title="Burglaries of sheds")

    results = list(search_products(people.member, "burglary"))

    assert results == [in_title, in_text]


@pytest.mark.usefixtures("both_ways")
@postgresql_only
def test_section_rank_orders_products_matched_by_their_sections(people):
    once = product_drafting(people.unit, owner=people.analyst, title="Night-time economy")
    write(once, people.analyst, "One report of a knife near the taxi rank.")
    often = product_drafting(people.unit, owner=people.analyst, title="Youth violence")
    write(often, people.analyst, "Knife crime: knife carrying, knife injuries, knife arches.")

    assert found(people.member, "knife") == [often.title, once.title]


@postgresql_only
def test_the_snippet_highlights_the_words_and_escapes_the_text(people, drafting):
    write(
        drafting,
        people.analyst,
        "Entry by <script>alert(1)</script> rear windows at Smith & Sons' yard.",
    )

    (product,) = search_products(people.member, "windows")

    assert "\ue000windows\ue001" in product.search_snippet
    from products.search import product_hit

    hit = product_hit(product, "windows")
    assert "<mark>windows</mark>" in hit.snippet
    assert "<script" not in hit.snippet
    assert "Smith &amp; Sons" in hit.snippet


@pytest.mark.usefixtures("both_ways")
@postgresql_only
def test_web_search_syntax(people):
    sheds = product_drafting(people.unit, owner=people.analyst, title="Burglary of garden sheds")
    homes = product_drafting(people.unit, owner=people.analyst, title="Burglary of homes")

    assert set(found(people.member, "burglary")) == {sheds.title, homes.title}
    assert found(people.member, "burglary -sheds") == [homes.title]
    assert found(people.member, '"garden sheds"') == [sheds.title]
    assert set(found(people.member, "sheds or homes")) == {sheds.title, homes.title}


@postgresql_only
def test_rows_written_in_bulk_are_found_after_refresh(people):
    product = Product.objects.create(
        unit=people.unit,
        kind="strategic",
        title="Metal theft from railways",
        envelope_marking=GSCMarking.OFFICIAL_SENSITIVE,
        owner=people.analyst,
        requester=people.analyst,
    )
    Section.objects.create(
        product=product, position=1, title="Cable", body="Copper cable stripped.", marking=20
    )
    assert found(people.member, "copper") == []

    refresh_search_vectors(Product.objects.filter(pk=product.pk))

    assert found(people.member, "copper") == [product.title]
    assert found(people.member, "railways") == [product.title]


# SQLite.


@sqlite_only
def test_the_fallback_matches_contained_text_newest_first(people):
    older = product_drafting(people.unit, owner=people.analyst, title="Shed burglary")
    newer = product_drafting(people.unit, owner=people.analyst, title="Vehicle crime")
    write(newer, people.analyst, "Two sheds were forced open.")

    assert found(people.member, "SHED") == [newer.title, older.title]
    (product,) = search_products(people.member, "forced")
    from products.search import product_hit

    assert "<mark>forced</mark>" in product_hit(product, "forced").snippet


@pytest.mark.usefixtures("both_ways")
def test_filters_that_match_nothing_find_nothing(people, drafting):
    assert list(search_products(people.member, "burglary", Product.objects.filter(pk__in=[]))) == []
