"""Record ids from URLs, forms and the API: parsed one way everywhere."""

import re

from django.http import Http404

# The largest id a database column holds: a larger one would overflow in SQLite, not miss.
MAX_DATABASE_ID = 2**63 - 1
# MAX_DATABASE_ID as a URL pattern: up to 18 digits always fit.
ID_PATTERN = "[0-9]{1,18}"
# The digits of an id as text: no sign, no spaces, no more digits than MAX_DATABASE_ID has.
_ID_DIGITS = re.compile(f"[0-9]{{1,{len(str(MAX_DATABASE_ID))}}}")


def parse_id(value) -> int | None:
    """`value` (a whole number, or its digits as text) as a record id, or None when it is not
    one: ids run from 1 to MAX_DATABASE_ID."""
    if isinstance(value, str):
        if not _ID_DIGITS.fullmatch(value):
            return None
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return value if 0 < value <= MAX_DATABASE_ID else None


def id_or_404(value, what: str) -> int:
    """`value` as a record id, or the same 404 a missing record gives (ids cannot be probed)."""
    pk = parse_id(value)
    if pk is None:
        raise Http404(f"No such {what}.")
    return pk
