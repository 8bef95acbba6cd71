"""gunicorn's configuration, for production and for `make run` alike.

    gunicorn -c config/gunicorn.conf.py config.wsgi

Why these choices (measured on the 2-core machine; figures in docs/operations.md):

- ``gthread`` workers: each worker process runs a pool of threads behind one poller. Kept-alive
  connections wait in the poller, not in a thread, and so does a new connection that has sent
  nothing after 5 s (gunicorn hands it back), so hundreds of idle clients cost no threads. Sync
  workers serve one connection per process: 8 slow clients starved all 4.
- A client that trickles its headers (one line every 2 s, "slowloris") does hold a thread until
  its request is complete; ``WEB_THREADS`` threads per worker (32 by default) leave plenty for
  everyone else, and a buffering proxy in front (docs/operations.md) removes even that.
- ``backlog`` 2048 and ``worker_connections`` 1000 per worker: a crowd of a few hundred
  simultaneous connections queues instead of being refused.
- ``timeout`` 60 s: a worker whose main loop stops (not a slow request: gthread's loop keeps
  beating while threads work) is killed and replaced by the arbiter.

Every value can be changed with an environment variable (README.md "Configuration").
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number.") from None


wsgi_app = "config.wsgi:application"
bind = os.environ.get("WEB_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
workers = _int("WEB_WORKERS", max(2, multiprocessing.cpu_count()))
threads = _int("WEB_THREADS", 32)
worker_connections = _int("WEB_WORKER_CONNECTIONS", 1000)
backlog = _int("WEB_BACKLOG", 2048)
keepalive = _int("WEB_KEEPALIVE", 5)
timeout = _int("WEB_TIMEOUT", 60)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 20)
# Recycle workers now and then (with jitter, so not all at once) to bound slow memory growth.
max_requests = _int("WEB_MAX_REQUESTS", 20000)
max_requests_jitter = max_requests // 10
# Only the proxies we trust may set X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER); client
# addresses come from config.clients (NUM_PROXIES), not from gunicorn.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
# Load the application once in the arbiter: workers fork with it (less memory, faster restarts).
preload_app = True
