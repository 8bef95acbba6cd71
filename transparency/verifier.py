"""The standalone verifier shipped with the client (``client/src/omi_commons_client/logverify.py``),
loaded from the repository by path: the witness command checks checkpoints and consistency
proofs with exactly the code any outside reader runs, whether or not the client is installed."""

import importlib.util
import sys
from pathlib import Path

from django.conf import settings

PATH = Path(settings.BASE_DIR) / "client" / "src" / "omi_commons_client" / "logverify.py"

_spec = importlib.util.spec_from_file_location("omi_logverify", PATH)
logverify = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = logverify  # dataclasses look their module up
_spec.loader.exec_module(logverify)
