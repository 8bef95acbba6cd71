"""Scale-out: the validation pipeline on S3 storage, with 1 and then 2 worker processes.

Storage is a real S3-compatible HTTP server on this machine (moto's, started as its own process),
so every chunk is read from the bucket and every partial result written back, as it is when the
workers run on other hosts. The database is SQLite and the broker the filesystem one (both on this
host); the same file through local storage is the reference. What grows with more workers is the
chunk phase; the coordinator's plan and the finaliser's duplicate merge run once per run, and the
database takes every chunk's claim, heartbeat and result.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_captions import build_unique, pipeline  # noqa: E402

ROWS = int(os.environ.get("BENCH_SCALEOUT_ROWS", 500_000))
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_s3() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, endpoint
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the local S3 server did not start")


def s3_env(endpoint: str) -> dict[str, str]:
    import boto3

    bucket = f"bench-{uuid.uuid4().hex[:10]}"
    keys = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench-secret"}
    boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **keys).create_bucket(
        Bucket=bucket
    )
    return {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": keys["aws_access_key_id"],
        "S3_SECRET_ACCESS_KEY": keys["aws_secret_access_key"],
    }


def line(label: str, result: dict) -> str:
    start, work, finish = result["phases"]
    return (
        f"{label:<34}: {result['rows'] / result['seconds']:>9,.0f} rows/s  "
        f"({result['seconds']:.1f} s; coordinator {start:.1f} s, chunks {work:.1f} s, "
        f"finaliser {finish:.1f} s; {result['chunks']} chunks; {result['status']})"
    )


def main() -> None:
    path = build_unique(ROWS)
    print(f"file: {ROWS:,} unique captions, {path.stat().st_size / 1e6:.0f} MB", flush=True)
    chunking = {"VALIDATION_CHUNK_BYTES": str(8 * 1024**2)}
    local = json.loads(pipeline(path, concurrency=2, env_extra=chunking))
    print(line("local storage, 2 processes", local), flush=True)
    server, endpoint = start_s3()
    try:
        results = {}
        for processes in (1, 2):
            env = {**chunking, **s3_env(endpoint)}
            results[processes] = json.loads(pipeline(path, concurrency=processes, env_extra=env))
            print(
                line(f"S3 storage, {processes} process{'es' * (processes > 1)}", results[processes])
            )
    finally:
        server.kill()
        server.wait(timeout=10)
    speedup = results[1]["seconds"] / results[2]["seconds"]
    print(
        f"2 processes / 1 on S3: {speedup:.2f}x (this machine has {os.cpu_count()} cores; the "
        f"chunk phase scales, the coordinator and the finaliser's merge do not)"
    )


if __name__ == "__main__":
    main()
