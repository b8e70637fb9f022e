"""The demo's register of tactical capability: Birmingham East's teams and specialist assets,
added by its chair through the services, one of them retired. What is present (by name in the
unit) is left as it is."""

from dataclasses import dataclass

from tasking.demo_cast import DemoCast, DemoResult
from tasking.resources import services
from tasking.resources.choices import CapabilityKind
from tasking.resources.models import Capability


@dataclass(frozen=True)
class DemoCapability:
    kind: str
    name: str
    hours_per_cycle: int
    retired: bool = False


NEIGHBOURHOOD_TEAM = "Neighbourhood policing team, Hodge Hill"
PROACTIVE_TEAM = "Proactive team"
DRUGS_DOG = "Drugs dog and handler"

DEMO_CAPABILITIES = (
    DemoCapability(CapabilityKind.TEAM, NEIGHBOURHOOD_TEAM, 120),
    DemoCapability(CapabilityKind.TEAM, PROACTIVE_TEAM, 80),
    DemoCapability(CapabilityKind.SPECIALIST, DRUGS_DOG, 24),
    DemoCapability(CapabilityKind.SPECIALIST, "Test purchase officers", 30),
    DemoCapability(CapabilityKind.TEAM, "Summer ASB patrol team", 60, retired=True),
)


def seed_capabilities(cast: DemoCast, result: DemoResult) -> None:
    """Birmingham East's register, as its chair keeps it."""
    present = set(Capability.objects.filter(unit=cast.bcu).values_list("name", flat=True))
    for demo in DEMO_CAPABILITIES:
        if demo.name in present:
            result.present.append(f"Capability: {demo.name}")
            continue
        capability = services.capability_add(
            acting_user=cast.chair,
            unit=cast.bcu,
            kind=demo.kind,
            name=demo.name,
            hours_per_cycle=demo.hours_per_cycle,
        )
        if demo.retired:
            services.capability_retire(
                acting_user=cast.chair, capability=capability, expected_version=capability.version
            )
        result.created.append(f"Capability: {demo.name}")
