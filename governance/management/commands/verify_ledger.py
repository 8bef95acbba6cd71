import sys

from django.core.management.base import BaseCommand

from governance import ledger


class Command(BaseCommand):
    help = "Recompute the governance ledger's hash chain. Exit 0 if it holds, 1 naming the first bad entry."

    def handle(self, *args, **options):
        result = ledger.verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"Ledger OK: {result.checked} entries verified."))
            return
        self.stderr.write(
            f"Ledger BROKEN at entry seq={result.bad_seq}: {result.problem} "
            f"({result.checked} entries before it verified)."
        )
        sys.exit(1)
