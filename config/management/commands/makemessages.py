"""``makemessages`` with this project's settings, so every run writes the same catalogues:
the folders that hold no site text are skipped, and locations name files without line
numbers (an edit elsewhere in a file does not churn the catalogues), and no fuzzy matching."""

from django.core.management.commands import makemessages

# Not site text: the virtualenv, state, the standalone client, benchmarks and tests.
IGNORED = [".venv/*", "var/*", "client/*", "bench/*", "tests/*", "docs/*", "static/js/htmx.min.js"]


class Command(makemessages.Command):
    # No fuzzy guesses: msgmerge's nearest old message is usually wrong ("No members yet." was
    # given the translation of "Remember me"), and a fuzzy entry is not used anyway.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args, **options):
        options["ignore_patterns"] = list(options.get("ignore_patterns") or []) + IGNORED
        options.setdefault("add_location", "file")
        if options.get("add_location") is None:
            options["add_location"] = "file"
        options["no_obsolete"] = True
        return super().handle(*args, **options)
