import re

import pytest
from django.http import Http404

from nim_portal.ids import ID_PATTERN, MAX_DATABASE_ID, id_or_404, parse_id


@pytest.mark.parametrize(
    ("value", "pk"), [(1, 1), ("42", 42), (str(MAX_DATABASE_ID), MAX_DATABASE_ID)]
)
def test_an_id_is_a_whole_number_from_one_to_the_largest_a_column_holds(value, pk):
    assert parse_id(value) == pk
    assert id_or_404(value, "unit") == pk


@pytest.mark.parametrize(
    "value",
    [
        0,
        -1,
        "0",
        "-1",
        "+1",
        " 1",
        "1.0",
        "1_000",
        "²",
        "x",
        "",
        None,
        True,
        1.0,
        MAX_DATABASE_ID + 1,
        str(MAX_DATABASE_ID + 1),
        "9" * 5000,
    ],
)
def test_anything_else_is_not_an_id_and_gives_the_404_of_a_missing_record(value):
    assert parse_id(value) is None
    with pytest.raises(Http404, match=r"No such unit\."):
        id_or_404(value, "unit")


def test_the_longest_id_the_url_pattern_matches_fits_a_column():
    assert re.fullmatch(ID_PATTERN, "9" * 18)
    assert not re.fullmatch(ID_PATTERN, "9" * 19)
    assert parse_id("9" * 18) == int("9" * 18)
