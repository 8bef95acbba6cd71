"""Read a safetensors file's header without loading a tensor.

The format (https://github.com/huggingface/safetensors): 8 bytes, a little-endian unsigned
64-bit length ``N``; then ``N`` bytes of UTF-8 JSON (an object; trailing spaces allowed); then
the tensor bytes. Each header key but ``__metadata__`` names a tensor
``{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}``, offsets relative to the
start of the tensor bytes; ``__metadata__`` is an object of strings to strings.

:func:`read_header` reads at most ``8 + N`` bytes (``N`` bounded by ``MAX_HEADER_BYTES``, 100 MB)
and never the tensor bytes, so checking a 5 GB file costs what its header costs. What cannot be
read at all (truncated, too large, not JSON, not an object) raises :class:`HeaderError`; what is
wrong tensor by tensor (an unknown dtype, a shape that does not fit its byte range, overlapping
or out-of-file offsets, a gap) is collected in ``Header.issues`` with a JSON pointer into the
header, so every problem is reported, not just the first.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field
from typing import Any, BinaryIO

MAX_HEADER_BYTES = 100 * 1024 * 1024

# Bits per element (the sub-byte float formats pack elements; a tensor's byte length is rounded up).
DTYPE_BITS = {
    "BOOL": 8,
    "U8": 8,
    "I8": 8,
    "F8_E5M2": 8,
    "F8_E4M3": 8,
    "F8_E8M0": 8,
    "F4": 4,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
    "I16": 16,
    "U16": 16,
    "F16": 16,
    "BF16": 16,
    "I32": 32,
    "U32": 32,
    "F32": 32,
    "C64": 64,
    "F64": 64,
    "I64": 64,
    "U64": 64,
}


class HeaderError(Exception):
    """The header cannot be read at all. ``pointer`` is where in the header (``""`` = the file)."""

    def __init__(self, message: str, pointer: str = ""):
        super().__init__(message)
        self.message = message
        self.pointer = pointer


@dataclass
class Header:
    header_size: int
    metadata: dict[str, Any] | None
    tensors: dict[str, dict[str, Any]]
    parameters: int = 0
    dtypes: dict[str, int] = field(default_factory=dict)
    issues: list[dict[str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.tensors)

    def summary(self) -> dict[str, Any]:
        return {"count": self.count, "parameters": self.parameters, "dtypes": dict(self.dtypes)}


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def read_header(
    stream: BinaryIO, file_size: int | None, *, max_header_bytes: int = MAX_HEADER_BYTES
) -> Header:
    """Parse the header of the safetensors file open as ``stream`` (at its start).

    ``file_size`` is the whole file's size, so offsets can be checked against it; ``None`` when
    only the header was uploaded (a declared, externally hosted file): offsets are then checked
    against each other only.
    """
    prefix = stream.read(8)
    if len(prefix) < 8:
        raise HeaderError(
            f"The file is truncated: a safetensors file starts with an 8-byte header length, "
            f"this one has {len(prefix)} byte(s)."
        )
    (length,) = struct.unpack("<Q", prefix)
    if length > max_header_bytes:
        raise HeaderError(
            f"The header declares {length:,} bytes, over the limit of {max_header_bytes:,} bytes "
            "(is this a safetensors file?)."
        )
    if length < 2:
        raise HeaderError(f"The header declares {length} byte(s); a JSON object needs at least 2.")
    if file_size is not None and 8 + length > file_size:
        raise HeaderError(
            f"The file is truncated: the header declares {length:,} bytes but the file holds "
            f"only {file_size - 8:,} after the length."
        )
    raw = stream.read(length)
    if len(raw) < length:
        raise HeaderError(
            f"The file is truncated: the header declares {length:,} bytes, {len(raw):,} could be read."
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HeaderError(f"The header is not UTF-8 (byte {exc.start} of the header).") from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HeaderError(
            f"The header is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    if not isinstance(parsed, dict):
        raise HeaderError(
            f"The header is JSON but not an object (it is a {type(parsed).__name__})."
        )
    data_size = None if file_size is None else file_size - 8 - length
    return _check(parsed, length, data_size)


def _check(parsed: dict, length: int, data_size: int | None) -> Header:
    issues: list[dict[str, str]] = []

    def issue(pointer: str, message: str) -> None:
        issues.append({"pointer": pointer, "message": message})

    metadata = parsed.get("__metadata__")
    if metadata is not None:
        if not isinstance(metadata, dict):
            issue("/__metadata__", "__metadata__ must be an object of strings.")
            metadata = None
        else:
            for key, value in metadata.items():
                if not isinstance(value, str):
                    issue(
                        _pointer("__metadata__", key),
                        f"Metadata values are strings; this one is {type(value).__name__}.",
                    )
    tensors: dict[str, dict[str, Any]] = {}
    dtypes: dict[str, int] = {}
    parameters = 0
    ranges: list[tuple[int, int, str]] = []
    for name, info in parsed.items():
        if name == "__metadata__":
            continue
        where = _pointer(name)
        if not isinstance(info, dict):
            issue(where, "A tensor entry is an object with dtype, shape and data_offsets.")
            continue
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        ok = True
        if dtype not in DTYPE_BITS:
            issue(
                where + "/dtype",
                f"Unknown dtype {dtype!r}; safetensors dtypes are {', '.join(DTYPE_BITS)}.",
            )
            ok = False
        if not (
            isinstance(shape, list)
            and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
        ):
            issue(where + "/shape", "The shape is a list of non-negative integers.")
            ok = False
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offsets)
        ):
            issue(
                where + "/data_offsets", "data_offsets is [begin, end], two non-negative integers."
            )
            continue
        begin, end = offsets
        if end < begin:
            issue(where + "/data_offsets", f"The range ends ({end}) before it begins ({begin}).")
            continue
        if data_size is not None and end > data_size:
            issue(
                where + "/data_offsets",
                f"The range [{begin}, {end}] runs past the end of the file's {data_size:,} bytes "
                "of tensor data.",
            )
        ranges.append((begin, end, name))
        if not ok:
            continue
        elements = math.prod(shape)
        expected = (elements * DTYPE_BITS[dtype] + 7) // 8
        if end - begin != expected:
            issue(
                where + "/data_offsets",
                f"A {dtype} tensor of shape {shape} takes {expected:,} bytes; its range holds "
                f"{end - begin:,}.",
            )
        tensors[name] = {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}
        dtypes[dtype] = dtypes.get(dtype, 0) + 1
        parameters += elements
    ranges.sort()
    cursor = 0
    previous = None
    for begin, end, name in ranges:
        if begin < cursor:
            issue(
                _pointer(name) + "/data_offsets",
                f"The range [{begin}, {end}] overlaps {previous!r}'s, which ends at {cursor}.",
            )
        elif begin > cursor:
            issue(
                _pointer(name) + "/data_offsets",
                f"{begin - cursor:,} byte(s) before this tensor belong to no tensor "
                "(the tensor data must be contiguous).",
            )
        if end >= cursor:
            cursor, previous = end, name
    if data_size is not None and ranges and cursor < data_size:
        issue("", f"{data_size - cursor:,} byte(s) after the last tensor belong to no tensor.")
    return Header(
        header_size=length,
        metadata=metadata,
        tensors=tensors,
        parameters=parameters,
        dtypes=dict(sorted(dtypes.items())),
        issues=issues,
    )


def check_rules(header: Header, rules: dict[str, Any]) -> list[dict[str, str]]:
    """Check a parsed header against a model standard's artifact rules:
    ``{"metadata_schema": JSON Schema, "allowed_dtypes": [...], "max_tensors": int,
    "max_parameters": int}`` (each optional). Issues carry JSON pointers into the header."""
    from datasets_registry.services.common import metadata_errors

    issues: list[dict[str, str]] = []
    schema = rules.get("metadata_schema")
    if schema:
        if header.metadata is None:
            issues.append(
                {"pointer": "/__metadata__", "message": "The header has no __metadata__ object."}
            )
        else:
            for pointer, messages in metadata_errors(
                schema, header.metadata, prefix="/__metadata__"
            ).items():
                issues.extend({"pointer": pointer, "message": m} for m in messages)
    allowed = rules.get("allowed_dtypes")
    if allowed:
        for name, info in header.tensors.items():
            if info["dtype"] not in allowed:
                issues.append(
                    {
                        "pointer": _pointer(name) + "/dtype",
                        "message": f"dtype {info['dtype']} is not allowed by the standard "
                        f"(allowed: {', '.join(allowed)}).",
                    }
                )
    max_tensors = rules.get("max_tensors")
    if max_tensors is not None and header.count > max_tensors:
        issues.append(
            {
                "pointer": "",
                "message": f"{header.count:,} tensors; the standard allows {max_tensors:,}.",
            }
        )
    max_parameters = rules.get("max_parameters")
    if max_parameters is not None and header.parameters > max_parameters:
        issues.append(
            {
                "pointer": "",
                "message": f"{header.parameters:,} parameters; the standard allows {max_parameters:,}.",
            }
        )
    return issues
