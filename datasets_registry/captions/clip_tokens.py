"""CLIP token counts with the real CLIP BPE vocabulary and merges, without PyTorch.

The vocabulary (``data/bpe_simple_vocab_16e6.txt.gz``, MIT, vendored from ``clip-anytorch``) is
loaded into a Hugging Face ``tokenizers`` BPE model configured like OpenAI's ``SimpleTokenizer``
(and like ``transformers``' ``CLIPTokenizerFast``): NFC, whitespace collapsed, lower-cased, split by
CLIP's regular expression, byte-level alphabet, ``</w>`` end-of-word suffix. The count includes the
start and end tokens, so a caption fits the text encoder when ``count <= 77``. The one difference
from ``SimpleTokenizer`` is that ``ftfy.fix_text`` is not applied first (it only changes garbled
text, which the ``mojibake`` rule reports anyway).
"""

from __future__ import annotations

import functools
import gzip
import threading
from pathlib import Path

import numpy as np

VOCAB_PATH = Path(__file__).with_name("data") / "bpe_simple_vocab_16e6.txt.gz"
START, END = "<|startoftext|>", "<|endoftext|>"
CLIP_SPLIT = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""


def _bytes_to_unicode() -> dict[int, str]:
    # GPT-2 / CLIP byte alphabet: printable bytes map to themselves, the rest above U+0100.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    bs += list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs), strict=True))


@functools.cache
def clip_tokenizer():
    """The CLIP tokenizer (built once per process, ~0.3 s)."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import BPE

    lines = gzip.decompress(VOCAB_PATH.read_bytes()).decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1 : 49152 - 256 - 2 + 1]]
    alphabet = list(_bytes_to_unicode().values())
    tokens = alphabet + [t + "</w>" for t in alphabet] + ["".join(m) for m in merges] + [START, END]
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(
        BPE(
            vocab=vocab,
            merges=merges,
            continuing_subword_prefix="",
            end_of_word_suffix="</w>",
            unk_token=END,
            fuse_unk=False,
        )
    )
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(CLIP_SPLIT), behavior="removed", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.TemplateProcessing(
        single=f"{START} $A {END}", special_tokens=[(START, vocab[START]), (END, vocab[END])]
    )
    return tok


# Token counts of the space-separated parts of captions, shared by every call in this process.
# A caption's count is 2 (start, end) plus the counts of its parts: see ``token_counts``.
_PART_COUNTS: dict[str, int] = {}
_PART_CACHE_MAX = 100_000  # ~10 MB at most; cleared when full (counts never change)
_PART_LOCK = threading.Lock()  # batches may be evaluated in two threads at once


def count_tokens(texts: list[str]) -> list[int]:
    """CLIP token counts (start and end tokens included) of each text (see ``token_counts``)."""
    if not texts:
        return []
    import pyarrow as pa

    return token_counts(pa.array(texts, pa.string())).tolist()


def token_counts(texts) -> np.ndarray:
    """CLIP token counts (start and end tokens included) of each value of a string array
    without nulls.

    The count is additive over the parts of a text split at U+0020 spaces, so each distinct part
    is tokenized once (batched in Rust) and remembered. This is exact: a space is a starter that
    composes with nothing (NFC never crosses it), it is whitespace (the ``\\s+`` replacement turns
    any run around it into one space, which no token covers), it is neither cased nor
    case-ignorable (lower-casing never looks across it), and no alternative of CLIP's split
    expression matches a space, so the pre-tokens of a text are those of its parts in order, and
    BPE works within one pre-token. Tests compare it with whole-text encoding. The split, the
    distinct parts and the sums are Arrow and numpy kernels: only distinct parts meet Python.
    """
    import pyarrow.compute as pc

    if not len(texts):
        return np.zeros(0, np.int64)
    parts = pc.split_pattern(texts, " ")  # every text has at least one part, maybe ""
    encoded = pc.dictionary_encode(pc.list_flatten(parts))
    distinct = encoded.dictionary.to_pylist()
    with _PART_LOCK:
        per_part = np.array(_part_counts(distinct), dtype=np.int64)
    offsets = parts.offsets.to_numpy()
    per_text = np.add.reduceat(per_part[encoded.indices.to_numpy()], offsets[:-1] - offsets[0])
    return per_text + 2


def _part_counts(parts: list[str]) -> list[int]:
    """Token counts of distinct parts ("" has none), from the cache or the tokenizer."""
    cache = _PART_COUNTS
    counts = [cache.get(p, 0) if p else 0 for p in parts]
    missing = [i for i, p in enumerate(parts) if p and p not in cache]
    if missing:
        texts = [parts[i] for i in missing]
        encodings = clip_tokenizer().encode_batch(texts, add_special_tokens=False)
        found = [len(e.ids) for e in encodings]
        for i, n in zip(missing, found, strict=True):
            counts[i] = n
        # This call's counts are all known already, so clearing a full cache loses nothing.
        if len(cache) + len(texts) > _PART_CACHE_MAX:
            cache.clear()
        if len(texts) <= _PART_CACHE_MAX:
            cache.update(zip(texts, found, strict=True))
    return counts


def count_tokens_whole(texts: list[str]) -> list[int]:
    """The same counts by encoding each whole text (the reference ``count_tokens`` must match)."""
    if not texts:
        return []
    encodings = clip_tokenizer().encode_batch(texts, add_special_tokens=True)
    return [len(e.ids) for e in encodings]


def encode(text: str) -> list[int]:
    """Token ids of one text (with start and end), for tests and the report."""
    return clip_tokenizer().encode(text).ids
