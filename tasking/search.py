"""What the tasking concepts' search modules share: stored full-text vectors on PostgreSQL, plain
matching on SQLite, always within the visibility selector of each record.

Each concept keeps its own vectors and search (tasking.meetings.search, tasking.actions.search,
tasking.strategy.search): the services refresh a vector in the transaction that changes its text,
and rows written in bulk are refreshed afterwards by the concept's `refresh_..._vectors`.
"""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, Func, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce

from nim_portal.search import HEADLINE_OPTIONS, SEARCH_CONFIG


def stores_vectors() -> bool:
    return connection.vendor == "postgresql"


def rows_joined(rows: QuerySet, parent: str, *fields: str) -> Subquery:
    """The text of `fields` of the rows of one parent (`parent` = OuterRef("pk")), joined."""
    text = texts_joined(*(F(name) for name in fields))
    return Subquery(
        rows.filter(**{parent: OuterRef("pk")})
        .order_by()
        .values(parent)
        .annotate(text=StringAgg(text, delimiter=". ", order_by="pk"))
        .values("text"),
        output_field=TextField(),
    )


class DotJoined(Func):
    """Texts (never null) joined by ". ": one CONCAT_WS on PostgreSQL, where Concat nests a
    COALESCE and a cast per pair (five fields took longer to compile than the query to run);
    `||` on SQLite, which has no CONCAT_WS."""

    function = "CONCAT_WS"
    output_field = TextField()

    def __init__(self, *parts):
        super().__init__(Value(". "), *parts)

    def as_sqlite(self, compiler, connection, **extra_context):
        compiled = [compiler.compile(part) for part in self.get_source_expressions()[1:]]
        sql = " || '. ' || ".join(part_sql for part_sql, _params in compiled)
        return f"({sql})", [param for _sql, params in compiled for param in params]


def texts_joined(*parts):
    """`parts` joined by ". ", each empty when null."""
    texts = [Coalesce(part, Value(""), output_field=TextField()) for part in parts]
    return texts[0] if len(texts) == 1 else DotJoined(*texts)


def weighted_vector(*parts, weight: str) -> SearchVector:
    return SearchVector(*parts, config=SEARCH_CONFIG, weight=weight)


def websearch_query(words: str) -> SearchQuery:
    return SearchQuery(words, config=SEARCH_CONFIG, search_type="websearch")


def search_headline(text, query: SearchQuery) -> SearchHeadline:
    return SearchHeadline(text, query, config=SEARCH_CONFIG, **HEADLINE_OPTIONS)
