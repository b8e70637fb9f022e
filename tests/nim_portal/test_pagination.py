"""nim_portal.pagination: keyset pages that read on from their neighbour's edge row, numbered
pages for other orderings, counts that stop at their bound, links that keep the filters, bad
cursors that give page one; the API's bounded page-number pagination and the page links."""

import datetime

import pytest
from django.core import signing
from django.db import connection
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Length
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from nim_portal.choices import Role
from nim_portal.models import Membership, User
from nim_portal.pagination import (
    CURSOR_PARAM,
    MAX_PAGE_NUMBER,
    BoundedPageNumberPagination,
    KeysetPaginator,
    NumberedPaginator,
    bounded_count,
    ordering_keys,
    paginate,
)
from nim_portal.templatetags.pagination import counted
from tests.factories import member

pytestmark = pytest.mark.django_db

LIST = "/people/"
SURNAMES = ["Ahmed", "Brown", "Brown", "Brown", "Clarke", "Clarke", "Davies"]


@pytest.fixture
def people(db):
    """Surnames and first names that tie, vetting dates that tie and are often missing."""
    today = datetime.date(2026, 6, 1)
    return User.objects.bulk_create(
        User(
            username=f"person{n:02}",
            last_name=SURNAMES[n % len(SURNAMES)],
            first_name="Sam" if n % 3 else "Alex",
            vetting_expires_on=None if n % 4 == 0 else today + datetime.timedelta(days=n % 3),
        )
        for n in range(23)
    )


def request(**params):
    return RequestFactory().get(LIST, params)


def keyset(queryset, per_page=5, **params):
    return KeysetPaginator(queryset, per_page, request(**params))


def walk_forward(queryset, per_page=5):
    """Every page from the first by its "next" cursors: (pages, the last page)."""
    pages, page = [], keyset(queryset, per_page).page()
    while True:
        pages.append(list(page))
        if not page.has_next():
            return pages, page
        page = keyset(queryset, per_page).page(_param(page.next_url))


def _param(url: str, name: str = CURSOR_PARAM) -> str:
    query = RequestFactory().get(url).GET
    return query.get(name)


ORDERINGS = [
    ["last_name", "first_name"],
    ["-last_name", "first_name"],
    ["vetting_expires_on", "last_name"],
    ["-vetting_expires_on", "-first_name"],
    [F("vetting_expires_on").asc(nulls_last=True), "last_name"],
    [F("vetting_expires_on").desc(nulls_last=True), "first_name"],
    [F("vetting_expires_on").asc(nulls_first=True)],
    ["-date_joined", "-id"],
]


class TestKeysetPages:
    @pytest.mark.parametrize("ordering", ORDERINGS, ids=str)
    def test_next_then_previous_walk_the_whole_list_in_its_order_across_ties(
        self, people, ordering
    ):
        queryset = User.objects.order_by(*ordering)
        expected = list(queryset.order_by(*ordering, "pk"))

        pages, last = walk_forward(queryset)

        assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
        assert [person for page in pages for person in page] == expected
        assert last.number == 5 and last.has_previous()
        back, page = [], last
        while page.has_previous():
            page = keyset(queryset).page(_param(page.previous_url))
            back.append(list(page))
        assert back == pages[-2::-1]
        assert page.number == 1

    def test_ordering_through_relations_and_by_an_integer_annotation(self, people, hierarchy):
        Membership.objects.bulk_create(
            Membership(user=person, unit=unit, role=Role.MEMBER)
            for person in people
            for unit in (hierarchy.force, hierarchy.bcu)
        )
        memberships = Membership.objects.order_by("user__last_name", "-unit__path")
        rows, _ = walk_forward(memberships, per_page=7)
        expected = list(memberships.order_by("user__last_name", "-unit__path", "pk"))
        assert [membership for page in rows for membership in page] == expected

        grouped = User.objects.annotate(
            group=Case(When(vetting_expires_on=None, then=Value(0)), default=Value(1))
        ).order_by("group", "-username")
        rows, _ = walk_forward(grouped)
        assert [p for page in rows for p in page] == list(grouped.order_by("group", "-username"))

    def test_the_previous_link_of_page_two_is_page_one_without_a_cursor(self, people):
        first = keyset(User.objects.order_by("last_name"), vetting="mv").page()
        second = keyset(User.objects.order_by("last_name"), vetting="mv").page(
            _param(first.next_url)
        )
        assert second.number == 2
        assert second.previous_url == f"{LIST}?vetting=mv" == second.first_url

    def test_a_page_reads_its_rows_in_one_query_and_never_counts_unbounded(self, people):
        queryset = User.objects.order_by("last_name", "first_name")
        with CaptureQueriesContext(connection) as queries:
            page = keyset(queryset).page()
            second = keyset(queryset).page(_param(page.next_url))
            assert len(list(second)) == 5
            assert page.paginator.count == 23 and page.paginator.num_pages == 5
        assert len(queries) == 3
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        assert len(counts) == 1
        assert all("LIMIT" in sql.upper() for sql in counts)
        # The page's query starts at the cursor's row: no OFFSET over the rows before it.
        assert "OFFSET" not in queries[1]["sql"].upper()

    def test_a_count_past_its_bound_is_none_and_reads_as_more_than(self, people):
        paginator = KeysetPaginator(User.objects.all(), 5, request(), count_bound=20)
        page = paginator.page()
        assert paginator.count is None and paginator.num_pages is None
        assert counted(page, "person", "people") == "More than 20 people"
        assert bounded_count(User.objects.all(), 23) == 23
        assert bounded_count(User.objects.all(), 22) is None
        assert (
            counted(keyset(User.objects.filter(username="person01")).page(), "person", "people")
            == "1 person"
        )

    def test_a_list_may_be_counted_in_its_own_order(self, people):
        users = User.objects.order_by("-username")
        with CaptureQueriesContext(connection) as unordered:
            assert bounded_count(users, 23) == 23
        with CaptureQueriesContext(connection) as in_order:
            assert bounded_count(users, 23, in_order=True) == 23
            assert bounded_count(users, 22, in_order=True) is None
        assert "ORDER BY" not in unordered.captured_queries[0]["sql"]
        assert "ORDER BY" in in_order.captured_queries[0]["sql"]
        paginator = KeysetPaginator(users, 5, request(), count_in_order=True)
        with CaptureQueriesContext(connection) as counted_in_order:
            assert paginator.count == 23
        assert "ORDER BY" in counted_in_order.captured_queries[0]["sql"]


class TestBadCursors:
    def good_cursor(self):
        return _param(keyset(User.objects.order_by("last_name")).page().next_url)

    @pytest.mark.parametrize(
        "cursor",
        [
            "",
            "garbage",
            "x" * 5000,
            "eyJvIjoxfQ:1abc:def",
            ".eJyrVkrOz0vPLC5RslIoyc_VUUotyczPUbJSSs7PK0nNK1GqBQBEKwxo:sig",
        ],
    )
    def test_garbage_gives_page_one(self, people, cursor):
        page = keyset(User.objects.order_by("last_name")).page(cursor)
        assert page.number == 1 and not page.has_previous() and len(page) == 5

    def test_an_altered_cursor_gives_page_one(self, people):
        cursor = self.good_cursor()
        altered = cursor[:-3] + ("aaa" if not cursor.endswith("aaa") else "bbb")
        assert keyset(User.objects.order_by("last_name")).page(altered).number == 1

    def test_a_cursor_of_another_ordering_gives_page_one(self, people):
        cursor = self.good_cursor()
        page = keyset(User.objects.order_by("-date_joined")).page(cursor)
        assert page.number == 1
        assert list(page) == list(User.objects.order_by("-date_joined", "pk")[:5])

    def test_a_signed_cursor_with_values_of_the_wrong_kind_gives_page_one(self, people):
        paginator = keyset(User.objects.order_by("vetting_expires_on"))
        for values in (["not a date", 1], [1], "abc", None):
            payload = {"o": paginator._ordering_id, "n": 3, "b": False, "v": values}
            cursor = signing.dumps(payload, salt="nim_portal.pagination.cursor")
            assert paginator.page(cursor).number == 1

    def test_a_cursor_past_the_last_row_gives_page_one(self, people):
        queryset = User.objects.order_by("username")
        _, last = walk_forward(queryset)
        past = keyset(queryset).page(_param(last.previous_url))
        assert past.number == 4
        User.objects.filter(pk__in=[p.pk for p in last] + [p.pk for p in past]).delete()
        assert keyset(queryset).page(_param(past.next_url)).number == 1

    def test_a_view_given_a_bad_cursor_answers_page_one(self, client, people, hierarchy):
        client.force_login(member(hierarchy.national, Role.ADMIN))
        response = client.get(reverse("audit:log"), {CURSOR_PARAM: "tampered:cursor"})
        assert response.status_code == 200
        assert response.context["page_obj"].number == 1


class TestLinksKeepTheFilters:
    def test_next_previous_and_first_links_keep_every_other_parameter(self, people):
        queryset = User.objects.order_by("username")
        params = {"name": "Brown & co", "role": "member", "page": "7"}
        first = keyset(queryset, **params).page()
        second = keyset(queryset, **params).page(_param(first.next_url))
        third = keyset(queryset, **params).page(_param(second.next_url))
        for url in (first.next_url, third.previous_url, third.first_url):
            query = RequestFactory().get(url).GET
            assert query["name"] == "Brown & co" and query["role"] == "member"
            assert "page" not in query
        assert CURSOR_PARAM not in RequestFactory().get(third.first_url).GET
        assert third.number == 3

    def test_the_partial_marks_the_current_page_and_links_its_neighbours(self, people):
        queryset = User.objects.order_by("username")
        first = keyset(queryset, name="Brown").page()
        second = keyset(queryset, name="Brown").page(_param(first.next_url))
        assert second.paginator.count == 23
        html = render_to_string("nim_portal/components/pagination.html", {"page_obj": second})
        assert '<nav class="govuk-pagination" aria-label="Pages">' in html
        assert 'aria-label="Page 2 of 5" aria-current="page">2</a>' in html
        assert 'rel="prev"' in html and 'rel="next"' in html
        assert 'Previous<span class="govuk-visually-hidden"> page</span>' in html
        assert 'Next<span class="govuk-visually-hidden"> page</span>' in html
        assert f'href="{LIST}?name=Brown"' in html
        assert "name=Brown&amp;cursor=" in html

    def test_the_partial_does_not_count_on_its_own(self, people):
        page = keyset(User.objects.order_by("username")).page()
        with CaptureQueriesContext(connection) as queries:
            html = render_to_string("nim_portal/components/pagination.html", {"page_obj": page})
        assert len(queries) == 0
        assert 'aria-label="Page 1" aria-current="page"' in html
        assert "govuk-pagination__item--ellipsis" in html

    def test_one_page_has_no_pagination(self, people):
        page = keyset(User.objects.order_by("username"), per_page=50).page()
        assert (
            render_to_string("nim_portal/components/pagination.html", {"page_obj": page}).strip()
            == ""
        )


class TestNumberedPages:
    def test_orderings_a_cursor_cannot_carry_page_by_number(self, people):
        for queryset in (
            User.objects.annotate(rank=Value(0.5, output_field=FloatField())).order_by("-rank"),
            User.objects.order_by(Length("last_name")),
            User.objects.order_by("?"),
            Membership.objects.order_by("unit"),
            User.objects.order_by("date_joined__date"),
        ):
            assert ordering_keys(queryset) is None
        ranked = User.objects.annotate(rank=Length("username") * 1.0).order_by("-rank", "pk")
        page = paginate(request(), ranked, 5)
        assert isinstance(page.paginator, NumberedPaginator)
        assert page.next_url == f"{LIST}?page=2"
        assert isinstance(paginate(request(), User.objects.all(), 5).paginator, KeysetPaginator)

    def test_pages_by_number_with_bad_numbers_giving_page_one(self, people):
        queryset = User.objects.order_by("username")
        rows = list(queryset)
        pages = NumberedPaginator(queryset, 5, request(name="x"))
        assert list(pages.page("2")) == rows[5:10]
        fifth = pages.page(5)
        assert list(fifth) == rows[20:] and not fifth.has_next()
        assert fifth.previous_url == f"{LIST}?name=x&page=4"
        assert pages.page(2).previous_url == f"{LIST}?name=x"
        for bad in ("0", "-1", "two", "9" * 30, str(MAX_PAGE_NUMBER + 1), "6"):
            assert pages.page(bad).number == 1
        assert NumberedPaginator(queryset, 5, request(page="3")).page().number == 3


class TestAPIPagination:
    def paginate(self, queryset, bound, **params):
        pagination = BoundedPageNumberPagination()
        pagination.page_size = 5
        pagination.count_bound = bound
        api_request = Request(APIRequestFactory().get("/api/v1/people/", params))
        rows = pagination.paginate_queryset(queryset, api_request)
        return rows, pagination.get_paginated_response([p.pk for p in rows]).data

    def test_the_count_is_exact_below_its_bound_and_null_above(self, people):
        queryset = User.objects.order_by("username")
        with CaptureQueriesContext(connection) as queries:
            rows, data = self.paginate(queryset, 100, page=2)
        assert len(queries) == 2
        assert all("LIMIT" in q["sql"].upper() for q in queries)
        assert data["count"] == 23 and len(rows) == 5
        assert data["next"].endswith("?page=3") and data["previous"].endswith("/people/")
        _, data = self.paginate(queryset, 10, page=5)
        assert data["count"] is None and data["next"] is None
        assert data["previous"].endswith("?page=4")

    @pytest.mark.parametrize("page", ["0", "x", "6"])
    def test_a_bad_page_is_not_found_as_before(self, people, page):
        with pytest.raises(NotFound):
            self.paginate(User.objects.order_by("username"), 100, page=page)

    def test_the_schema_says_the_count_may_be_null(self):
        schema = BoundedPageNumberPagination().get_paginated_response_schema({"type": "array"})
        assert schema["properties"]["count"]["nullable"] is True
        assert schema["properties"]["results"] == {"type": "array"}
