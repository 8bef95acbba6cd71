"""`make run`: the website and a real Celery worker (with beat) side by side; Ctrl-C stops both."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> int:
    port = os.environ.get("PORT", "8000")
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONUNBUFFERED": "1"}
    data_dir = Path(env.get("DATA_DIR", ROOT / "var"))
    data_dir.mkdir(parents=True, exist_ok=True)
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"0.0.0.0:{port}"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        ),
        subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--concurrency",
                env.get("WORKER_CONCURRENCY", "2"),
                "--schedule",
                str(data_dir / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        ),
    ]
    print(
        f"\n  OMI Commons is starting at http://localhost:{port}/\n"
        f"  API docs: http://localhost:{port}/api/docs/   health: http://localhost:{port}/healthz\n"
        "  Demo logins (password 'demo'): demo-admin (staff), demo-chair, demo-committer1 … 5,\n"
        "  demo-contributor, demo-observer. A Celery worker with beat runs beside the site.\n"
        "  Press Ctrl-C to stop everything.\n",
        flush=True,
    )

    def stop(*_args):
        # The main process first, so Celery shuts down warmly; then whatever is left of each
        # process group (runserver's autoreloader child, pool processes).
        for proc in processes:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    # A shell starting `make run &` ignores SIGINT in the job, and Python keeps that: restore it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        while all(proc.poll() is None for proc in processes):
            time.sleep(0.5)
        print("A process exited; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
