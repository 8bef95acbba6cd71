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


def count_tokens(texts: list[str]) -> list[int]:
    """CLIP token counts (start and end tokens included) of each text, batched in Rust."""
    if not texts:
        return []
    encodings = clip_tokenizer().encode_batch(texts, add_special_tokens=True)
    return [len(e.ids) for e in encodings]


def encode(text: str) -> list[int]:
    """Token ids of one text (with start and end), for tests and the report."""
    return clip_tokenizer().encode(text).ids
