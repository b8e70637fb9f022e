"""What a change to a unit reaches: the records at or below it, counted before an administrator
moves or deactivates it, so that the confirmation page can say what the change affects.

The core counts its own (the units below, the people holding a role there); each app registers
the records of its own that the change reaches from its AppConfig.ready(), declaring which of its
models, by which unit field, narrowed how (`register_unit_impact`). The core knows no app: it
counts every registered kind the same way, one query each, over the unit's part of the tree.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, Q

from nim_portal import access
from nim_portal.models import Membership, Unit


@dataclass(frozen=True)
class UnitImpact:
    """Records of `model` whose unit (`unit_field`) is the changed unit or one below it, and that
    `where()` keeps (open ones, upcoming ones), named in the plural by `label`."""

    key: str
    label: str
    model: type[Model]
    unit_field: str = "unit"
    where: Callable[[], Q] = Q


@dataclass(frozen=True)
class CountedImpact:
    label: str
    count: int


_impacts: dict[str, UnitImpact] = {}


def register_unit_impact(
    *,
    key: str,
    label: str,
    model: type[Model],
    unit_field: str = "unit",
    where: Callable[[], Q] = Q,
) -> None:
    """Count the records of `model` at or below a unit that is moved or deactivated."""
    _impacts[key] = UnitImpact(key, label, model, unit_field, where)


def unit_impact(unit: Unit) -> list[CountedImpact]:
    """What a change to `unit` reaches: the units below it, the people holding a role in it or
    below it, then each app's registered records. One query each."""
    below = Unit.objects.filter(access.at_or_below(unit, None)).exclude(pk=unit.pk)
    people = (
        Membership.objects.filter(access.at_or_below(unit)).values("user_id").distinct().count()
    )
    counted = [
        CountedImpact("units below it", below.count()),
        CountedImpact("people holding a role in it or below it", people),
    ]
    for impact in _impacts.values():
        records = impact.model._default_manager.filter(
            access.at_or_below(unit, impact.unit_field), impact.where()
        )
        counted.append(CountedImpact(impact.label, records.count()))
    return counted
