from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from nim_portal.choices import UnitKind
from nim_portal.demo.seed import demo_password, seed_demo

COLUMNS = ("username", "role", "unit", "vetting", "password")
UNIT_KIND_PLURALS = {
    UnitKind.NATIONAL: "national",
    UnitKind.REGION: "regions",
    UnitKind.FORCE: "forces",
    UnitKind.BCU: "BCUs",
}


class Command(BaseCommand):
    help = (
        "Create the demo hierarchy (national, the 10 regions and 43 forces of England and Wales, "
        "BCUs in four forces) and the demo users, all with the password in NIM_DEMO_PASSWORD. "
        "Safe to run again: it creates only what is missing and resets the demo passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, quiet: bool = False, **options):
        try:
            result = seed_demo(demo_password())
        except ValidationError as exc:
            raise CommandError(
                "The demo password (NIM_DEMO_PASSWORD) is refused by the password validators: "
                + " ".join(exc.messages)
            ) from exc
        if quiet or options["verbosity"] == 0:
            return

        created = ", ".join(
            f"{result.units_created[kind]} {label}" for kind, label in UNIT_KIND_PLURALS.items()
        )
        people = f"{result.people_created} created, {result.people_updated} updated"
        self.stdout.write(f"Demo data: units created: {created}; people: {people}.")
        if not result.changed_anything:
            self.stdout.write("Nothing to change: the demo data was already in place.")
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins"))
        rows = [COLUMNS] + [tuple(getattr(login, c) for c in COLUMNS) for login in result.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        for index, row in enumerate(rows):
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
