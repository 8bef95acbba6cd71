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
# A caption's count is 2 (start, end) plus the counts of its parts: see ``count_tokens``.
_PART_COUNTS: dict[str, int] = {}
_PART_CACHE_MAX = 100_000  # ~10 MB at most; cleared when full (counts never change)
_PART_LOCK = threading.Lock()  # batches may be evaluated in two threads at once


def count_tokens(texts: list[str]) -> list[int]:
    """CLIP token counts (start and end tokens included) of each text.

    The count is additive over the parts of a text split at U+0020 spaces, so each distinct part
    is tokenized once (batched in Rust) and remembered. This is exact: a space is a starter that
    composes with nothing (NFC never crosses it), it is whitespace (the ``\\s+`` replacement turns
    any run around it into one space, which no token covers), it is neither cased nor
    case-ignorable (lower-casing never looks across it), and no alternative of CLIP's split
    expression matches a space, so the pre-tokens of a text are those of its parts in order, and
    BPE works within one pre-token. Tests compare it with whole-text encoding.
    """
    if not texts:
        return []
    with _PART_LOCK:
        return _count_tokens(texts)


def _count_tokens(texts: list[str]) -> list[int]:
    cache = _PART_COUNTS
    parts = [text.split(" ") for text in texts]
    missing = list({p for ps in parts for p in ps if p and p not in cache})
    if missing:
        if len(cache) + len(missing) > _PART_CACHE_MAX:
            cache.clear()
        encodings = clip_tokenizer().encode_batch(missing, add_special_tokens=False)
        cache.update(zip(missing, (len(e.ids) for e in encodings), strict=True))
        if len(cache) > _PART_CACHE_MAX:  # one call with more distinct parts than the cap
            local = cache.copy()
            cache.clear()
            return [2 + sum(local[p] for p in ps if p) for ps in parts]
    return [2 + sum(cache[p] for p in ps if p) for ps in parts]


def count_tokens_whole(texts: list[str]) -> list[int]:
    """The same counts by encoding each whole text (the reference ``count_tokens`` must match)."""
    if not texts:
        return []
    encodings = clip_tokenizer().encode_batch(texts, add_special_tokens=True)
    return [len(e.ids) for e in encodings]


def encode(text: str) -> list[int]:
    """Token ids of one text (with start and end), for tests and the report."""
    return clip_tokenizer().encode(text).ids
