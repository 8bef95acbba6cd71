"""The Merkle tree over the ledger, with stored subtree hashes (``TreeNode``).

``sync()`` extends the stored tree to every committed entry: leaf ``i`` is
``canonical_json({"seq", "kind", "payload", "created_at"})`` of the entry ``seq = i + 1``, exactly
the body the hash chain hashes (``governance.ledger``). Each leaf adds its node and, where it
completes a subtree, the parents it completes: about two rows per entry, written once.

Proofs and roots read only stored nodes: ``O(log n)`` of them in one query.
"""

from __future__ import annotations

from django.db import transaction

from config.canonical import canonical_json
from governance.ledger import timestamp
from governance.models import LedgerEntry

from . import merkle
from .models import TreeHead, TreeNode


class TreeError(Exception):
    """The stored entries cannot extend the tree (a gap in ``seq``)."""


def leaf_bytes(*, seq: int, kind: str, payload: dict, created_at) -> bytes:
    when = created_at if isinstance(created_at, str) else timestamp(created_at)
    return canonical_json({"seq": seq, "kind": kind, "payload": payload, "created_at": when})


def entry_leaf(entry: LedgerEntry) -> bytes:
    return leaf_bytes(
        seq=entry.seq, kind=entry.kind, payload=entry.payload, created_at=entry.created_at
    )


def size() -> int:
    head = TreeHead.objects.filter(pk=1).first()
    return head.size if head else 0


def _load(keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    wanted = {merkle.node_key(level, index): (level, index) for level, index in keys}
    found = {}
    for key, value in TreeNode.objects.filter(key__in=list(wanted)).values_list("key", "hash"):
        found[wanted[key]] = bytes(value)
    missing = set(keys) - set(found)
    if missing:
        raise TreeError(f"stored tree is missing nodes {sorted(missing)[:3]}")
    return found


def extend(leaves: list[bytes], start: int) -> int:
    """Store the nodes of ``leaves`` as leaves ``start, start + 1, …`` of the tree (whose first
    ``start`` leaves are stored). Call with the ``TreeHead`` row locked. Returns the new size."""
    cache = _load(set(merkle.range_nodes(0, start))) if start else {}
    new: dict[tuple[int, int], bytes] = {}
    for offset, data in enumerate(leaves):
        index = start + offset
        value = merkle.leaf_hash(data)
        level = 0
        new[(0, index)] = cache[(0, index)] = value
        while index & 1:
            value = merkle.node_hash(cache[(level, index - 1)], value)
            level += 1
            index >>= 1
            new[(level, index)] = cache[(level, index)] = value
        # Keep only the frontier (left siblings still needed), so memory stays O(log n).
        if len(cache) > 4096:
            keep = set(merkle.range_nodes(0, start + offset + 1))
            cache = {k: v for k, v in cache.items() if k in keep}
    TreeNode.objects.bulk_create(
        [TreeNode(key=merkle.node_key(lv, ix), hash=h) for (lv, ix), h in new.items()],
        batch_size=5000,
    )
    return start + len(leaves)


def sync(batch: int = 5000) -> int:
    """Extend the stored tree to every committed entry; returns the tree size. Concurrent calls
    queue on the ``TreeHead`` row; entries are read in ``seq`` order and must have no gap."""
    while True:
        with transaction.atomic():
            TreeHead.objects.get_or_create(pk=1)
            head = TreeHead.objects.select_for_update().get(pk=1)
            rows = list(
                LedgerEntry.objects.filter(seq__gt=head.size)
                .order_by("seq")
                .values_list("seq", "kind", "payload", "created_at")[:batch]
            )
            if not rows:
                return head.size
            leaves = []
            for expected, (seq, kind, payload, created_at) in enumerate(rows, head.size + 1):
                if seq != expected:
                    raise TreeError(f"ledger entry seq {expected} is missing")
                leaves.append(
                    leaf_bytes(seq=seq, kind=kind, payload=payload, created_at=created_at)
                )
            head.size = extend(leaves, head.size)
            head.save(update_fields=["size"])
            if len(rows) < batch:
                return head.size


def _check_size(tree_size: int) -> None:
    if tree_size > size():
        sync()
    if tree_size > size():
        raise ValueError(f"the log has fewer than {tree_size} entries")


def root(tree_size: int) -> bytes:
    if tree_size == 0:
        return merkle.EMPTY_ROOT
    _check_size(tree_size)
    nodes = merkle.range_nodes(0, tree_size)
    found = _load(set(nodes))
    return merkle.fold([found[n] for n in nodes])


def _hashes(ranges: list[tuple[int, int]]) -> list[bytes]:
    found = _load(merkle.needed_nodes(ranges))
    return merkle.hashes_for(ranges, lambda lv, ix: found[(lv, ix)])


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    """The audit path of leaf ``index`` (0-based: entry ``seq = index + 1``) in the tree of
    ``tree_size``. Raises ``ValueError`` for an index or size out of range."""
    ranges = merkle.inclusion_ranges(index, tree_size)
    _check_size(tree_size)
    return _hashes(ranges)


def consistency_proof(first: int, second: int) -> list[bytes]:
    ranges = merkle.consistency_ranges(first, second)
    _check_size(second)
    return _hashes(ranges)


def leaf_hash_of(entry: LedgerEntry) -> bytes:
    return merkle.leaf_hash(entry_leaf(entry))
