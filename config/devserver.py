"""`make run` and `make dev`: the website, a Celery worker and beat, supervised; Ctrl-C stops all.

``python -m config.devserver`` (`make run`) serves the site the way production does: gunicorn with
``config/gunicorn.conf.py`` (threaded workers, a deep listen queue), ``DEBUG`` off (the site's own
error pages; static files through WhiteNoise, collected by `make run`), on the embedded defaults
(SQLite, the filesystem broker). What production would require and a laptop does not have is set
for local HTTP: a secret key kept in ``DATA_DIR``, local host names, no HTTPS redirect or secure
cookies. Any of these can be overridden in the environment.

``python -m config.devserver --dev`` (`make dev`) runs Django's runserver instead, with ``DEBUG``
on and autoreload, for development.

The supervisor checks its processes twice a second. When one exits it says so and starts it
again; a process that exits ``MAX_RESTARTS`` times within ``RESTART_WINDOW`` seconds stops
everything with a message, rather than leave a half-running site.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0


@dataclass
class Service:
    name: str
    command: list[str]
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    restarts: deque = field(default_factory=deque)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    def exited(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def may_restart(self, now: float) -> bool:
        while self.restarts and now - self.restarts[0] > RESTART_WINDOW:
            self.restarts.popleft()
        self.restarts.append(now)
        return len(self.restarts) <= MAX_RESTARTS

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)

    def reap(self, deadline: float) -> None:
        """Wait for the main process, then kill what is left of its group (pool processes)."""
        if self.proc is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)


# Resolved in the parent: the child, between fork and exec, should only make the call.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: if the supervisor itself is killed (even with SIGKILL, which
    it cannot catch), the kernel sends this process SIGTERM, so no half-running site is left."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _secret_key(data_dir: Path) -> str:
    key_file = data_dir / "dev_secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def environment(*, dev: bool) -> dict[str, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    data_dir = Path(env.get("DATA_DIR", ROOT / "var"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env["DATA_DIR"] = str(data_dir)
    if dev:
        env.setdefault("DEBUG", "1")
        return env
    local = {
        "DEBUG": "0",
        "SECRET_KEY": _secret_key(data_dir),
        "ALLOWED_HOSTS": "localhost,127.0.0.1,[::1]",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "0",
        "SECURE_HSTS_PRELOAD": "0",
    }
    for name, value in local.items():
        env.setdefault(name, value)
    return env


def services(*, dev: bool, port: str, env: dict[str, str]) -> list[Service]:
    data_dir = Path(env["DATA_DIR"])
    if dev:
        web = [sys.executable, "manage.py", "runserver", f"0.0.0.0:{port}"]
    else:
        web = [str(BIN / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.conf.py")]
    celery = [str(BIN / "celery"), "-A", "config"]
    return [
        Service("web server", web, {**env, "PORT": port}),
        Service(
            "worker",
            [
                *celery,
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                env.get("WORKER_CONCURRENCY", "2"),
                "--without-gossip",
            ],
            env,
        ),
        Service(
            "beat",
            [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(data_dir / "celerybeat-schedule"),
            ],
            env,
        ),
    ]


def say(message: str) -> None:
    print(f"[devserver] {message}", file=sys.stderr, flush=True)


def supervise(procs: list[Service]) -> int:
    """Restart what dies; return 1 after stopping everything when something keeps dying."""
    while True:
        time.sleep(0.5)
        for service in procs:
            status = service.exited()
            if status is None:
                continue
            now = time.monotonic()
            if not service.may_restart(now):
                say(
                    f"The {service.name} exited {MAX_RESTARTS + 1} times within "
                    f"{RESTART_WINDOW:.0f} s (last status {status}); stopping everything. "
                    "See its messages above."
                )
                return 1
            say(f"The {service.name} (pid {service.proc.pid}) exited with status {status}; "
                "restarting it.")  # fmt: skip
            service.start()
            say(f"The {service.name} is running again (pid {service.proc.pid}).")


def stop(procs: list[Service]) -> None:
    # Every main process first, so Celery and gunicorn shut down warmly; then what is left.
    for service in procs:
        service.terminate()
    deadline = time.monotonic() + 20
    for service in procs:
        service.reap(deadline)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    dev = "--dev" in argv
    port = os.environ.get("PORT", "8000")
    env = environment(dev=dev)
    procs = services(dev=dev, port=port, env=env)
    for service in procs:
        service.start()
    mode = "development server (runserver, autoreload, DEBUG on)" if dev else "gunicorn"
    print(
        f"\n  OMI Commons is starting at http://localhost:{port}/ ({mode})\n"
        f"  API docs: http://localhost:{port}/api/docs/   health: http://localhost:{port}/healthz\n"
        "  Demo logins (password 'demo'): demo-admin (staff), demo-chair, demo-committer1 … 5,\n"
        "  demo-contributor, demo-observer. A Celery worker and beat run beside the site.\n"
        "  Press Ctrl-C to stop everything.\n",
        flush=True,
    )

    def on_term(*_args):
        raise KeyboardInterrupt

    # SIGTERM (kill, systemd) and SIGHUP (the terminal closed) stop everything like Ctrl-C.
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    # A shell starting `make run &` ignores SIGINT in the job, and Python keeps that: restore it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return supervise(procs)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        stop(procs)


if __name__ == "__main__":
    sys.exit(main())
