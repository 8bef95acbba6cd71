"""Models registry figures (issue 13): the header check of a 5 GB safetensors file, alone and
through a streamed upload to a running server.

    .venv/bin/python bench/bench_models.py header            # header check of a sparse 5 GB file
    .venv/bin/python bench/bench_models.py upload URL TOKEN SLUG DATASET VERSION SHA256

The file is sparse (a real header, then 5 GB of zero bytes as one U8 tensor): reading it costs
what reading 5 GB of zeros costs, so the upload figure is the registry's, not the disk's.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import tempfile
import time

SIZE = 5 * 1000**3


def make_file(path: str, size: int = SIZE) -> None:
    meta = {
        "modelspec.sai_model_spec": "1.0.0",
        "modelspec.architecture": "bench/5gb",
        "modelspec.implementation": "bench",
        "modelspec.title": "5 GB bench",
    }
    length = 0
    while True:  # the header's length decides the data size, which appears in the header
        header = json.dumps(_header(meta, size - 8 - length)).encode()
        padded = len(header) + (-len(header) % 8)
        if padded == length:
            break
        length = padded
    header += b" " * (length - len(header))
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", length) + header)
        fh.truncate(size)


def _header(meta, data_size):
    return {
        "__metadata__": meta,
        "blob": {"dtype": "U8", "shape": [data_size], "data_offsets": [0, data_size]},
    }


def header_check(path: str) -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from models_registry import safetensors_header as st

    size = os.path.getsize(path)
    started = time.perf_counter()
    with open(path, "rb") as fh:
        header = st.read_header(fh, size)
        read = fh.tell()
    elapsed = time.perf_counter() - started
    print(
        f"header check of {size:,} bytes: {elapsed * 1000:.2f} ms, {read:,} bytes read, issues={header.issues}"
    )


def upload(
    path: str, url: str, token: str, slug: str, dataset: str, version: str, sha: str
) -> None:
    card = {
        "license": "CDLA-Permissive-2.0",
        "intended_uses": "bench",
        "out_of_scope_uses": "bench",
        "limitations": "bench",
        "risks": "bench",
    }
    label = f"9.{int(time.time())}.0"
    started = time.perf_counter()
    out = subprocess.run(
        [
            "curl",
            "-sS",
            "-H",
            f"Authorization: Token {token}",
            "-F",
            f"version={label}",
            "-F",
            f"card={json.dumps(card)}",
            "-F",
            "training_data="
            + json.dumps([{"dataset": dataset, "version": version, "sha256": sha}]),
            "-F",
            f"file:weights:model.safetensors=@{path};filename=model.safetensors",
            f"{url}/api/v1/models/{slug}/versions/",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    body = json.loads(out.stdout)
    print(
        f"streamed upload + hash + header check + register of {os.path.getsize(path):,} bytes: {elapsed:.1f} s"
    )
    print(json.dumps({k: body.get(k) for k in ("version", "checks", "tensors", "manifest_sha256")}))


if __name__ == "__main__":
    path = os.environ.get("BENCH_FILE") or os.path.join(
        tempfile.gettempdir(), "bench-5gb.safetensors"
    )
    if not os.path.exists(path) or os.path.getsize(path) != SIZE:
        make_file(path)
    if sys.argv[1] == "header":
        header_check(path)
    else:
        upload(path, *sys.argv[2:8])
