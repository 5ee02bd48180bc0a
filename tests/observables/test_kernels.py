"""The observables' numba kernels against the NumPy code they replaced, bit for bit.

Each ``_numpy_*`` function below is the NumPy implementation that the observables used
before their kernels (kept here as the twin): the kernels must give the same integers
and the same floats, not merely close ones, because the essay's datasets are compared
bitwise across versions.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from neqlab.core.errors import ConfigError
from neqlab.observables import cells, entropy, hydro

# -- cells.py ------------------------------------------------------------------------------


def _numpy_cell_index(points, n_side, period, lo=0.0, wrap=True):
    x = np.asarray(points, dtype=np.float64)
    u = (x[:, :2] - lo) * (n_side / period)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NaN/inf cast to int64
        iu = np.floor(u).astype(np.int64)
    if wrap:
        iu %= n_side
        return iu[:, 0] * n_side + iu[:, 1]
    inside = np.all((iu >= 0) & (iu < n_side), axis=1)
    return np.where(inside, iu[:, 0] * n_side + iu[:, 1], n_side * n_side)


def _numpy_cell_counts(points, n_side, period, lo=0.0, wrap=True):
    idx = _numpy_cell_index(points, n_side, period, lo, wrap)
    counts = np.bincount(idx, minlength=n_side * n_side + 1)
    return counts[counts > 0]


def _numpy_cg_entropy(points, n_side, period, kind, lo=0.0, wrap=True, miller_madow=False):
    counts = _numpy_cell_counts(points, n_side, period, lo, wrap)
    if kind == "touched":
        return float(np.log(counts.size))
    n = counts.sum()
    p = counts / n
    s = float(-(p * np.log(p)).sum())
    return s + (counts.size - 1) / (2.0 * n) if miller_madow else s


def _numpy_curve_cells(vertices, n_side, period, lo=0.0, wrap=True):
    v = np.asarray(vertices, dtype=np.float64)[:, :2]
    d = np.roll(v, -1, axis=0) - v
    k = np.maximum(1, np.ceil(np.linalg.norm(d, axis=1) / (period / n_side / 4.0)).astype(np.int64))
    seg = np.repeat(np.arange(v.shape[0]), k)
    start = np.repeat(np.cumsum(k) - k, k)
    frac = (np.arange(int(k.sum())) - start) / k[seg]
    return np.unique(_numpy_cell_index(v[seg] + frac[:, None] * d[seg], n_side, period, lo, wrap))


PERIODS = st.sampled_from([1.0, 2 * math.pi, 0.3, 7.0])


@st.composite
def clouds(draw):
    """Points off the grid, on cell edges (multiples of period / n_side, shifted by lo),
    a cell edge's neighbour floats, outside [lo, lo + period) on both sides, and
    non-finite values (NaN, +-inf, and finite values beyond int64 after scaling)."""
    n_side = draw(st.integers(1, 200))
    period = draw(PERIODS)
    lo = draw(st.sampled_from([0.0, -0.5, 0.25, 3.0]))
    n = draw(st.integers(0, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    pts = lo + (rng.random((n, 2)) * 3.0 - 1.0) * period
    if n:
        kinds = rng.integers(0, 4, size=(n, 2))
        edge = lo + rng.integers(-n_side, 2 * n_side, size=(n, 2)) * (period / n_side)
        pts = np.where(kinds == 1, edge, pts)
        pts = np.where(kinds == 2, np.nextafter(edge, -np.inf), pts)
        pts = np.where(kinds == 3, np.nextafter(edge, np.inf), pts)
    if n and draw(st.booleans()):
        specials = np.array([np.nan, np.inf, -np.inf, 1e300, -1e300, 2.0**63, -(2.0**63)])
        j = rng.integers(0, n, size=min(n, 5))
        pts[j, rng.integers(0, 2, size=j.size)] = rng.choice(specials, size=j.size)
    return pts, n_side, period, lo


@settings(max_examples=300, deadline=None)
@given(cloud=clouds(), wrap=st.booleans())
def test_cell_kernels_give_numpys_integers(cloud, wrap):
    pts, n_side, period, lo = cloud
    ref = _numpy_cell_index(pts, n_side, period, lo, wrap)
    got = cells.cell_index(pts, n_side, period, lo, wrap)
    assert got.dtype == np.int64 and np.array_equal(got, ref)
    assert np.array_equal(cells.cell_counts(pts, n_side, period, lo, wrap),
                          _numpy_cell_counts(pts, n_side, period, lo, wrap))
    assert np.array_equal(cells.touched_cells(pts, n_side, period, lo, wrap), np.unique(ref))
    if pts.shape[0]:
        for kind in ("touched", "gibbs"):
            for mm in (False, True):
                a = cells.cg_entropy(pts, n_side, period, kind=kind, lo=lo, wrap=wrap, miller_madow=mm)
                b = _numpy_cg_entropy(pts, n_side, period, kind, lo, wrap, mm)
                assert a == b  # the same float, not a close one


def test_non_finite_points_today():
    """What NaN and inf give (NumPy's cast on x86: -2^63): on the torus the cell of -2^63 modulo
    n_side, on the plane the overflow cell."""
    pts = np.array([[np.nan, 0.5], [0.5, np.inf], [-np.inf, -np.inf], [0.5, 0.5]])
    assert cells.cell_index(pts, 4, 1.0, wrap=False).tolist() == [16, 16, 16, 10]
    m = (-(2**63)) % 3  # Python's modulo, as NumPy's
    assert cells.cell_index(pts, 3, 1.0).tolist() == [m * 3 + 1, 1 * 3 + m, m * 3 + m, 1 * 3 + 1]


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_vertices=st.integers(1, 60), n_side=st.integers(1, 64),
       period=PERIODS, wrap=st.booleans(), spread=st.sampled_from([0.01, 0.3, 3.0]))
def test_curve_cells_match_numpy_samples(seed, n_vertices, n_side, period, wrap, spread):
    v = np.random.default_rng(seed).normal(size=(n_vertices, 2)) * spread * period
    assert np.array_equal(cells.curve_cells(v, n_side, period, wrap=wrap),
                          _numpy_curve_cells(v, n_side, period, wrap=wrap))


def test_cell_arguments_are_checked():
    with pytest.raises(ConfigError, match="n_side must be"):
        cells.cell_index(np.zeros((3, 2)), 0, 1.0)
    with pytest.raises(ConfigError, match="points must have shape"):
        cells.cell_counts(np.zeros(3), 4, 1.0)
    with pytest.raises(ConfigError, match="kind must be"):
        cells.cg_entropy_of_counts(np.array([1, 2]), kind="shannon")
