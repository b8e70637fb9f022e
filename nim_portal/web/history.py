"""A record's change history as its page shows it (templates/nim_portal/components/history.html):
simple-history's records, newest first, each compared with the one before it."""

from dataclasses import dataclass, field

# The entries a history page shows.
HISTORY_LIMIT = 50


@dataclass(frozen=True)
class FieldChange:
    """One field of a change: its name, and its value before and after."""

    name: str
    old: object
    new: object


@dataclass
class HistoryEntry:
    """One change of a record, as the page shows it: who, when, why and which fields changed;
    `record` names which record it was, on a page that shows the history of several."""

    when: object
    who: object
    kind: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    record: str = ""


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
                FieldChange(change.field, change.old, change.new)
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
