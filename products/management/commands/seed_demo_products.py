from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from products.demo import seed_demo_products


class Command(BaseCommand):
    help = (
        "Add the demo products (the four kinds, in several states) to the demo hierarchy, built "
        "by the demo people through the products services. Run after `seed_demo`. Safe to run "
        "again: a product already present is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, quiet: bool = False, **options):
        try:
            # The seeded history notifies the demo people in the portal; nobody is e-mailed
            # about work that happened before the demo started.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                result = seed_demo_products()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if quiet or options["verbosity"] == 0:
            return
        self.stdout.write(
            f"Demo products: {len(result.created)} created, {len(result.present)} already present."
        )
        for title in result.created:
            self.stdout.write(f"  created: {title}")
