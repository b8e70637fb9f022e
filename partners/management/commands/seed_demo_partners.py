from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from partners.demo import seed_demo_partners


class Command(BaseCommand):
    help = (
        "Add the demo partner agencies (Birmingham City Council's community safety team and West "
        "Midlands Fire Service), their people (the demo `partner` among them) and releases of the "
        "force strategic assessment in several states, through the partners services. Run after "
        "`seed_demo` and `seed_demo_products`. Safe to run again: what is present is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, quiet: bool = False, **options):
        try:
            # The seeded history notifies the demo people in the portal; nobody is e-mailed.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                result = seed_demo_partners()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if quiet or options["verbosity"] == 0:
            return
        self.stdout.write(
            f"Demo partners: {len(result.created)} created, {len(result.present)} already present."
        )
        for name in result.created:
            self.stdout.write(f"  created: {name}")
