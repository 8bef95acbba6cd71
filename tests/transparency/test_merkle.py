"""The RFC 6962 tree: independent vectors, the RFC's recursive definitions, and RFC 9162's
verification algorithms (the standalone verifier's), for every tree size from 1 to 64."""

import random

import pytest
from omi_commons_client import logverify as v

from governance import ledger
from governance.models import LedgerEntry
from transparency import merkle, tree
from transparency.models import TreeHead, TreeNode

h = bytes.fromhex
# The RFC 6962 test leaves and roots of the certificate-transparency implementations.
LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION_5_OF_8 = [
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
]
CONSISTENCY_6_8 = [
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
]
CONSISTENCY_2_5 = [
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
]
DATA = [h(x) for x in LEAVES]


class MemoryTree:
    """The stored-node algorithms of ``transparency.tree`` over a dict instead of the table."""

    def __init__(self, leaves):
        self.nodes = {}
        for i, data in enumerate(leaves):
            value, level, index = merkle.leaf_hash(data), 0, i
            self.nodes[(0, i)] = value
            while index & 1:
                value = merkle.node_hash(self.nodes[(level, index - 1)], value)
                level, index = level + 1, index >> 1
                self.nodes[(level, index)] = value

    def lookup(self, level, index):
        return self.nodes[(level, index)]

    def root(self, size):
        nodes = merkle.range_nodes(0, size)
        return merkle.fold([self.lookup(*n) for n in nodes])

    def inclusion(self, index, size):
        return merkle.hashes_for(merkle.inclusion_ranges(index, size), self.lookup)

    def consistency(self, first, second):
        return merkle.hashes_for(merkle.consistency_ranges(first, second), self.lookup)


def test_rfc6962_vectors():
    t = MemoryTree(DATA)
    for size in range(1, 9):
        assert t.root(size).hex() == ROOTS[size - 1]
        assert merkle.reference_root(DATA[:size]).hex() == ROOTS[size - 1]
    assert [x.hex() for x in t.inclusion(5, 8)] == INCLUSION_5_OF_8
    assert [x.hex() for x in t.consistency(6, 8)] == CONSISTENCY_6_8
    assert [x.hex() for x in t.consistency(2, 5)] == CONSISTENCY_2_5
    v.verify_inclusion(5, 8, v.leaf_hash(DATA[5]), [h(x) for x in INCLUSION_5_OF_8], h(ROOTS[7]))
    v.verify_consistency(6, 8, [h(x) for x in CONSISTENCY_6_8], h(ROOTS[5]), h(ROOTS[7]))
    v.verify_consistency(2, 5, [h(x) for x in CONSISTENCY_2_5], h(ROOTS[1]), h(ROOTS[4]))
    with pytest.raises(v.VerifyError):
        v.verify_inclusion(
            4, 8, v.leaf_hash(DATA[5]), [h(x) for x in INCLUSION_5_OF_8], h(ROOTS[7])
        )
    with pytest.raises(v.VerifyError):
        v.verify_consistency(6, 8, [h(x) for x in CONSISTENCY_6_8], h(ROOTS[4]), h(ROOTS[7]))
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_every_size_from_1_to_64_against_the_rfc_definitions():
    rng = random.Random(6962)
    leaves = [rng.randbytes(rng.randrange(0, 40)) for _ in range(64)]
    t = MemoryTree(leaves)
    builder = v.RootBuilder()
    for size in range(1, 65):
        builder.add(merkle.leaf_hash(leaves[size - 1]))
        expected = merkle.reference_root(leaves[:size])
        assert t.root(size) == expected == builder.root()
        indices = set(rng.sample(range(size), min(size, 8))) | {0, size - 1}
        for index in indices:
            proof = t.inclusion(index, size)
            assert proof == merkle.reference_path(index, leaves[:size])
            v.verify_inclusion(index, size, merkle.leaf_hash(leaves[index]), proof, expected)
            with pytest.raises(v.VerifyError):
                v.verify_inclusion(index, size, merkle.leaf_hash(b"other"), proof, expected)
            if size > 1:
                wrong = (index + 1) % size
                with pytest.raises(v.VerifyError):
                    v.verify_inclusion(
                        wrong, size, merkle.leaf_hash(leaves[index]), proof, expected
                    )
        for first in range(1, size + 1):
            proof = t.consistency(first, size)
            assert proof == merkle.reference_consistency(first, leaves[:size])
            v.verify_consistency(first, size, proof, t.root(first), expected)
            if first < size:
                with pytest.raises(v.VerifyError):
                    v.verify_consistency(first, size, proof, merkle.leaf_hash(b"x"), expected)


def test_proof_sizes_are_logarithmic():
    n = 1_000_000
    assert len(merkle.needed_nodes(merkle.inclusion_ranges(123_456, n))) <= 2 * 20
    assert len(merkle.needed_nodes(merkle.consistency_ranges(654_321, n))) <= 3 * 20


def _append(n):
    for i in range(n):
        ledger.append("test.entry", {"i": i, "text": f"entry {i} é"})


@pytest.mark.django_db
def test_the_stored_tree_matches_the_ledger_and_grows_in_steps():
    _append(5)
    assert tree.sync() == 5
    _append(12)
    assert tree.sync(batch=4) == 17
    leaves = [tree.entry_leaf(e) for e in LedgerEntry.objects.order_by("seq")]
    assert TreeHead.objects.get().size == 17
    # about two stored nodes per leaf
    assert TreeNode.objects.count() == 17 + 8 + 4 + 2 + 1
    for size in range(1, 18):
        root = merkle.reference_root(leaves[:size])
        assert tree.root(size) == root
        for index in range(size):
            v.verify_inclusion(
                index,
                size,
                merkle.leaf_hash(leaves[index]),
                tree.inclusion_proof(index, size),
                root,
            )
        for first in range(1, size + 1):
            v.verify_consistency(
                first, size, tree.consistency_proof(first, size), tree.root(first), root
            )


@pytest.mark.django_db
def test_a_leaf_is_the_entry_body_the_chain_hashes():
    entry = ledger.append("test.entry", {"b": 2, "a": "é"})
    body = tree.entry_leaf(entry)
    assert (
        body
        == (
            f'{{"created_at":"{ledger.timestamp(entry.created_at)}","kind":"test.entry",'
            f'"payload":{{"a":"é","b":2}},"seq":{entry.seq}}}'
        ).encode()
    )
    import hashlib

    assert hashlib.sha256(entry.prev_hash.encode() + body).hexdigest() == entry.hash


@pytest.mark.django_db
def test_proofs_out_of_range_are_refused():
    _append(3)
    with pytest.raises(ValueError):
        tree.inclusion_proof(3, 3)
    with pytest.raises(ValueError):
        tree.inclusion_proof(0, 4)
    with pytest.raises(ValueError):
        tree.consistency_proof(0, 3)
    with pytest.raises(ValueError):
        tree.consistency_proof(3, 2)
