"""Walking a paginated list page by page, counting each page's queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def two_pages(client, url, params=None, *, name="page_obj") -> tuple[int, int]:
    """The queries of a list's first page and of the second, reached by its "Next" link.

    Checks on the way that the second page follows the first without repeating a row and that
    the link keeps the list's filters.
    """
    params = params or {}
    client.get(url, params)  # the session's first save is not the page's
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(url, params)
    assert first.status_code == 200
    page = first.context[name]
    assert page.number == 1 and page.has_next()
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(page.next_url)
    assert second.status_code == 200
    following = second.context[name]
    assert following.number == 2 and following.has_previous()
    assert not {row.pk for row in page} & {row.pk for row in following}
    assert all(second.wsgi_request.GET.get(key) == str(value) for key, value in params.items())
    return len(first_queries), len(second_queries)
