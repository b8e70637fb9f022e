"""A NUL byte typed into any search or filter is bad input answered calmly, never a 500
(PostgreSQL refuses NUL in text: on PostgreSQL these reach the database's edge)."""

import pytest

from nim_portal.choices import Role
from tests.factories import member

pytestmark = pytest.mark.django_db

SEARCHES = [
    "/products/?q=%00",
    "/products/?q=burglary%00",
    "/api/v1/products/?search=%00",
    "/search/?q=%00",
    "/staff/audit/?text=%00",
    "/staff/audit/?person=%00",
]


@pytest.mark.parametrize("address", SEARCHES)
def test_a_nul_byte_in_a_search_is_no_server_error(client, hierarchy, address):
    admin = member(hierarchy.national, Role.ADMIN, username="nul-admin")
    client.force_login(admin)
    response = client.get(address)
    assert response.status_code in (200, 400)
