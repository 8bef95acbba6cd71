from django.core.management.base import BaseCommand

from config.catalogues import compile_all, completeness, sources


class Command(BaseCommand):
    help = (
        "Compile the message catalogues in locale/ (Babel: no GNU gettext needed) and print "
        "how complete each is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Recompile every catalogue.")

    def handle(self, *args, force: bool = False, **options):
        compiled = compile_all(force=force)
        for po in sources():
            report = completeness(po)
            mark = "compiled" if po.with_suffix(".mo") in compiled else "current"
            self.stdout.write(
                f"{report.locale:6} {report.domain:9} {report.translated:5}/{report.total:<5} "
                f"({report.percent:5.1f}%) {mark}"
            )
