"""Numpy string kernels: hashes compared across chunks, and the ASCII fast path of normalisation."""

import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from datasets_registry.captions.kernels import (
    _normalize_unicode,
    hash64,
    normalize,
    normalize_words,
)

from .helpers import COCO

TRICKY = [
    "",
    "a",
    "a\x00",  # a trailing NUL is not padding
    "abcdefgh",  # exactly one word
    "abcdefgh\x00",
    "abcdefghi",
    "hgfedcba",
    "abcdefghabcdefgh",
    "abcdefghabcdefgi",
    "ab",
    "ba",
    "x" * 1000,
    "x" * 1001,
    "Ünïcödé ✓",
]


def test_equal_values_hash_equal_and_different_values_differ():
    values = pa.array(TRICKY + TRICKY)
    h = hash64(values)
    assert (h[: len(TRICKY)] == h[len(TRICKY) :]).all()
    assert len(np.unique(h[: len(TRICKY)])) == len(TRICKY)


def test_slices_large_strings_binary_and_chunked_arrays_hash_like_the_plain_array():
    values = pa.array(TRICKY)
    h = hash64(values)
    assert (hash64(values.slice(3, 7)) == h[3:10]).all()
    assert (hash64(values.cast(pa.large_string())) == h).all()
    assert (hash64(values.cast(pa.binary())) == h).all()
    assert (hash64(pa.chunked_array([values.slice(0, 5), values.slice(5)])) == h).all()


def test_a_null_hashes_like_an_empty_string_and_empty_input_is_empty():
    h = hash64(pa.array(["", None, "a"]))
    assert h[0] == h[1] != h[2]
    assert hash64(pa.array([], pa.string())).shape == (0,)


@pytest.mark.skipif(not COCO.exists(), reason="needs shared/data")
def test_no_collisions_among_the_distinct_coco_captions_and_their_normalised_forms():
    captions = pc.unique(pa.array([json.loads(line)["text"] for line in COCO.open()]))
    normalised = pc.unique(normalize(captions))
    assert len(np.unique(hash64(captions))) == len(captions) > 24_000
    assert len(np.unique(hash64(normalised))) == len(normalised)


@pytest.mark.parametrize("seed", [0, 1])
def test_hashes_are_the_same_in_another_process(seed):
    # Chunks are hashed by different worker processes and compared at the merge.
    rng = np.random.default_rng(seed)
    texts = ["".join(chr(c) for c in rng.integers(32, 500, rng.integers(0, 40))) for _ in range(50)]
    code = (
        "import sys, pyarrow as pa\n"
        "from datasets_registry.captions.kernels import hash64\n"
        f"print(' '.join(map(str, hash64(pa.array({texts!r})).tolist())))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(x) for x in hash64(pa.array(texts)).tolist()]


FOLDING = [
    "A  Dog, running!",
    "  lead",
    "trail  ",
    "a\tb\nc",
    "__init__",
    "R2-D2!!",
    "...",
    "",
    " ",
    "A\x00B",
    "Café au lait",  # non-ASCII: folded by the Unicode-aware path
    "ÉCOLE  d'été",
    "日本語 テキスト",
    "\u00a0nbsp\u00a0x",
    "x\u2028y",
    None,
]


@pytest.mark.parametrize("order", [1, -1])
def test_normalize_folds_ascii_on_the_buffer_exactly_like_the_unicode_path(order):
    values = pa.array(FOLDING[::order], pa.string())
    for array in (values, values.slice(2), values.cast(pa.large_string())):
        expected = _normalize_unicode(array)
        norm, words = normalize_words(array)
        assert norm.to_pylist() == expected.to_pylist()
        assert words.to_pylist() == pc.ascii_split_whitespace(expected).to_pylist()
    assert normalize(pa.array(["A  Dog, running!"])).to_pylist() == ["a dog running"]


@pytest.mark.skipif(not COCO.exists(), reason="needs shared/data")
def test_normalize_agrees_with_the_unicode_path_on_every_coco_caption():
    captions = pa.array([json.loads(line)["text"] for line in COCO.open()])
    expected = _normalize_unicode(captions)
    norm, words = normalize_words(captions)
    assert norm.to_pylist() == expected.to_pylist()
    assert words.to_pylist() == pc.ascii_split_whitespace(expected).to_pylist()
