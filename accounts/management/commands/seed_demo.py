from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from accounts import demo

# Later seeds build on earlier ones (groups before the standards they own, standards before the
# datasets that conform to them). Each is idempotent.
APP_SEEDS = (
    "governance.demo.seed",
    "datasets_registry.demo.seed",
    "surveys.demo.seed",
)


class Command(BaseCommand):
    help = "Load the demo community (idempotent). Refused when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a public password and is refused when DEBUG is off."
            )
        self.stdout.write("Seeding the demo community…")
        people = demo.seed(stdout=self.stdout)
        for dotted in APP_SEEDS:
            import_string(dotted)(people=people, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo community ready."))
