"""Search over products: stored full-text vectors on PostgreSQL, plain matching on SQLite.

A product's vector holds all its text: its title (weighted A), its own text (B), and its
sections' titles (C) and bodies (D), so that one GIN index finds the products, however common
the words; `search_marking` is the highest marking of that text, and a vector is matched only
for a reader cleared for all of it. Sections keep vectors of their own, to pick the best section
the reader may read to quote. The vectors are kept by products.services in the transaction that
changes the text or the marking; bulk inserts call `refresh_search_vectors` afterwards.
"""

import json
from urllib.parse import urlencode

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Greatest
from django.db.models.lookups import GreaterThan
from django.urls import reverse

from nim_portal import access
from nim_portal.pagination import COUNT_BOUND
from nim_portal.search import (
    HEADLINE_OPTIONS,
    SEARCH_CONFIG,
    RankedRows,
    SearchHit,
    clean_search_text,
    in_order_of,
    joined_text,
    snippet_html,
)
from products.models import Product, Section

# The product's own text besides its title (weighted B), in the order a snippet quotes it.
PRODUCT_TEXT_FIELDS = ("purpose", "scope_area", "scope_crime_types", "subject_description")
# ts_rank's weights, in its order (D, C, B, A): only the title, or the product's own text.
TITLE_WEIGHTS = [0.0, 0.0, 0.0, 1.0]
OWN_TEXT_WEIGHTS = [0.0, 0.0, 1.0, 1.0]


def _of_sections(field: str) -> Subquery:
    """The `field` of every section of the outer product, joined in their order."""
    return Subquery(
        Section.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(text=StringAgg(field, delimiter=" ", order_by="position"))
        .values("text"),
        output_field=TextField(),
    )


def _product_document() -> SearchVector:
    return (
        SearchVector("title", config=SEARCH_CONFIG, weight="A")
        + SearchVector(*PRODUCT_TEXT_FIELDS, config=SEARCH_CONFIG, weight="B")
        + SearchVector(_of_sections("title"), config=SEARCH_CONFIG, weight="C")
        + SearchVector(_of_sections("body"), config=SEARCH_CONFIG, weight="D")
    )


def _document_marking() -> Greatest:
    """The highest marking of the product's text: its own, or a section's above it."""
    highest_section = (
        Section.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(highest=Max("marking"))
        .values("highest")
    )
    return Greatest(F("marking"), Coalesce(Subquery(highest_section), F("marking")))


def _section_document() -> SearchVector:
    return SearchVector("title", config=SEARCH_CONFIG, weight="A") + SearchVector(
        "body", config=SEARCH_CONFIG, weight="B"
    )


def _stores_vectors() -> bool:
    return connection.vendor == "postgresql"


def _refresh_products(products: QuerySet[Product]) -> None:
    products.update(search_vector=_product_document(), search_marking=_document_marking())


def refresh_product_vector(product_id: int) -> None:
    """Recompute one product's vector (after its title, text or marking changed). Call it after
    the product's last save: a save writes back the vector the product was loaded with."""
    if _stores_vectors():
        _refresh_products(Product.objects.filter(pk=product_id))


def refresh_section_vector(section_id: int) -> None:
    """Recompute one section's vector and its product's (after the section's title, text or
    marking changed, and after the product's last save)."""
    if _stores_vectors():
        Section.objects.filter(pk=section_id).update(search_vector=_section_document())
        _refresh_products(Product.objects.filter(sections=section_id))


def refresh_search_vectors(products: QuerySet[Product]) -> None:
    """Recompute the vectors of `products` and of all their sections, in two statements: for
    data written in bulk (seeding), which no service saved."""
    if not _stores_vectors():
        return
    Section.objects.filter(product__in=products.values("pk")).update(
        search_vector=_section_document()
    )
    _refresh_products(products)


def _product_text() -> Concat:
    parts = [F("title")]
    for name in PRODUCT_TEXT_FIELDS:
        parts += [Value(". "), F(name)]
    return Concat(*parts, output_field=TextField())


# Text search ranks at most this many matches, the newest: one more than the register counts,
# so that a capped search reads "more than 1,000". A word in most products would otherwise
# rank the whole country's products on every request.
RANKED_MATCHES = COUNT_BOUND + 1
# The site search glances at the best few products: it ranks the newest this many matches, and
# its link to every match opens the register's search, which ranks RANKED_MATCHES of them.
GLANCE_RANKED_MATCHES = 100
NEWEST_FIRST = Product._meta.ordering
# The same order written so that no index serves it (neither column is ever null): PostgreSQL
# then takes a rarer word's matches from the text index and sorts them.
NEWEST_FIRST_SORTED = (F("created_at").desc(nulls_last=True), F("id").desc(nulls_last=True))
# Words that PostgreSQL expects in at least this many products are common: their newest
# matches are found by reading the reader's products newest first, at most about
# RANKED_MATCHES / (their share of all products) of them.
COMMON_MATCHES = 20_000
TSQUERY_SQL = "websearch_to_tsquery(%s::regconfig, %s)"


def _expected_matches(query: SearchQuery) -> float:
    """How many products PostgreSQL expects to hold the words: its estimate from the text
    column's statistics, which reads no row."""
    sql, params = Product.objects.filter(search_vector=query).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"]


# How a kept match ranks, on the product row `readable` of the ranking queries: whether its
# title holds a word, and its rank (ts_rank's default weights).
RANKING_SQL = (
    f"readable.id, ts_rank(%s::float4[], readable.search_vector, {TSQUERY_SQL}) > 0,"
    f" ts_rank(readable.search_vector, {TSQUERY_SQL})"
)


def _ranking_params(words: str) -> list:
    return [TITLE_WEIGHTS, SEARCH_CONFIG, words, SEARCH_CONFIG, words]


def _ranked_newest(
    newest: QuerySet[Product], words: str, *, match_outside: bool, window: int
) -> list[tuple]:
    """(id, title match, rank) of the rows of `newest` (pk and created_at, newest first), the
    newest `window` of them that hold the words when `match_outside`. `newest` reads no
    text: PostgreSQL decides each row's access from the newest-first index alone, and reads the
    stored text (kept apart, and large) only of the rows it keeps. The ranks are computed only
    for the rows kept; in SQL, as the ORM cannot select from a subquery."""
    try:
        inner, inner_params = newest.query.sql_with_params()
    except EmptyResultSet:  # a reader of nothing, or filters that match nothing
        return []
    where, where_params = "", []
    if match_outside:
        where, where_params = (
            f" WHERE readable.search_vector @@ {TSQUERY_SQL}",
            [SEARCH_CONFIG, words],
        )
        # OFFSET 0 keeps the match apart from `newest`'s own filters (_newest_common_matches).
        inner += " OFFSET 0"
    table = connection.ops.quote_name(Product._meta.db_table)
    # Every value is a parameter; the text is constants and the ORM's own SQL.
    sql = (
        f"SELECT {RANKING_SQL} FROM ({inner}) AS newest"  # noqa: S608
        f" JOIN {table} AS readable ON readable.id = newest.pk{where}"
        " ORDER BY newest.created_at DESC, newest.pk DESC LIMIT %s"
    )
    params = [*_ranking_params(words), *inner_params, *where_params, window]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _newest_common_matches(readable: QuerySet[Product], words: str, window: int) -> list[tuple]:
    """The newest `window` of `readable` that hold common words, ranked. The reader's
    products are read newest first and each one's access checked before its text: as one
    filter, PostgreSQL checks the stored text first, and reads the text of every product of
    the country that the reader may not see."""
    newest = readable.order_by(*NEWEST_FIRST).values("pk", "created_at")
    return _ranked_newest(newest, words, match_outside=True, window=window)


def _newest_rare_matches(
    readable: QuerySet[Product], query: SearchQuery, words: str, window: int
) -> list[tuple]:
    """The newest `window` of `readable` that hold rarer words, ranked: all their
    matches, from the text index, sorted newest first."""
    newest = (
        readable.filter(search_vector=query)
        .order_by(*NEWEST_FIRST_SORTED)
        .values("pk", "created_at")[:window]
    )
    return _ranked_newest(newest, words, match_outside=False, window=window)


def _newest_matches_best_first(
    readable: QuerySet[Product], query: SearchQuery, words: str, window: int | None = None
) -> list[int]:
    """The ids of the newest `window` (RANKED_MATCHES when None) of `readable` that hold the
    words, best first: title matches, then by rank, then the newest. Only the rows kept are
    ranked; the order is made here, as an ORDER BY rank over them can lead PostgreSQL to rank
    every product in the country instead."""
    window = RANKED_MATCHES if window is None else window
    if _expected_matches(query) >= COMMON_MATCHES:
        newest = _newest_common_matches(readable, words, window)
    else:
        newest = _newest_rare_matches(readable, query, words, window)
    # sorted() is stable: equals stay newest first.
    best_first = sorted(newest, key=lambda row: (not row[1], -row[2]))
    return [pk for pk, _title_match, _rank in best_first]


def _search_query(words: str) -> SearchQuery:
    return SearchQuery(words, config=SEARCH_CONFIG, search_type="websearch")


def _readable(products: QuerySet[Product], user) -> QuerySet[Product]:
    """`products` whose text the user is cleared for, all of it (PostgreSQL)."""
    return products.filter(access.within_ceiling(user, "search_marking"))


def _with_postgresql_snippets(found: QuerySet[Product], user, query: SearchQuery) -> QuerySet:
    """`found` with each product's snippet and its marking. Only the best matching section the
    reader may read is quoted (for the rows read only: PostgreSQL computes the quote after the
    sort and the limit)."""
    best_section = (
        Section.objects.filter(access.within_ceiling(user), product=OuterRef("pk"))
        .filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by(F("rank").desc(), "position", "pk")
    )
    in_own_text = GreaterThan(
        SearchRank(F("search_vector"), query, weights=OWN_TEXT_WEIGHTS), Value(0.0)
    )
    return found.annotate(
        search_snippet_marking=Case(
            When(in_own_text, then=F("marking")),
            default=Subquery(best_section.values("marking")[:1]),
        ),
        search_snippet=Case(
            When(
                in_own_text,
                then=SearchHeadline(
                    joined_text(F("title"), *(F(name) for name in PRODUCT_TEXT_FIELDS)),
                    query,
                    config=SEARCH_CONFIG,
                    **HEADLINE_OPTIONS,
                ),
            ),
            default=Subquery(
                best_section.annotate(
                    headline=SearchHeadline("body", query, config=SEARCH_CONFIG, **HEADLINE_OPTIONS)
                ).values("headline")[:1]
            ),
            output_field=TextField(),
        ),
    )


def _fallback_search(
    products: QuerySet[Product], user, words: str, ranked: bool, snippets: bool
) -> QuerySet[Product]:
    """SQLite: case-insensitive containment of the words as typed, newest first when ranked."""
    in_product = Q(title__icontains=words)
    for name in PRODUCT_TEXT_FIELDS:
        in_product |= Q(**{f"{name}__icontains": words})
    readable_sections = Section.objects.filter(access.within_ceiling(user)).filter(
        Q(title__icontains=words) | Q(body__icontains=words)
    )
    # As on PostgreSQL: a product holding text above the reader's vetting is not searched.
    above_reader = Section.objects.exclude(access.within_ceiling(user)).values("product_id")
    found = products.exclude(pk__in=above_reader).filter(
        in_product | Q(pk__in=readable_sections.values("product_id"))
    )
    if snippets:
        first_section = readable_sections.filter(product=OuterRef("pk")).order_by("position", "pk")
        found = found.annotate(
            search_snippet_marking=Case(
                When(in_product, then=F("marking")),
                default=Subquery(first_section.values("marking")[:1]),
            ),
            search_snippet=Case(
                When(in_product, then=_product_text()),
                default=Subquery(first_section.values("body")[:1]),
                output_field=TextField(),
            ),
        )
    return found.order_by(*NEWEST_FIRST) if ranked else found


def search_products(
    user,
    text: str,
    among: QuerySet[Product] | None = None,
    *,
    ranked: bool = True,
    snippets: bool = True,
) -> QuerySet[Product]:
    """The products `user` may read that match `text` (web-search syntax on PostgreSQL), out of
    `among` (already filtered, within what the user may read; every product they may read when
    None). Ranked: best first (title matches, then by rank, then the newest) among the newest
    RANKED_MATCHES matches, so that the result is final: filter `among`, not the result.
    Otherwise in `among`'s own order. With `snippets`, each carries `search_snippet`: a
    headline of its own text, or of its best matching section the user may read, and that
    text's marking (`search_snippet_marking`). Nothing for empty text, or text that cannot be
    searched for. `rank_products` is the ranked search read a page at a time."""
    words = clean_search_text(text)
    if words is None:
        return Product.objects.none()
    if among is None:
        among = Product.objects.visible_to(user)
    # The vector is matched in SQL and never shown: no need to carry it back.
    products = among.defer("search_vector")
    if connection.vendor != "postgresql":
        return _fallback_search(products, user, words, ranked, snippets)
    query = _search_query(words)
    readable = _readable(products, user)
    if ranked:
        best_first = _newest_matches_best_first(readable, query, words)
        found = in_order_of(Product.objects.defer("search_vector"), best_first)
    else:
        found = readable.filter(search_vector=query)
    return _with_postgresql_snippets(found, user, query) if snippets else found


def rank_products(
    user,
    text: str,
    among: QuerySet[Product] | None = None,
    *,
    snippets: bool = False,
    window: int | None = None,
) -> RankedRows:
    """`search_products`, ranked among the newest `window` matches (as it, when None), as a
    ranking of ids whose slices read only their own rows: for pages of the matches, which read
    a page rather than every match."""
    words = clean_search_text(text)
    if words is None:
        return RankedRows(Product.objects.none(), [])
    if among is None:
        among = Product.objects.visible_to(user)
    products = among.defer("search_vector")
    if connection.vendor != "postgresql":
        found = _fallback_search(products, user, words, ranked=True, snippets=snippets)
        return RankedRows(found, list(found.values_list("pk", flat=True)))
    query = _search_query(words)
    best_first = _newest_matches_best_first(_readable(products, user), query, words, window)
    # The ids are the reader's matches already: their rows are read by id alone.
    rows = Product.objects.defer("search_vector")
    if snippets:
        rows = _with_postgresql_snippets(rows, user, query)
    return RankedRows(rows, best_first)


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
    """At most `limit` products for the site search page: the best of the newest matches, then
    only the rows shown (with their units), quoted."""
    ranking = rank_products(user, words, snippets=True, window=GLANCE_RANKED_MATCHES)
    products = ranking.select_related("unit")[:limit]
    return [product_hit(product, words) for product in products]


def register_search_url(words: str) -> str:
    """The register's own search, which lists every matching product."""
    return f"{reverse('products:register')}?{urlencode({'q': words})}"
