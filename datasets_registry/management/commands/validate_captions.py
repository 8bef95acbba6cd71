"""Validate a caption file locally: no server, database rows or broker (beyond reading a standard).

The command itself is the engine's (``datasets_registry.captions.cli``); ``manage.py`` runs it
without setting Django up unless ``--standard`` is given. This wrapper is what runs with Django:
``--standard SLUG@VERSION`` reads that version's rule set from the database, and
``call_command("validate_captions", ...)`` works as for any command.

Exit status: 0 when no error-severity issue was found, 1 when one was, 2 when the file (or the rule
set) cannot be read at all.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from datasets_registry.captions import cli


class Command(BaseCommand):
    help = cli.HELP

    def add_arguments(self, parser):
        cli.add_arguments(parser)

    def handle(self, *args, **opts):
        try:
            rules = self._standard_rules(opts) if opts["standard"] else None
            connections.close_all()  # worker processes are forked: they must not share one
            code = cli.run(
                opts, stdout=self.stdout, stderr=self.stderr, rules=rules, style=self._style
            )
        except cli.CliError as exc:
            raise CommandError(str(exc), returncode=exc.returncode) from exc
        if code:
            sys.exit(code)

    def _style(self, kind: str, text: str) -> str:
        return {"success": self.style.SUCCESS, "error": self.style.ERROR}.get(
            kind, self.style.WARNING
        )(text)

    def _standard_rules(self, opts) -> dict:
        if opts["rules"]:
            raise cli.CliError("Give --standard or --rules, not both.")
        slug, _, version = opts["standard"].partition("@")
        if not slug or not version:
            raise cli.CliError("--standard takes SLUG@VERSION, e.g. omi-dataset-card@1.0.0.")
        from datasets_registry.models import StandardVersion  # lazily: needs the database

        sv = StandardVersion.objects.filter(standard__slug=slug, version=version).first()
        if sv is None:
            raise cli.CliError(f"No standard version {slug}@{version}.")
        return sv.rules or {}
