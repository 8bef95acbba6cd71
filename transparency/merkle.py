"""RFC 6962 / RFC 9162 Merkle tree arithmetic: pure functions, no Django.

The tree over leaves ``D[0:n]`` is RFC 6962's: ``leaf_hash(d) = SHA-256(0x00 || d)`` and
``node_hash(l, r) = SHA-256(0x01 || l || r)``; the hash of a range is split at the largest power
of two smaller than its size.

Storage (``transparency.tree``) keeps one hash per *complete* subtree: the node at ``level`` L
and ``index`` i covers the leaves ``[i * 2**L, (i + 1) * 2**L)``. Every range a proof names is
either such a node or the right edge of the tree, whose hash folds a few complete nodes
(``range_nodes``), so a proof needs O(log n) stored hashes and one query, whatever the size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

EMPTY_ROOT = hashlib.sha256(b"").digest()
LEVEL_BITS = 6  # a node's key is (index << 6) | level: levels 0..63


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def node_key(level: int, index: int) -> int:
    return (index << LEVEL_BITS) | level


def split(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The complete nodes ``(level, index)`` whose right fold is the hash of ``D[start:end]``.

    Valid for the ranges RFC 6962's recursion produces: ``start`` is a multiple of the power of
    two above ``end - start``. The nodes are listed left to right, largest first."""
    nodes = []
    size = end - start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def fold(hashes: list[bytes]) -> bytes:
    """Hash of a range from its ``range_nodes`` hashes: ``H(n1, H(n2, H(n3, …)))``."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes make the audit path of leaf ``index`` in a tree of ``size``
    (RFC 6962 §2.1.1 PATH), deepest first."""
    if not 0 <= index < size:
        raise ValueError("index must be smaller than the tree size")
    ranges = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The ranges whose hashes prove that the tree of size ``first`` is a prefix of the tree of
    size ``second`` (RFC 6962 §2.1.2 SUBPROOF), in proof order."""
    if not 0 < first <= second:
        raise ValueError("0 < first <= second is required")
    if first == second:
        return []
    appended = []
    base = []
    start, end, m, complete = 0, second, first, True
    while True:
        size = end - start
        if m == size:
            if not complete:
                base.append((start, end))
            break
        k = split(size)
        if m <= k:
            appended.append((start + k, end))
            end = start + k
        else:
            appended.append((start, start + k))
            start += k
            m -= k
            complete = False
    return base + appended[::-1]


def needed_nodes(ranges: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    return {node for r in ranges for node in range_nodes(*r)}


def hashes_for(ranges: list[tuple[int, int]], lookup: Callable[[int, int], bytes]) -> list[bytes]:
    """The hash of each range, from ``lookup(level, index)`` of its complete nodes."""
    return [fold([lookup(*node) for node in range_nodes(*r)]) for r in ranges]


# --- A reference implementation straight from the RFC's recursive definitions (tests) -------


def reference_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = split(len(leaves))
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def reference_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = split(len(leaves))
    if m < k:
        return [*reference_path(m, leaves[:k]), reference_root(leaves[k:])]
    return [*reference_path(m - k, leaves[k:]), reference_root(leaves[:k])]


def reference_consistency(m: int, leaves: list[bytes]) -> list[bytes]:
    def subproof(m: int, d: list[bytes], complete: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if complete else [reference_root(d)]
        k = split(n)
        if m <= k:
            return [*subproof(m, d[:k], complete), reference_root(d[k:])]
        return [*subproof(m - k, d[k:], False), reference_root(d[:k])]

    if m == len(leaves):
        return []
    return subproof(m, leaves, True)
