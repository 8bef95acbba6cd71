"""What every Django benchmark needs: Django set up on private state, and a database that exists
only for the run (SQLite in a temporary folder, or ``test_<label>`` on the PostgreSQL server of
``DATABASE_URL``)."""

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(label: str) -> Path:
    """Set Django up (once per process) and return a temporary folder for this benchmark."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
    import django
    from django.apps import apps

    if not apps.ready:
        # One private state directory for the whole process (every benchmark run by bench/run.py
        # shares the Django set-up), removed when the process ends.
        if "DATA_DIR" not in os.environ:
            state = tempfile.mkdtemp(prefix="bench-state-")
            atexit.register(shutil.rmtree, state, ignore_errors=True)
            os.environ["DATA_DIR"] = state
        django.setup()
    return tmp


@contextmanager
def throwaway_database(label: str, tmp: Path) -> Iterator[None]:
    """Create a fresh, migrated database; drop it and ``tmp`` afterwards, whatever happens."""
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    test = connection.settings_dict.setdefault("TEST", {})
    test["NAME"] = str(tmp / "bench.sqlite3") if connection.vendor == "sqlite" else f"test_{label}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)
