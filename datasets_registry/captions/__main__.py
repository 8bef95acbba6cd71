"""``python -m datasets_registry.captions FILE ...``: the command line, without Django."""

import sys

from .cli import main

sys.exit(main(prog="python -m datasets_registry.captions"))
