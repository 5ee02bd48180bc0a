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


# -- how S_cg(t) grows ---------------------------------------------------------------------
from neqlab.observables.cells import growth_rate, largest_drop, linear_stage  # noqa: E402


@settings(max_examples=50, deadline=None)
@given(xs=st.lists(st.floats(-10, 10, allow_nan=False), min_size=1, max_size=40))
def test_largest_drop_matches_naive_twin(xs):
    best, where = 0.0, 0
    for j in range(len(xs)):
        for i in range(j):
            if xs[i] - xs[j] > best:
                best, where = xs[i] - xs[j], j
    drop, j = largest_drop(np.array(xs))
    assert drop == pytest.approx(best, abs=1e-12)
    if best > 0:
        assert max(xs[:j + 1]) - xs[j] == pytest.approx(best, abs=1e-12)
    assert (drop == 0.0) == all(b >= a for a, b in zip(xs, xs[1:]))


def test_growth_rate_of_exact_lines():
    """Regions growing at exactly 0.9 per step from different starts, saturating at ln M = 8."""
    t = np.arange(20.0)
    curves = np.array([np.minimum(8.0, s0 + 0.9 * t) for s0 in (0.0, 0.3, 0.7)])
    rate, err = growth_rate(t, curves, 8.0)
    assert rate == pytest.approx(0.9, abs=1e-12) and err == pytest.approx(0.0, abs=1e-12)
    w = linear_stage(curves[0], 8.0)
    assert curves[0][w].min() >= 1.0 and curves[0][w].max() <= 7.0 and np.all(np.diff(w) == 1)
    one_rate, one_err = growth_rate(t, curves[:1], 8.0)  # one region: the spread is unknown
    assert one_rate == pytest.approx(0.9, abs=1e-12) and math.isnan(one_err)
    assert all(math.isnan(x) for x in growth_rate(t, np.zeros((2, 20)), 8.0))  # no linear stage
