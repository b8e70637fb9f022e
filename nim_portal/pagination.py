"""Pages of long lists that never count every row.

A list ordered by column values pages by keyset: the link to the next page carries, signed, the
ordering key of the last row shown, and the next page reads on from that row through the index
of the ordering, however deep it is. A list ordered by anything else (a search rank, a
computed float) pages by number. Either way the total is counted only up to COUNT_BOUND rows
(a COUNT over a LIMITed subquery); beyond it the list says "more than 1,000".

Views call `paginate(request, queryset, per_page)`; the API's lists page with
`BoundedPageNumberPagination`.
"""

import datetime
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property, reduce
from operator import or_
from uuid import UUID

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db import connections
from django.db.models import F, FloatField, OrderBy, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

COUNT_BOUND = 1000
CURSOR_PARAM = "cursor"
PAGE_PARAM = "page"
# Page numbers past this are refused like any other bad number: no OFFSET of billions.
MAX_PAGE_NUMBER = 10_000
# Longer than any cursor this module writes: refused before its signature is checked.
MAX_CURSOR_LENGTH = 2000
_CURSOR_SALT = "nim_portal.pagination.cursor"


def bounded_count(
    queryset: QuerySet, bound: int = COUNT_BOUND, *, in_order: bool = False
) -> int | None:
    """How many rows `queryset` holds, or None when more than `bound`: one query that counts at
    most bound + 1 rows, so that the database stops as soon as it has them. Unordered, it may
    take them however it likes; `in_order` counts them in the list's own order, for a list whose
    index decides each row alone (the register's): without an order PostgreSQL may read the
    whole table to find a reader's few rows."""
    if not in_order:
        queryset = queryset.order_by()
    counted = queryset.values("pk")[: bound + 1].count()
    return counted if counted <= bound else None


def rows_in_order(rows: QuerySet, ids: Sequence[int]) -> list:
    """The rows of `rows` with the primary keys `ids`, in the order of `ids` (one gone since is
    left out): one query by primary key, for a page whose ids were chosen by a heavier query."""
    found = {row.pk: row for row in rows.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def _page_number(value) -> int | None:
    """A page number from a query parameter, None when it is not one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_PAGE_NUMBER else None


# Ordering keys.


@dataclass(frozen=True)
class _Key:
    """One term of a list's ordering, as keyset pagination needs it."""

    path: str  # what the queryset orders by: a field, a path through relations, an annotation
    attr: str  # the attribute of a fetched row that holds its value
    annotated: bool  # whether the page's query must annotate `attr` (a path through relations)
    descending: bool
    nulls_first: bool | None  # as the ordering states it (None: the database's default)
    nulls_last: bool | None
    nulls_come_last: bool  # where NULLs really fall, explicit or by the database's default
    nullable: bool
    field: object  # the model field (or annotation output field) reading a cursor's value

    def reversed(self) -> "_Key":
        return replace(
            self,
            descending=not self.descending,
            nulls_first=self.nulls_last,
            nulls_last=self.nulls_first,
            nulls_come_last=not self.nulls_come_last,
        )

    def order(self) -> OrderBy:
        return OrderBy(
            F(self.path),
            descending=self.descending,
            nulls_first=self.nulls_first,
            nulls_last=self.nulls_last,
        )

    def _nulls_after(self) -> Q | None:
        if self.nullable and self.nulls_come_last:
            return Q(**{f"{self.path}__isnull": True})
        return None

    def beyond(self, value) -> Q | None:
        """Rows strictly after `value` in this term; None when there are none."""
        if value is None:
            return None if self.nulls_come_last else Q(**{f"{self.path}__isnull": False})
        beyond = Q(**{f"{self.path}__{'lt' if self.descending else 'gt'}": value})
        nulls = self._nulls_after()
        return beyond | nulls if nulls else beyond

    def at_or_beyond(self, value) -> Q:
        """`value` or after: the bound an index scan on this term starts from."""
        if value is None:
            return Q(**{f"{self.path}__isnull": True}) if self.nulls_come_last else Q()
        reached = Q(**{f"{self.path}__{'lte' if self.descending else 'gte'}": value})
        nulls = self._nulls_after()
        return reached | nulls if nulls else reached

    def equal(self, value) -> Q:
        if value is None:
            return Q(**{f"{self.path}__isnull": True})
        return Q(**{self.path: value})


def _field_at(model, path: str):
    """The concrete, single-valued field at the end of `path` and whether the path can give
    NULL; None when the path ends at a relation, crosses a many-valued one, or uses a lookup."""
    opts = model._meta
    parts = path.split(LOOKUP_SEP)
    nullable = False
    for position, part in enumerate(parts):
        try:
            field = opts.pk if part == "pk" else opts.get_field(part)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.many_to_many or field.one_to_many:
            return None
        nullable = nullable or field.null
        last = position == len(parts) - 1
        if field.is_relation:
            if last:
                return None
            opts = field.related_model._meta
        elif not last:
            return None
    return field, nullable


def _ordering_terms(queryset: QuerySet):
    """(path, descending, nulls_first, nulls_last) for each term of the queryset's ordering;
    None when a term is not a plain name (an expression, a random order, raw SQL)."""
    query = queryset.query
    if query.order_by:
        ordering = query.order_by
    elif query.default_ordering:
        ordering = query.get_meta().ordering
    else:
        ordering = ()
    terms = []
    for term in ordering:
        if isinstance(term, str):
            name = term.removeprefix("-")
            if name in ("", "?") or "." in name:
                return None
            terms.append((name, term.startswith("-"), None, None))
        elif isinstance(term, F):
            terms.append((term.name, False, None, None))
        elif isinstance(term, OrderBy) and isinstance(term.expression, F):
            terms.append((term.expression.name, term.descending, term.nulls_first, term.nulls_last))
        else:
            return None
    return terms


def ordering_keys(queryset: QuerySet) -> list[_Key] | None:
    """The queryset's ordering as keyset terms, made unique by the primary key; None when the
    ordering is not made of column values that a cursor can carry exactly."""
    query = queryset.query
    if (
        query.combinator
        or query.distinct_fields
        or query.extra_order_by
        or query.values_select
        or query.is_sliced
        or not query.standard_ordering
    ):
        return None
    terms = _ordering_terms(queryset)
    if terms is None:
        return None
    model = queryset.model
    pk_name = model._meta.pk.name
    nulls_largest = connections[queryset.db].features.nulls_order_largest
    keys = []
    for name, descending, nulls_first, nulls_last in terms:
        if name in query.annotation_select:
            annotation = query.annotation_select[name]
            if annotation.contains_aggregate:
                return None
            try:
                field = annotation.output_field
            except FieldError:
                return None
            attr, annotated, nullable = name, False, True
        else:
            resolved = _field_at(model, name)
            if resolved is None:
                return None
            field, nullable = resolved
            annotated = LOOKUP_SEP in name
            attr = f"pagination_key_{len(keys)}" if annotated else field.attname
            if name == "pk" or (field.model is model and field.name == pk_name):
                name = "pk"
        if isinstance(field, FloatField):
            return None
        if nulls_first or nulls_last:
            nulls_come_last = bool(nulls_last)
        else:
            nulls_come_last = nulls_largest != descending
        keys.append(
            _Key(
                name,
                attr,
                annotated,
                descending,
                nulls_first,
                nulls_last,
                nulls_come_last,
                nullable,
                field,
            )
        )
        if name == "pk":
            return keys
    pk = model._meta.pk
    return [*keys, _Key("pk", pk.attname, False, False, None, None, False, False, pk)]


def _after(keys: list[_Key], values: list) -> Q:
    """Rows after `values` in the order of `keys`: later in the first term, or tied in it and
    later in the next, and so on; led by a bound on the first term that an index can use."""
    clauses = []
    tied = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = key.beyond(value)
        if beyond is not None:
            clauses.append(tied & beyond)
        tied &= key.equal(value)
    later = reduce(or_, clauses) if clauses else Q(pk__in=[])
    return keys[0].at_or_beyond(values[0]) & later


def _json_value(value):
    # Full precision: a cursor that rounded a timestamp would skip or repeat rows.
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


# Pages.


class Page(Sequence):
    """One page of a list: its rows, whether there are pages either side, and their links
    (with the list's filters kept)."""

    def __init__(self, paginator, object_list, number, *, next_params=None, previous_params=None):
        self.paginator = paginator
        self.object_list = object_list
        self.number = number
        self._next_params = next_params
        self._previous_params = previous_params

    def __repr__(self) -> str:
        return f"<Page {self.number}>"

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def has_next(self) -> bool:
        return self._next_params is not None

    def has_previous(self) -> bool:
        return self._previous_params is not None

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_url(self) -> str | None:
        return self.paginator.url(self._next_params) if self.has_next() else None

    @property
    def previous_url(self) -> str | None:
        return self.paginator.url(self._previous_params) if self.has_previous() else None

    @property
    def first_url(self) -> str:
        return self.paginator.url({})

    @property
    def url(self) -> str:
        return self.paginator.request.get_full_path()

    @property
    def more_pages_after_next(self) -> bool:
        """Whether pages follow the next one (or may: the list was not counted, or the count
        stopped at its bound)."""
        last = self.paginator.counted_num_pages
        return self.has_next() and (last is None or last > self.number + 1)


class _Paginator:
    def __init__(
        self,
        queryset: QuerySet,
        per_page: int,
        request,
        *,
        count_bound=COUNT_BOUND,
        count_in_order=False,
    ):
        self.queryset = queryset
        self.per_page = per_page
        self.request = request
        self.count_bound = count_bound
        self.count_in_order = count_in_order

    @cached_property
    def count(self) -> int | None:
        """The list's length, None when more than `count_bound` (counted once, when shown)."""
        return bounded_count(self.queryset, self.count_bound, in_order=self.count_in_order)

    @property
    def num_pages(self) -> int | None:
        if self.count is None:
            return None
        return max(1, math.ceil(self.count / self.per_page))

    @property
    def counted_num_pages(self) -> int | None:
        """`num_pages` once the list has been counted (for a heading), else None: the page
        links never count on their own."""
        return self.num_pages if "count" in self.__dict__ else None

    def url(self, params: dict) -> str:
        """This page's address with the list's filters and `params` in place of the page's."""
        query = self.request.GET.copy()
        for name in (CURSOR_PARAM, PAGE_PARAM):
            query.pop(name, None)
        query.update(params)
        return f"{self.request.path}?{query.urlencode()}" if query else self.request.path


class NumberedPaginator(_Paginator):
    """Page N of a list in any order: per_page + 1 rows fetched to know if there is a next."""

    def page(self, number=None) -> Page:
        """Page `number` (from the request when not given); page one for a bad number or one
        past the end."""
        if number is None:
            number = self.request.GET.get(PAGE_PARAM)
        number = _page_number(number) or 1
        start = (number - 1) * self.per_page
        rows = list(self.queryset[start : start + self.per_page + 1])
        if not rows and number > 1:
            return self.page(1)
        previous_params = None
        if number > 1:
            # Page one's address carries no number.
            previous_params = {PAGE_PARAM: number - 1} if number > 2 else {}
        return Page(
            self,
            rows[: self.per_page],
            number,
            next_params={PAGE_PARAM: number + 1} if len(rows) > self.per_page else None,
            previous_params=previous_params,
        )


class KeysetPaginator(_Paginator):
    """Pages of a list ordered by column values, each read on from its neighbour's edge row.

    The cursor is signed and names the ordering it was made for: a cursor altered, made for
    another list, or past every row gives page one, never an error.
    """

    def __init__(self, queryset: QuerySet, per_page: int, request, *, keys=None, **kwargs):
        keys = keys or ordering_keys(queryset)
        if keys is None:
            raise ValueError("The queryset's ordering is not a key a cursor can carry.")
        super().__init__(queryset, per_page, request, **kwargs)
        self.keys = keys
        description = ",".join(
            f"{'-' if key.descending else ''}{key.path}:{key.nulls_come_last:d}" for key in keys
        )
        self._ordering_id = hashlib.sha256(
            f"{queryset.model._meta.label}|{description}".encode()
        ).hexdigest()[:16]

    def page(self, cursor=None) -> Page:
        """The page the cursor points at (from the request when not given); page one without
        one, or when it is not a good one."""
        if cursor is None:
            cursor = self.request.GET.get(CURSOR_PARAM)
        position = self._read(cursor)
        if position is None:
            return self._first()
        values, number, before = position
        if before:
            return self._before(values, number)
        return self._after(values, number)

    def _fetch(self, keys: list[_Key], values=None) -> list:
        rows = self.queryset.annotate(**{key.attr: F(key.path) for key in keys if key.annotated})
        if values is not None:
            rows = rows.filter(_after(keys, values))
        return list(rows.order_by(*(key.order() for key in keys))[: self.per_page + 1])

    def _first(self) -> Page:
        rows = self._fetch(self.keys)
        return self._page(rows[: self.per_page], 1, later=len(rows) > self.per_page, earlier=False)

    def _after(self, values, number) -> Page:
        rows = self._fetch(self.keys, values)
        if not rows:
            return self._first()
        later = len(rows) > self.per_page
        return self._page(rows[: self.per_page], max(number, 2), later=later, earlier=True)

    def _before(self, values, number) -> Page:
        rows = self._fetch([key.reversed() for key in self.keys], values)
        if not rows:
            return self._first()
        earlier = len(rows) > self.per_page
        rows = rows[: self.per_page][::-1]
        return self._page(rows, max(number, 2) if earlier else 1, later=True, earlier=earlier)

    def _page(self, rows, number, *, later: bool, earlier: bool) -> Page:
        next_params = previous_params = None
        if later:
            next_params = {CURSOR_PARAM: self._cursor(rows[-1], number + 1, before=False)}
        if earlier:
            # Page one's address carries no cursor.
            previous_params = (
                {CURSOR_PARAM: self._cursor(rows[0], number - 1, before=True)} if number > 2 else {}
            )
        return Page(self, rows, number, next_params=next_params, previous_params=previous_params)

    def _cursor(self, row, number: int, *, before: bool) -> str:
        values = [_json_value(getattr(row, key.attr)) for key in self.keys]
        payload = {"o": self._ordering_id, "n": number, "b": before, "v": values}
        return signing.dumps(payload, salt=_CURSOR_SALT, compress=True)

    def _read(self, cursor):
        """(values, page number, before) from a cursor; None when it is not a good one."""
        if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
            return None
        try:
            payload = signing.loads(cursor, salt=_CURSOR_SALT)
            if payload["o"] != self._ordering_id or len(payload["v"]) != len(self.keys):
                return None
            values = [
                None if raw is None else key.field.to_python(raw)
                for key, raw in zip(self.keys, payload["v"], strict=True)
            ]
            return values, int(payload["n"]), bool(payload["b"])
        except (signing.BadSignature, ValidationError, KeyError, TypeError, ValueError):
            return None


def paginate(request, queryset: QuerySet, per_page: int, *, count_in_order=False) -> Page:
    """The page of `queryset` that the request asks for: by keyset when its ordering allows,
    else by number; the total counted only up to COUNT_BOUND, and only if shown (in the list's
    order with `count_in_order`: see `bounded_count`)."""
    keys = ordering_keys(queryset)
    if keys is None:
        paginator = NumberedPaginator(queryset, per_page, request, count_in_order=count_in_order)
    else:
        paginator = KeysetPaginator(
            queryset, per_page, request, keys=keys, count_in_order=count_in_order
        )
    return paginator.page()


# The API.


class BoundedPageNumberPagination(PageNumberPagination):
    """The API's pages: page N of a list, per_page + 1 rows fetched to know if there is a next;
    `count` is exact up to COUNT_BOUND and null beyond it (follow `next` to read on)."""

    template = None
    count_bound = COUNT_BOUND

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        number = _page_number(request.query_params.get(self.page_query_param) or 1)
        if number is None:
            raise NotFound(self.invalid_page_message)
        start = (number - 1) * page_size
        rows = list(queryset[start : start + page_size + 1])
        if not rows and number > 1:
            raise NotFound(self.invalid_page_message)
        self.queryset = queryset
        self.number = number
        self.more = len(rows) > page_size
        return rows[:page_size]

    def get_paginated_response(self, data):
        return Response(
            {
                "count": bounded_count(self.queryset, self.count_bound),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self):
        if not self.more:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": f"How many match; null when more than {self.count_bound:,}.",
        }
        return response
