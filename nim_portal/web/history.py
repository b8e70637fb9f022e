"""A record's change history as its page shows it (templates/nim_portal/components/history.html):
simple-history's records, newest first, each compared with the one before it, in the reader's
words: each field by its verbose name, a choice by its label, a yes/no as such and a related
record by its name (not `owner_id`, `in_progress` or a bare id)."""

from collections import defaultdict
from dataclasses import dataclass, field

# The entries a history page shows.
HISTORY_LIMIT = 50


@dataclass(frozen=True)
class FieldChange:
    """One field of a change: its name, and its value before and after, as the reader reads
    them."""

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


def _shown(model_field, value, related: dict) -> object:
    """A field's stored value as the reader reads it."""
    if value is None or value == "":
        return None
    if model_field.is_relation:
        return related.get((model_field.related_model, value), value)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def history_entries(records, fields: list[str]) -> list[HistoryEntry]:
    """Turn history records (newest first, with one older record beyond the page) into entries,
    each compared with the record before it; the records a change names are read once per kind
    of record, whatever the number of entries."""
    records = list(records)
    deltas = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if len(deltas) == HISTORY_LIMIT:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older, included_fields=fields)
            changes = [
                (newer._meta.get_field(change.field), change.old, change.new)
                for change in delta.changes
                if change.old != change.new
            ]
        deltas.append((newer, changes))

    wanted = defaultdict(set)
    for _, changes in deltas:
        for model_field, old, new in changes:
            if model_field.is_relation:
                wanted[model_field.related_model].update(v for v in (old, new) if v is not None)
    related = {
        (model, pk): record
        for model, ids in wanted.items()
        for pk, record in model._default_manager.in_bulk(ids).items()
    }
    return [
        HistoryEntry(
            when=newer.history_date,
            who=newer.history_user,
            kind=HISTORY_TYPES.get(newer.history_type, newer.history_type),
            reason=newer.history_change_reason or "",
            changes=[
                FieldChange(
                    str(model_field.verbose_name),
                    _shown(model_field, old, related),
                    _shown(model_field, new, related),
                )
                for model_field, old, new in changes
            ],
        )
        for newer, changes in deltas
    ]
