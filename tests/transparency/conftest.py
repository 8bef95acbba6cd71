import sys
from pathlib import Path

import pytest

CLIENT_SRC = Path(__file__).resolve().parents[2] / "client" / "src"
if str(CLIENT_SRC) not in sys.path:
    sys.path.insert(0, str(CLIENT_SRC))


@pytest.fixture(autouse=True)
def _log_key(settings, tmp_path):
    """Each test signs with a fresh key of its own, under DATA_DIR of its own."""
    from transparency import checkpoints

    settings.DATA_DIR = tmp_path
    settings.LOG_SIGNING_KEY = ""
    settings.LOG_ORIGIN = "commons.test/log"
    settings.LOG_CHECKPOINT_INTERVAL = 0
    checkpoints._key.cache_clear()
    yield
    checkpoints._key.cache_clear()
