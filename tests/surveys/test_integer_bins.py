"""Whole-number histograms have one round width, aligned (issue 16, defect 20): 0–9, 10–19, …,
90–100, never 0–10, 11–21, …, 99–100."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from surveys.kinds.numeric import MAX_BINS, integer_bins


def test_zero_to_a_hundred_reads_in_tens():
    assert integer_bins(0, 100) == [(i, i + 9) for i in range(0, 90, 10)] + [(90, 100)]
    assert integer_bins(1, 7) == [(i, i) for i in range(1, 8)]
    assert integer_bins(18, 65) == [(18, 19), (20, 29), (30, 39), (40, 49), (50, 59), (60, 65)]


@given(st.integers(-(10**6), 10**6), st.integers(0, 10**7))
def test_bins_tile_the_range_with_one_aligned_width(lo, span):
    hi = lo + span
    bins = integer_bins(lo, hi)
    assert 1 <= len(bins) <= MAX_BINS
    assert bins[0][0] == lo and bins[-1][1] == hi
    for (_, b), (c, _) in itertools.pairwise(bins):
        assert c == b + 1  # no gap, no overlap
    inner = bins[1:-1]
    widths = {b - a + 1 for a, b in inner}
    assert len(widths) <= 1  # every bin but the two ends has the same width
    if inner:
        (w,) = widths
        assert all(a % w == 0 for a, _ in inner)  # aligned on multiples of the width
