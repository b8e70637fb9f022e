"""Record ids from URLs, forms and the API: parsed one way everywhere."""

from django.http import Http404

# The largest id a database column holds: a larger one would overflow in SQLite, not miss.
MAX_DATABASE_ID = 2**63 - 1


def id_or_404(value, what: str) -> int:
    """`value` as a record id, or the same 404 a missing record gives (ids cannot be probed)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}.") from None
    if not 0 < pk <= MAX_DATABASE_ID:
        raise Http404(f"No such {what}.")
    return pk
