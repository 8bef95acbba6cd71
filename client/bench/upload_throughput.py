"""Upload throughput of a large caption file through `omi`'s resumable uploads, end to end.

    .venv/bin/python client/bench/upload_throughput.py [--gigabytes 2] [--workers 1]

Sets up a throw-away site (SQLite under a temporary DATA_DIR), serves it with gunicorn on
127.0.0.1, and uploads a generated JSON Lines file of the given size twice with the client
library: once without incident, once through a proxy that kills the connection halfway (the
client resumes from the server's offset). Prints the transfer rate (bytes sent to the server
holding every byte, sha256 verified on both sides) and the time to create the version from the
completed upload (the registry's row count and column checks of the whole file). Not part of
`make bench`: it writes about three times the file's size to disk.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "client" / "src"), str(ROOT)]

import requests  # noqa: E402
from omi_commons_client import Client  # noqa: E402
from omi_commons_client.uploads import upload_file  # noqa: E402

from tests.client.proxy import CuttingProxy  # noqa: E402

SETUP = """
from accounts.services import api_token_create
from datasets_registry import services
from datasets_registry.bootstrap import ensure_omi_dataset_card
from tests.validation.factories import METADATA
from tests.factories import UserFactory
user = UserFactory(username="bench")
for slug in ("bench-a", "bench-b"):
    services.dataset_register(actor=user, name=slug, slug=slug, license="CC-BY-4.0",
        standard=ensure_omi_dataset_card(), metadata=METADATA, visibility="public")
print(api_token_create(user=user, name="bench")[1])
"""


def make_file(path: Path, size: int) -> None:
    line = json.dumps({"file_name": "img/000000.jpg", "text": "A red fox " * 12}) + "\n"
    block = (line * (4 * 1024 * 1024 // len(line))).encode()
    with open(path, "wb") as fh:
        written = 0
        while written < size:
            fh.write(block)
            written += len(block)


def cpu_seconds(pgid: int) -> float:
    """User + system CPU of every process in a process group (the gunicorn master and workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # field 5: the process group
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--chunk-mib", type=int, default=32)
    parser.add_argument("--no-checksum", action="store_true", help="no Upload-Checksum per chunk")
    parser.add_argument("--direct", action="store_true", help="the clean run without the proxy")
    args = parser.parse_args()
    size = int(args.gigabytes * 1024**3)
    work = Path(tempfile.mkdtemp(prefix="omi-upload-bench-"))
    env = {
        **os.environ,
        "DATA_DIR": str(work / "data"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATASET_UPLOAD_MAX_BYTES": str(size * 2),
        "RESUMABLE_UPLOAD_QUOTA_BYTES": str(size * 4),
        "CACHE_URL": "locmem://",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    env.pop("DATABASE_URL", None)
    python = sys.executable
    server = None
    try:
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        token = (
            subprocess.run(
                [python, "manage.py", "shell", "-c", SETUP],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        port = free_port()
        server = subprocess.Popen(
            [
                python,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "600",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            with contextlib.suppress(requests.RequestException):
                if requests.options(url + "/api/v1/uploads/", timeout=5).status_code == 204:
                    break
            time.sleep(0.2)
        path = work / "captions.jsonl"
        make_file(path, size)
        size = path.stat().st_size
        print(
            f"file: {size / 1e9:.2f} GB ({size:,} bytes), chunks of {args.chunk_mib} MiB, "
            f"gunicorn with {args.workers} sync worker(s), loopback",
            flush=True,
        )
        chunk = args.chunk_mib * 1024 * 1024
        for label, slug, cut in (
            ("clean", "bench-a", None),
            ("killed at 50%", "bench-b", size // 2),
        ):
            proxy = CuttingProxy(("127.0.0.1", port), cut_after=cut)
            client = Client(url if args.direct and cut is None else proxy.url, token, backoff=0.2)
            started, server_cpu, client_cpu = time.monotonic(), cpu_seconds(server.pid), own_cpu()
            result = upload_file(
                client,
                path,
                metadata={"dataset": slug, "version": "1.0.0"},
                chunk_size=chunk,
                checksum=not args.no_checksum,
            )
            transfer = time.monotonic() - started
            server_cpu = cpu_seconds(server.pid) - server_cpu
            client_cpu = own_cpu() - client_cpu  # the client and the proxy's threads
            started = time.monotonic()
            version = client.create_version(
                slug, version="1.0.0", upload_id=result.id, sha256=result.sha256
            )
            create = time.monotonic() - started
            proxy.close()
            print(
                f"{label:>14}: {size / transfer / 1e6:6.0f} MB/s ({transfer:5.1f} s; "
                f"{result.sent / 1e9:.2f} GB sent, cuts {proxy.cuts}), version created in "
                f"{create:.1f} s ({version['row_count']:,} rows), sha256 {result.sha256[:12]}…; "
                f"CPU per GB: server {server_cpu / (size / 1e9):.1f} s, client+proxy "
                f"{client_cpu / (size / 1e9):.1f} s; load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    finally:
        if server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
