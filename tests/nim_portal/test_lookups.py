"""`any_of` selects what `in` selects, written so that PostgreSQL plans it from the index."""

import pytest
from django.db import connection

from nim_portal.models import Unit

pytestmark = pytest.mark.django_db


def test_any_of_selects_what_in_selects(hierarchy):
    forces = Unit.objects.filter(path__startswith=hierarchy.force.path).values("pk")

    by_any_of = Unit.objects.filter(pk__any_of=forces).order_by("pk")
    by_in = Unit.objects.filter(pk__in=forces).order_by("pk")

    assert list(by_any_of) == list(by_in)
    assert len(by_in) > 1
    assert not Unit.objects.filter(pk__any_of=Unit.objects.none().values("pk")).exists()
    sql = str(by_any_of.query)
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql
    else:
        assert " IN (SELECT" in sql
