"""Site search: the one search box of the portal, and where the apps plug their records into it.

The core app knows nothing of the apps that build on it (dependencies point one way): each app
registers a search provider from its AppConfig.ready(), and the search page asks every provider
whose audience takes the user in. A provider filters through its own visibility selector, so a
result names only a record the reader may read, and its snippet comes only from text they may read.

Also here, because every app's search needs them: the text-search configuration, the cleaning of
what the user typed, the index of stored search vectors, the snippet HTML, and the pages of a
ranking made in Python.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db.models import (
    BigIntegerField,
    F,
    Func,
    Index,
    IntegerField,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import NullIf
from django.utils.safestring import SafeString, mark_safe

from nim_portal.choices import GSCMarking
from nim_portal.pagination import NumberedPaginator, rows_in_order

# Every stored vector, query and headline uses one configuration, so that they always agree.
SEARCH_CONFIG = "english"
# Longer text is refused with a message: nobody types more into a search box.
MAX_SEARCH_LENGTH = 200
# How many results of each kind the search page lists.
RESULTS_PER_KIND = 10
# Characters of a fallback snippet (the SQLite demo has no headline function).
SNIPPET_LENGTH = 200

# PostgreSQL's ts_headline marks the matched words with these (private-use characters, which no
# text to escape would make into markup); `snippet_html` turns them into <mark>.
HEADLINE_START = "\ue000"
HEADLINE_STOP = "\ue001"
HEADLINE_OPTIONS = {
    "start_sel": HEADLINE_START,
    "stop_sel": HEADLINE_STOP,
    "max_words": 30,
    "min_words": 12,
    "max_fragments": 2,
    "fragment_delimiter": " … ",
}

EMPTY_SEARCH = "Enter the words to search for."
TOO_LONG = f"Search for at most {MAX_SEARCH_LENGTH} characters."
UNSEARCHABLE = (
    "Your search contains a character that cannot be searched for. Remove it and try again."
)


def search_text_problem(text: str | None) -> str | None:
    """Why `text` cannot be searched for (a message fit to show), or None when it can."""
    text = (text or "").strip()
    if not text:
        return EMPTY_SEARCH
    if "\x00" in text:
        return UNSEARCHABLE
    if len(text) > MAX_SEARCH_LENGTH:
        return TOO_LONG
    return None


def clean_search_text(text: str | None) -> str | None:
    """The words to search for, or None when there is nothing that can be searched for (every
    search function then finds nothing rather than failing)."""
    if search_text_problem(text) is not None:
        return None
    return text.strip()


class SearchVectorIndex(GinIndex):
    """The index of a stored search vector: GIN on PostgreSQL. Elsewhere (the SQLite demo, where
    vectors stay empty and search falls back to plain matching) a plain index of the same name,
    so that migrations and SQLite's table rebuilds work on both."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return Index.create_sql(self, model, schema_editor, using=using, **kwargs)


def joined_text(*parts) -> Func:
    """The non-empty ones of `parts` (expressions) joined into one text to quote from, on
    PostgreSQL (CONCAT_WS skips the nulls that NULLIF makes of empty text)."""
    return Func(
        Value(" — "),
        *(NullIf(part, Value("")) for part in parts),
        function="CONCAT_WS",
        output_field=TextField(),
    )


def in_order_of(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """The rows of `queryset` whose primary keys are in `ids`, in the order of `ids` (an order
    made in Python, such as a ranking of a search's matches). PostgreSQL: the ids go as one
    array, unnested to match and ordered by array_position, not as a thousand parameters."""
    array = Value(ids, output_field=ArrayField(BigIntegerField()))
    return queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids])).order_by(
        Func(array, F("pk"), function="array_position", output_field=IntegerField())
    )


@dataclass(frozen=True)
class RankedRows:
    """Rows in an order made in Python (a search's ranking): `ids` best first, read from `rows`.
    A slice reads only its own rows, by primary key, so that a page of a thousand-row ranking
    costs what a page costs (`in_order_of` would look up and order every id for each page)."""

    rows: QuerySet
    ids: list[int]

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list:
        ids = self.ids[index]
        return rows_in_order(self.rows, ids) if ids else []

    def select_related(self, *fields: str) -> "RankedRows":
        return replace(self, rows=self.rows.select_related(*fields))


class RankedPaginator(NumberedPaginator):
    """Pages of RankedRows by number, counted by the ranking's length (no query)."""

    @cached_property
    def count(self) -> int | None:
        ranked = len(self.queryset)
        return ranked if ranked <= self.count_bound else None


def paginate_ranked(request, ranked: RankedRows, per_page: int):
    """The page of `ranked` that the request asks for (as nim_portal.pagination.paginate)."""
    return RankedPaginator(ranked, per_page, request).page()


def _marked_to_html(marked: str) -> str:
    """Escape a headline and turn its markers into <mark>, balanced whatever the text holds."""
    parts, open_mark = [], False
    for piece in re.split(f"([{HEADLINE_START}{HEADLINE_STOP}])", marked):
        if piece == HEADLINE_START:
            if not open_mark:
                parts.append("<mark>")
                open_mark = True
        elif piece == HEADLINE_STOP:
            if open_mark:
                parts.append("</mark>")
                open_mark = False
        else:
            parts.append(html.escape(piece))
    if open_mark:
        parts.append("</mark>")
    return "".join(parts)


def _excerpt(text: str, words: str) -> str:
    """Up to SNIPPET_LENGTH characters of `text` around the first place it contains `words`
    (case-insensitive), marked: the snippet of the plain-matching fallback."""
    text = " ".join(text.split())
    found = text.lower().find(words.lower())
    if found < 0:
        start, end = 0, min(len(text), SNIPPET_LENGTH)
        marked = text[:end]
    else:
        start = max(0, found - (SNIPPET_LENGTH - len(words)) // 2)
        end = min(len(text), start + max(SNIPPET_LENGTH, len(words)))
        found_end = found + len(words)
        marked = (
            text[start:found]
            + HEADLINE_START
            + text[found:found_end]
            + HEADLINE_STOP
            + text[found_end:end]
        )
    return ("…" if start > 0 else "") + marked + ("…" if end < len(text) else "")


def snippet_html(source: str | None, words: str) -> SafeString:
    """A result's snippet as safe HTML, matched words in <mark>: `source` is a PostgreSQL
    headline (with the HEADLINE markers) or, in the fallback, the plain text that matched."""
    if not source:
        return mark_safe("")
    if HEADLINE_START not in source:
        source = _excerpt(source, words)
    return mark_safe(_marked_to_html(source))  # noqa: S308  (escaped piece by piece above)


# The search page's registry.


@dataclass(frozen=True)
class SearchHit:
    """One result: what it is, where it is read, its marking and a snippet of readable text."""

    title: str
    url: str
    marking: int
    snippet: SafeString
    detail: str = ""

    @property
    def marking_label(self) -> str:
        return GSCMarking(self.marking).label


@dataclass(frozen=True)
class SearchGroup:
    key: str
    label: str
    hits: list[SearchHit]
    more: bool
    more_url: str | None


# A search function: (user, words, at most how many) -> hits, each readable by the user.
SearchFunction = Callable[..., list[SearchHit]]
Audience = Callable[..., bool]


@dataclass(frozen=True)
class SearchProvider:
    """A kind of record the search page lists: `search(user, words, limit)` returns at most
    `limit` hits the user may read, best first; `more_url(words)`, when given, is a page that
    lists every match (the product register's search)."""

    key: str
    label: str
    search: SearchFunction
    audience: Audience
    more_url: Callable[[str], str] | None = None


_providers: dict[str, SearchProvider] = {}


def register_search_provider(
    *,
    key: str,
    label: str,
    search: SearchFunction,
    audience: Audience,
    more_url: Callable[[str], str] | None = None,
) -> None:
    """Add (or replace, when `key` is registered already) a kind of search result."""
    _providers[key] = SearchProvider(
        key=key, label=label, search=search, audience=audience, more_url=more_url
    )


def search_kinds_for(user) -> list[str]:
    """The labels of the kinds of record `user` may search, in registration order."""
    return [provider.label for provider in _providers.values() if provider.audience(user)]


def search_everything(user, words: str, limit: int = RESULTS_PER_KIND) -> list[SearchGroup]:
    """Every registered kind the user may search, in registration order, each with at most
    `limit` hits (one more is asked for, to tell whether there are more)."""
    groups = []
    for provider in _providers.values():
        if not provider.audience(user):
            continue
        hits = provider.search(user, words, limit + 1)
        more = len(hits) > limit
        groups.append(
            SearchGroup(
                key=provider.key,
                label=provider.label,
                hits=hits[:limit],
                more=more,
                more_url=provider.more_url(words) if more and provider.more_url else None,
            )
        )
    return groups
