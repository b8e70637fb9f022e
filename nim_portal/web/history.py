"""A record's change history as its page shows it: simple-history's records, newest first, each
compared with the one before it."""

from dataclasses import dataclass, field

# The entries a history page shows.
HISTORY_LIMIT = 50


@dataclass
class HistoryEntry:
    """One change of a record, as the page shows it: who, when, why and which fields changed."""

    when: object
    who: object
    kind: str
    reason: str
    changes: list = field(default_factory=list)


HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


def history_entries(records, fields: list[str]) -> list[HistoryEntry]:
    """Turn history records (newest first, with one older record beyond the page) into entries,
    each compared with the record before it."""
    records = list(records)
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if len(entries) == HISTORY_LIMIT:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older, included_fields=fields)
            changes = [
                (change.field, change.old, change.new)
                for change in delta.changes
                if change.old != change.new
            ]
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=newer.history_user,
                kind=HISTORY_TYPES.get(newer.history_type, newer.history_type),
                reason=newer.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
