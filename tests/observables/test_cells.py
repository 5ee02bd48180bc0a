"""Cell counting against a naive Python-loop twin; entropies; curve cells."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.observables.cells import cell_counts, cg_entropy, curve_cells, touched_cells


def _naive(points, n_side, period):
    counts = {}
    for x, y in points:
        key = (int(math.floor(x / period * n_side)) % n_side, int(math.floor(y / period * n_side)) % n_side)
        counts[key] = counts.get(key, 0) + 1
    return counts


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 500), n_side=st.integers(1, 300),
       period=st.sampled_from([1.0, 2 * math.pi]))
def test_counts_match_naive_twin(seed, n, n_side, period):
    pts = (np.random.default_rng(seed).random((n, 2)) * 3 - 1) * period
    ref = _naive(pts, n_side, period)
    got = cell_counts(pts, n_side, period)
    assert sorted(got.tolist()) == sorted(ref.values())
    assert touched_cells(pts, n_side, period).size == len(ref)
    p = np.array(list(ref.values())) / n
    assert cg_entropy(pts, n_side, period, kind="gibbs") == pytest.approx(float(-(p * np.log(p)).sum()), abs=1e-12)


def test_uniform_cloud_saturates_and_miller_madow():
    pts = np.random.default_rng(0).random((200_000, 2))
    assert cg_entropy(pts, 64, 1.0) == pytest.approx(math.log(64 * 64))
    s = cg_entropy(pts, 64, 1.0, kind="gibbs")
    s_mm = cg_entropy(pts, 64, 1.0, kind="gibbs", miller_madow=True)
    # plug-in bias (M-1)/(2N) = 0.0102; the corrected one is ln M within ~ sqrt(M)/N-ish noise
    assert s < math.log(4096) and abs(s_mm - math.log(4096)) < 2e-3
    with pytest.raises(ConfigError, match="kind must be"):
        cg_entropy(pts, 4, 1.0, kind="shannon")


def test_overflow_cell_on_the_plane_and_curve_cells():
    pts = np.array([[0.5, 0.5], [5.0, 5.0], [-1.0, 0.2]])
    assert sorted(cell_counts(pts, 2, 1.0, wrap=False).tolist()) == [1, 2]  # one inside, two in overflow
    # a horizontal segment across the unit torus at y = 0.3 touches every column once
    v = np.array([[0.01, 0.3], [0.99, 0.3], [0.5, 0.3001]])
    assert curve_cells(v, 10, 1.0).size == 10
    # a lifted segment that wraps twice around the torus still touches 10 cells of its row
    assert curve_cells(np.array([[0.0, 0.35], [2.0, 0.35], [1.0, 0.351]]), 10, 1.0).size == 10
