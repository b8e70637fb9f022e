from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from tasking.demo import seed_demo_tasking


class Command(BaseCommand):
    help = (
        "Add the demo tasking: control strategies with scored, ranked priorities and approved "
        "intelligence requirements for West Midlands Police, Birmingham East, Birmingham West and "
        "the neighbouring Staffordshire Police (with the chairs of the force and Birmingham West "
        "and Birmingham East's analyst), their past meetings held with published tactical "
        "assessments and minutes, Birmingham East's and Staffordshire's action logs, a "
        "commissioned profile, escalations, a sideways request from the force to Staffordshire, "
        "every unit's upcoming meetings by the cadence, and Birmingham East's next "
        "TT&CG moved to later today, through the tasking services. Run after `seed_demo`, "
        "`seed_demo_products` and `seed_demo_partners`. Safe to run again: what is present is "
        "left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, quiet: bool = False, **options):
        try:
            # Nobody is e-mailed invitations or notifications about the seeded demo.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                result = seed_demo_tasking()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if quiet or options["verbosity"] == 0:
            return
        self.stdout.write(
            f"Demo tasking: {len(result.created)} created, {len(result.present)} already present."
        )
        for name in result.created:
            self.stdout.write(f"  created: {name}")
