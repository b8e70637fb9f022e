"""Search over products: stored full-text vectors on PostgreSQL, plain matching on SQLite.

A product is found by its own vector (its title, weighted A, and its own text, B) or by a vector
of one of its sections that the reader may read (a section marked above the reader's ceiling is
never matched, nor quoted). The vectors are kept by products.services in the transaction that
changes the text; bulk inserts call `refresh_search_vectors` afterwards.
"""

from urllib.parse import urlencode

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse

from nim_portal import access
from nim_portal.search import (
    HEADLINE_OPTIONS,
    SEARCH_CONFIG,
    SearchHit,
    clean_search_text,
    joined_text,
    snippet_html,
)
from products.models import Product, Section
from products.selectors import visible_products

# The product's own text besides its title (weighted B), in the order a snippet quotes it.
PRODUCT_TEXT_FIELDS = ("purpose", "scope_area", "scope_crime_types", "subject_description")


def _product_document() -> SearchVector:
    return SearchVector("title", config=SEARCH_CONFIG, weight="A") + SearchVector(
        *PRODUCT_TEXT_FIELDS, config=SEARCH_CONFIG, weight="B"
    )


def _section_document() -> SearchVector:
    return SearchVector("title", config=SEARCH_CONFIG, weight="A") + SearchVector(
        "body", config=SEARCH_CONFIG, weight="B"
    )


def _stores_vectors() -> bool:
    return connection.vendor == "postgresql"


def refresh_product_vector(product_id: int) -> None:
    """Recompute one product's vector (after its title or text changed)."""
    if _stores_vectors():
        Product.objects.filter(pk=product_id).update(search_vector=_product_document())


def refresh_section_vector(section_id: int) -> None:
    """Recompute one section's vector (after its title or text changed)."""
    if _stores_vectors():
        Section.objects.filter(pk=section_id).update(search_vector=_section_document())


def refresh_search_vectors(products: QuerySet[Product]) -> None:
    """Recompute the vectors of `products` and of all their sections, in two statements: for
    data written in bulk (seeding), which no service saved."""
    if not _stores_vectors():
        return
    products.update(search_vector=_product_document())
    Section.objects.filter(product__in=products.values("pk")).update(
        search_vector=_section_document()
    )


def _product_text() -> Concat:
    parts = [F("title")]
    for name in PRODUCT_TEXT_FIELDS:
        parts += [Value(". "), F(name)]
    return Concat(*parts, output_field=TextField())


def _postgresql_search(products: QuerySet[Product], user, words: str) -> QuerySet[Product]:
    query = SearchQuery(words, config=SEARCH_CONFIG, search_type="websearch")
    readable_sections = Section.objects.filter(access.within_ceiling(user), search_vector=query)
    # Driven by the two GIN indexes: the matching products and the products of matching
    # readable sections, then narrowed to the visible ones.
    matching = (
        Product.objects.filter(search_vector=query)
        .order_by()
        .values("pk")
        .union(readable_sections.order_by().values("product_id"))
    )
    best_section = (
        readable_sections.filter(product=OuterRef("pk"))
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by(F("rank").desc(), "position", "pk")
    )
    title_match = ExpressionWrapper(Q(search_vector=query), output_field=BooleanField())
    return (
        products.filter(pk__in=matching)
        .annotate(
            search_title_match=title_match,
            search_snippet_marking=Case(
                When(title_match, then=F("marking")),
                default=Subquery(best_section.values("marking")[:1]),
            ),
            search_rank=Coalesce(SearchRank(F("search_vector"), query), Value(0.0))
            + Coalesce(
                Subquery(best_section.values("rank")[:1], output_field=FloatField()), Value(0.0)
            ),
            search_snippet=Case(
                When(
                    title_match,
                    then=SearchHeadline(
                        joined_text(F("title"), *(F(name) for name in PRODUCT_TEXT_FIELDS)),
                        query,
                        config=SEARCH_CONFIG,
                        **HEADLINE_OPTIONS,
                    ),
                ),
                default=Subquery(
                    best_section.annotate(
                        headline=SearchHeadline(
                            "body", query, config=SEARCH_CONFIG, **HEADLINE_OPTIONS
                        )
                    ).values("headline")[:1]
                ),
                output_field=TextField(),
            ),
        )
        .order_by(F("search_title_match").desc(), F("search_rank").desc(), "-updated_at", "-id")
    )


def _fallback_search(products: QuerySet[Product], user, words: str) -> QuerySet[Product]:
    """SQLite: case-insensitive containment of the words as typed, newest first."""
    in_product = Q(title__icontains=words)
    for name in PRODUCT_TEXT_FIELDS:
        in_product |= Q(**{f"{name}__icontains": words})
    readable_sections = Section.objects.filter(access.within_ceiling(user)).filter(
        Q(title__icontains=words) | Q(body__icontains=words)
    )
    first_section = readable_sections.filter(product=OuterRef("pk")).order_by("position", "pk")
    return (
        products.filter(in_product | Q(pk__in=readable_sections.values("product_id")))
        .annotate(
            search_title_match=ExpressionWrapper(in_product, output_field=BooleanField()),
            search_snippet_marking=Case(
                When(in_product, then=F("marking")),
                default=Subquery(first_section.values("marking")[:1]),
            ),
            search_rank=Value(0.0),
            search_snippet=Case(
                When(in_product, then=_product_text()),
                default=Subquery(first_section.values("body")[:1]),
                output_field=TextField(),
            ),
        )
        .order_by("-updated_at", "-id")
    )


def search_products(user, text: str) -> QuerySet[Product]:
    """The products `user` may read that match `text` (web-search syntax on PostgreSQL), best
    first: title matches, then by rank, then the newest. Each carries `search_snippet`: a
    headline of its own text, or of its best matching section the user may read, and that
    text's marking (`search_snippet_marking`). Nothing for empty text, or text that cannot be
    searched for."""
    words = clean_search_text(text)
    if words is None:
        return Product.objects.none()
    # The vector is matched in SQL and never shown: no need to carry it back.
    products = visible_products(user).defer("search_vector")
    if connection.vendor == "postgresql":
        return _postgresql_search(products, user, words)
    return _fallback_search(products, user, words)


def product_hit(product: Product, words: str) -> SearchHit:
    """A found product as a site search result (its unit selected with it), marked as the
    product or, should it be higher, as the section its snippet quotes."""
    return SearchHit(
        title=product.title,
        url=reverse("products:detail", args=[product.pk]),
        marking=max(product.marking, product.search_snippet_marking or product.marking),
        snippet=snippet_html(product.search_snippet, words),
        detail=f"{product.get_kind_display()}, {product.unit.name}",
    )


def search_products_for_site(user, words: str, limit: int) -> list[SearchHit]:
    """At most `limit` products for the site search page, in one query."""
    products = search_products(user, words).select_related("unit")[:limit]
    return [product_hit(product, words) for product in products]


def register_search_url(words: str) -> str:
    """The register's own search, which lists every matching product."""
    return f"{reverse('products:register')}?{urlencode({'q': words})}"
