"""Settings for bench/bench_http.py: the production settings plus one trivial JSON view (the
ceiling each endpoint is measured beside)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.http.urls"
