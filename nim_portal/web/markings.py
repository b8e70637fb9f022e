"""The marking a page is printed under: the highest marking of what it shows."""

from nim_portal.choices import GSCMarking


def page_marking_of(records) -> int:
    """The highest marking among `records` (anything with a `marking`), OFFICIAL when there are
    none."""
    return max((record.marking for record in records), default=GSCMarking.OFFICIAL)
