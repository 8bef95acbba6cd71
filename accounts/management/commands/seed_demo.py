from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from accounts import demo
from notifications import demo as notifications_demo

# Later seeds build on earlier ones (groups before the standards they own, standards before the
# datasets that conform to them). Each is idempotent and makes each of its parts (a group, a
# proposal, a dataset, a survey) in one transaction, whole or not at all, so after a failure a
# rerun completes the demo.
APP_SEEDS = (
    "governance.demo.seed",
    "datasets_registry.demo.seed",
    "surveys.demo.seed",
    # Models (issue 13): OMI Alpha (demo), trained on the COCO demo version, its release vote open.
    "models_registry.demo.seed",
    "notifications.demo.seed",
    # Red team: after the models registry's demo (it needs the demo model; skips without it).
    "models_registry.redteam.demo.seed",
)


class Command(BaseCommand):
    help = "Load the demo community (idempotent). Refused when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a public password and is refused when DEBUG is off."
            )
        self.stdout.write("Seeding the demo community…")
        with transaction.atomic():
            people = demo.seed(stdout=self.stdout)
        # The demo's events are fanned out as they happen, so the bell shows something at once.
        with notifications_demo.told_at_once(people=people):
            for dotted in APP_SEEDS:
                try:
                    import_string(dotted)(people=people, stdout=self.stdout)
                except Exception as exc:
                    # The parts made so far are whole and stay; the later seeds build on this one.
                    raise CommandError(
                        f"The demo stopped in {dotted}: {exc!r}. Every part made so far is "
                        "complete; run seed_demo again to finish the demo."
                    ) from exc
        self.stdout.write(self.style.SUCCESS("Demo community ready."))
