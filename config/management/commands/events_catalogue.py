from django.core.management.base import BaseCommand

from config.catalogue import CATALOGUE_PATH, render_catalogue


class Command(BaseCommand):
    help = "Print the catalogue of declared events as Markdown; --write refreshes docs/events.md."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help=f"write {CATALOGUE_PATH.name}")

    def handle(self, *args, write=False, **options):
        text = render_catalogue()
        if write:
            CATALOGUE_PATH.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {CATALOGUE_PATH}.")
        else:
            self.stdout.write(text, ending="")
