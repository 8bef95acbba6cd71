import struct

import numpy as np
import pytest

from models_registry import safetensors_header as st

from .helpers import MODELSPEC, raw, stream, weights


def parse(data: bytes, size="auto"):
    return st.read_header(stream(data), len(data) if size == "auto" else size)


def test_real_file_counts_tensors_parameters_and_dtypes():
    data = weights()
    header = parse(data)
    assert header.issues == []
    assert header.summary() == {"count": 2, "parameters": 28, "dtypes": {"F32": 2}}
    assert header.metadata == MODELSPEC


def test_reads_only_the_header():
    class Counting:
        def __init__(self, data):
            self.data, self.pos, self.read_bytes = data, 0, 0

        def read(self, n):
            chunk = self.data[self.pos : self.pos + n]
            self.pos += len(chunk)
            self.read_bytes += len(chunk)
            return chunk

    data = weights()
    counting = Counting(data)
    header = st.read_header(counting, len(data))
    assert counting.read_bytes == 8 + header.header_size < len(data)


def test_truncated_length():
    with pytest.raises(st.HeaderError, match=r"truncated.*8-byte header length, this one has 3"):
        parse(b"\x01\x02\x03")


def test_truncated_header():
    data = weights()[:40]
    with pytest.raises(st.HeaderError, match="truncated: the header declares"):
        parse(data)


def test_oversized_header_refused_before_reading():
    data = struct.pack("<Q", 100 * 1024 * 1024 + 1) + b"{}"
    with pytest.raises(st.HeaderError, match="over the limit of 104,857,600 bytes"):
        parse(data, size=None)


def test_not_json():
    with pytest.raises(st.HeaderError, match="not JSON: Expecting"):
        parse(raw(b"{not json"))


def test_not_utf8():
    with pytest.raises(st.HeaderError, match="not UTF-8"):
        parse(raw(b'{"\xff": 1}'))


def test_json_but_not_an_object():
    with pytest.raises(st.HeaderError, match="not an object \\(it is a list\\)"):
        parse(raw(b"[1, 2]"))


def test_overlapping_offsets():
    header = {
        "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
        "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},
    }
    result = parse(raw(header, b"\0" * 12))
    assert {
        "pointer": "/b/data_offsets",
        "message": "The range [4, 12] overlaps 'a''s, which ends at 8.",
    } in result.issues


def test_wrong_dtype_and_shape_mismatch():
    header = {
        "a": {"dtype": "F33", "shape": [2], "data_offsets": [0, 8]},
        "b": {"dtype": "F16", "shape": [3], "data_offsets": [8, 16]},
    }
    result = parse(raw(header, b"\0" * 16))
    pointers = {i["pointer"]: i["message"] for i in result.issues}
    assert "Unknown dtype 'F33'" in pointers["/a/dtype"]
    assert (
        pointers["/b/data_offsets"] == "A F16 tensor of shape [3] takes 6 bytes; its range holds 8."
    )


def test_offsets_past_the_end_of_the_file_and_gaps():
    header = {"a": {"dtype": "U8", "shape": [4], "data_offsets": [2, 6]}}
    result = parse(raw(header, b"\0" * 4))
    messages = [i["message"] for i in result.issues]
    assert any("runs past the end of the file's 4 bytes" in m for m in messages)
    assert any("2 byte(s) before this tensor belong to no tensor" in m for m in messages)


def test_metadata_must_be_strings():
    header = {"__metadata__": {"modelspec.title": 3}}
    result = parse(raw(header))
    assert result.issues == [
        {
            "pointer": "/__metadata__/modelspec.title",
            "message": "Metadata values are strings; this one is int.",
        }
    ]


def test_header_only_is_checked_without_the_file_size():
    data = weights()
    (length,) = struct.unpack("<Q", data[:8])
    header = st.read_header(stream(data[: 8 + length]), None)
    assert header.issues == [] and header.count == 2


def test_artifact_rules():
    from models_registry.bootstrap import load_card

    rules = load_card()["artifact_rules"]
    good = parse(weights())
    assert st.check_rules(good, rules) == []
    missing = {k: v for k, v in MODELSPEC.items() if k != "modelspec.architecture"}
    bad = parse(weights(metadata=missing, dtype=np.float64))
    issues = st.check_rules(bad, rules)
    assert {
        "pointer": "/__metadata__/modelspec.architecture",
        "message": "This field is required.",
    } in issues
    assert any(
        i["pointer"] == "/unet.conv.bias/dtype" and "F64 is not allowed" in i["message"]
        for i in issues
    )
    no_meta = parse(weights(metadata={}))
    assert no_meta.metadata is None or st.check_rules(no_meta, rules)


def test_the_demo_file_is_a_real_safetensors_file():
    from safetensors.numpy import load

    from models_registry.demo import MODELSPEC as DEMO_SPEC
    from models_registry.demo import demo_weights

    data = demo_weights()
    tensors = load(data)
    assert tensors["net.conv.weight"].shape == (4, 4, 2, 2)
    header = parse(data)
    assert header.issues == [] and header.metadata == DEMO_SPEC and header.parameters == 68
