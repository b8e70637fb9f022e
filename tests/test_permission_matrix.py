"""The permission matrix (tests.permission_matrix) against the URLconf and the running portal.

Every URL pattern must have its row, and every row its pattern. Each (pattern, role) is a test:
the role, signed in (or not), requests the row's URL for the record of the fixture world, and
gets what the row says. The world is built once for the module, in a transaction rolled back at
its end; each test runs in a savepoint of it, so that a POST changes nothing for the next.
"""

import pytest
from django.conf import settings
from django.test import Client

from tests.matrix_world import ROUTES, World, answered, described, url_of, world_in_transaction
from tests.permission_matrix import ADMIN_GROUP, LOGIN, ROLES, ROWS

# The whole module on one worker, so that its world is built once.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("permission-matrix")]

# What a URL for changing may answer GET with, besides 405: the refusal its method gets.
REFUSALS = {LOGIN, "403", "404"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world and a signed-in session for each role, in a transaction rolled back after the
    module's tests."""
    with world_in_transaction(django_db_blocker, World, ROLES[1:]) as built:
        yield built


def _covered_name(name: str) -> str:
    return ADMIN_GROUP if name.startswith(ADMIN_GROUP) else name


def test_every_url_pattern_has_a_row():
    covered = {_covered_name(row.name) for row in ROWS}
    missing = sorted({name for name in ROUTES if _covered_name(name) not in covered})
    assert not missing, f"URL patterns with no row in tests/permission_matrix.py: {missing}"


def test_every_row_names_a_url_pattern():
    names = [row.name for row in ROWS]
    stale = sorted(name for name in names if name not in ROUTES)
    assert not stale, f"rows of tests/permission_matrix.py naming no URL pattern: {stale}"
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"URL patterns with more than one row: {repeated}"


def _cases():
    for row in ROWS:
        for role in ROLES:
            marks = []
            if role in row.wrong:
                marks.append(pytest.mark.xfail(strict=True, reason=row.wrong[role]))
            yield pytest.param(row, role, id=f"{row.name}-{role}", marks=marks)


@pytest.mark.parametrize(("row", "role"), list(_cases()))
def test_role_gets_what_the_matrix_says(world, row, role):
    client = Client()
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = url_of(row, ROUTES[row.name], world, role)
    expected = row.expected(role)
    if row.method != "get":
        # A URL for changing answers GET with 405, or with the refusal its method gets.
        response = client.get(url)
        refused_alike = expected in REFUSALS and answered(response, expected)
        assert response.status_code == 405 or refused_alike, (
            f"GET {url} as {role}: {described(response)}"
        )
        body = {"content_type": "application/json"} if row.name.startswith("api:") else {}
        response = getattr(client, row.method)(url, **body)
    else:
        response = client.get(url)
    assert answered(response, expected), (
        f"{row.method.upper()} {url} as {role}: {described(response)}, the matrix says {expected}"
    )
