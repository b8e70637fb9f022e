"""The marking a page is printed under: the highest marking of what it shows.

A record made of parts marked each on its own (a product's sections) may show one reader some
parts and withhold others: its page is marked as the highest part shown, and its banner says that
parts were withheld (`PortionMarking`).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from nim_portal.choices import GSCMarking


def page_marking_of(records) -> int:
    """The highest marking among `records` (anything with a `marking`), OFFICIAL when there are
    none."""
    return max((record.marking for record in records), default=GSCMarking.OFFICIAL)


@dataclass(frozen=True)
class PortionMarking:
    """What a reader is shown of a portion-marked record: the highest marking of the parts shown
    (`shown`) and of the parts withheld from them (`withheld`, None when nothing is)."""

    shown: int
    withheld: int | None = None

    @classmethod
    def of(cls, shown: Iterable[int], withheld: Iterable[int] = ()) -> "PortionMarking":
        return cls(
            shown=max(shown, default=GSCMarking.OFFICIAL), withheld=max(withheld, default=None)
        )

    def label(self, descriptor: str = "") -> str:
        """The marking shown, as printed (with the record's descriptor, if any)."""
        label = GSCMarking(self.shown).label
        return f"{label} {descriptor}" if descriptor else label

    @property
    def withheld_note(self) -> str:
        """What the marking banner says of the parts withheld; "" when none is."""
        if self.withheld is None:
            return ""
        return f"Parts marked {GSCMarking(self.withheld).label} withheld"

    def page_context(self, descriptor: str = "") -> dict:
        """The page's marking banner (nim_portal.templatetags.portal.marking_banner)."""
        return {"page_marking": self.label(descriptor), "page_withheld": self.withheld_note}
