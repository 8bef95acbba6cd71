"""Issue 10 items 4 and 6: `make run` serves like a real server.

Starts `make run`'s own process (``python -m config.devserver``: gunicorn with
``config/gunicorn.conf.py``, a worker and beat) on the embedded defaults (SQLite, the filesystem
broker, the database cache) in a fresh ``DATA_DIR``, then:

- opens 200 connections at once and sends a request on each: none refused, every one answered;
- holds slow clients that send one header line at a time (slowloris) while ``/healthz`` answers;
- kills the worker and checks that the supervisor says so and starts a new one;
- checks that a process that keeps dying stops everything with a message;
- checks that killing the supervisor (even with SIGKILL) leaves no process behind.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS = 200
SLOW_CLIENTS = 16


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DEBUG", "SECRET_KEY"}
    }
    env.update(
        {
            "DATA_DIR": str(data_dir),
            "PORT": str(port),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "WORKER_CONCURRENCY": "1",
            "WEB_ACCESS_LOG": "",
            **extra,
        }
    )
    return env


def prepare(env: dict[str, str]) -> None:
    """What `make run` does before it starts the processes (less the demo data)."""
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["createcachetable"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, timeout=300)
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**env, "DEBUG": "0", "SECRET_KEY": "collectstatic-" + "x" * 50},
        check=True,
        timeout=300,
    )


class Server:
    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log_path = env, log
        self.port = int(env["PORT"])
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "config.devserver"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str, timeout: float = 10) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=timeout) as r:
            return r.status

    def wait_healthy(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"make run's server exited:\n{self.output()[-3000:]}")
            try:
                if self.get("/healthz", timeout=5) == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"make run's server did not answer:\n{self.output()[-3000:]}")

    def children(self) -> dict[int, str]:
        out = subprocess.run(
            ["ps", "-ww", "-o", "pid=,args=", "--ppid", str(self.proc.pid)],
            capture_output=True,
            text=True,
        ).stdout
        return {int(line.split(None, 1)[0]): line.split(None, 1)[1] for line in out.splitlines()}

    def stop(self) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        finally:
            self.log.close()


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("make-run")
    env = run_env(data_dir, free_port())
    prepare(env)
    server = Server(env, data_dir / "server.log")
    server.wait_healthy()
    yield server
    assert server.stop() == 0


async def _crowd(port: int, count: int) -> tuple[list[str], list[str]]:
    """Open ``count`` connections at once, then send a request on each, then read each answer."""
    opened = await asyncio.gather(
        *(asyncio.open_connection("127.0.0.1", port) for _ in range(count)),
        return_exceptions=True,
    )
    failures = [repr(c) for c in opened if isinstance(c, BaseException)]
    streams = [c for c in opened if not isinstance(c, BaseException)]
    for index, (_reader, writer) in enumerate(streams):
        path = "/healthz" if index % 2 else "/"
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
        )

    async def answer(reader, writer) -> str:
        try:
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), timeout=120)
            await asyncio.wait_for(reader.read(), timeout=120)
            return line.decode(errors="replace").strip()
        except (TimeoutError, OSError) as exc:
            return f"error: {exc!r}"
        finally:
            writer.close()

    statuses = await asyncio.gather(*(answer(r, w) for r, w in streams))
    return statuses, failures


def crowd(port: int, count: int) -> tuple[list[str], list[str]]:
    # In a thread of its own: Playwright's sync API (the browser tests) may already run an event
    # loop in this one.
    result: list = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(_crowd(port, count))))
    thread.start()
    thread.join(timeout=600)
    return result[0]


def test_it_serves_200_simultaneous_connections_with_none_refused(make_run):
    statuses, failures = crowd(make_run.port, CONNECTIONS)
    assert failures == []
    assert len(statuses) == CONNECTIONS
    assert [s for s in statuses if not s.startswith("HTTP/1.1 200")] == []


def test_slow_clients_do_not_starve_the_others(make_run):
    stop = threading.Event()
    slow: list[socket.socket] = []

    def trickle(sock: socket.socket) -> None:
        # One header line now and then, never the blank line that ends the headers.
        with sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            n = 0
            while not stop.wait(1.0):
                n += 1
                try:
                    sock.sendall(f"X-Slow-{n}: still typing\r\n".encode())
                except OSError:
                    return

    threads = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", make_run.port))
        slow.append(sock)
        threads.append(threading.Thread(target=trickle, args=(sock,), daemon=True))
    for t in threads:
        t.start()
    try:
        time.sleep(2)
        timings = []
        for _ in range(10):
            started = time.monotonic()
            assert make_run.get("/healthz", timeout=10) == 200
            timings.append(time.monotonic() - started)
            time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=5)
    assert max(timings) < 5, timings


def test_the_site_shows_its_own_404_page_and_serves_static_files(make_run):
    with pytest.raises(urllib.error.HTTPError) as exc:
        make_run.get("/no/such/page/")
    assert exc.value.code == 404
    assert "There is nothing at this address." in exc.value.read().decode()
    assert make_run.get("/static/css/site.css") == 200


def test_a_dead_worker_is_reported_and_restarted(make_run):
    workers = [pid for pid, args in make_run.children().items() if " worker" in args]
    assert len(workers) == 1, make_run.children()
    os.killpg(workers[0], signal.SIGKILL)  # the worker runs in its own process group
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        fresh = [pid for pid, args in make_run.children().items() if " worker" in args]
        if fresh and fresh != workers and "is running again" in make_run.output():
            break
        time.sleep(0.5)
    output = make_run.output()
    assert f"The worker (pid {workers[0]}) exited" in output
    assert "restarting it" in output
    assert fresh and fresh != workers
    assert make_run.get("/healthz") == 200


def test_a_process_that_keeps_dying_stops_everything_with_a_message(tmp_path):
    # gunicorn stops while reading its configuration: no database needed.
    env = run_env(tmp_path, free_port(), WEB_WORKERS="not-a-number")
    server = Server(env, tmp_path / "server.log")
    try:
        assert server.proc.wait(timeout=120) == 1
    finally:
        server.stop()
    output = server.output()
    assert "WEB_WORKERS='not-a-number' is not a whole number" in output
    assert "The web server exited 6 times within 60 s" in output
    assert "stopping everything" in output


def test_killing_the_supervisor_takes_its_processes_with_it(tmp_path):
    # Even SIGKILL, which the supervisor cannot catch: its children die with it (no orphans).
    env = run_env(tmp_path, free_port())
    server = Server(env, tmp_path / "server.log")
    try:
        server.wait_healthy()
        children = list(server.children())
        assert len(children) == 3
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.5)
        assert not [pid for pid in children if _alive(pid)]
    finally:
        server.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: its parent (gone) cannot reap it, init will.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False
