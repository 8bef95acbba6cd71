"""``omi validate``: the platform's own caption engine, run on this machine.

The engine is ``datasets_registry/captions`` of the OMI Commons repository: pure Python with
pyarrow, no Django. The client does not ship a copy (two copies would drift apart); it imports
the engine from, in order:

1. whatever is importable already (``omi`` running in the platform's virtualenv);
2. ``$OMI_PLATFORM_PATH``, a checkout of the repository;
3. the checkout the client was installed from (``make install`` installs it from
   ``<repository>/client``, so ``omi validate`` works there with nothing more to do).

Otherwise :class:`EngineMissing` says how to get it.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

from .errors import OmiError

ENGINE = "datasets_registry.captions"


class EngineMissing(OmiError):
    pass


def _candidates() -> list[Path]:
    roots = []
    if os.environ.get("OMI_PLATFORM_PATH"):
        roots.append(Path(os.environ["OMI_PLATFORM_PATH"]).expanduser())
    # .../<repository>/client/src/omi_commons_client/local.py
    roots.append(Path(__file__).resolve().parents[3])
    return roots


def load_engine() -> ModuleType:
    try:
        return importlib.import_module(ENGINE)
    except ModuleNotFoundError as exc:
        if exc.name and not exc.name.startswith("datasets_registry"):
            raise _missing_dependency(exc) from None
    for root in _candidates():
        if (root / "datasets_registry" / "captions" / "__init__.py").is_file():
            sys.path.insert(0, str(root))
            try:
                return importlib.import_module(ENGINE)
            except ModuleNotFoundError as exc:
                raise _missing_dependency(exc) from None
    raise EngineMissing(
        "omi validate runs the platform's caption engine (datasets_registry/captions), which is "
        "not installed with the client. Run omi from the platform's virtualenv (make install "
        "in a checkout of OMI Commons), or set OMI_PLATFORM_PATH to a checkout and install its "
        "requirements (pip install pyarrow numpy tokenizers py3langid zstandard "
        "license-expression). Or upload the file and let the server validate it: "
        "omi datasets upload SLUG FILE --version V, then omi validation wait SLUG V."
    )


def _missing_dependency(exc: ModuleNotFoundError) -> EngineMissing:
    return EngineMissing(
        f"The caption engine needs the package {exc.name!r}, which is not installed: "
        "pip install pyarrow numpy tokenizers py3langid zstandard license-expression"
    )
