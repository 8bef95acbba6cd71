#!/usr/bin/env python
import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["validate_captions"]:
        # The caption engine needs no Django (about 1.5 s of start-up) unless a standard's rules
        # are read from the database.
        from datasets_registry.captions import cli

        if not cli.needs_django(sys.argv[2:]):
            sys.exit(cli.main(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
