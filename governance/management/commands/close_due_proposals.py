from django.core.management.base import BaseCommand

from governance import services


class Command(BaseCommand):
    help = "Close every vote whose closing time has passed and record its decision (idempotent)."

    def handle(self, *args, **options):
        decisions = services.close_due_proposals()
        for d in decisions:
            self.stdout.write(f"{d.proposal}: {d.outcome} ({d.explanation})")
        self.stdout.write(f"{len(decisions)} decision(s).")
