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


# -- hydro.py ------------------------------------------------------------------------------


def _numpy_cell_sums(idx, a, n_cells):
    return np.stack([np.bincount(idx, weights=a[:, j], minlength=n_cells) for j in range(a.shape[1])], 1)


def _numpy_fields(x, v, b, m, flow):
    """hydro._fields as it was in NumPy (bincount with weights)."""
    dim = x.shape[1]
    n_cells = int(np.prod(m))
    idx = np.ravel_multi_index(tuple(np.minimum(np.floor(x / b * m).astype(np.int64), m - 1).T), tuple(m))
    counts = np.bincount(idx, minlength=n_cells)
    occ = counts[:, None] > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        u = _numpy_cell_sums(idx, v, n_cells) / counts[:, None]
    w = v - np.where(occ, u, 0.0)[idx]
    if flow == "uniform":
        k = dim * (counts - 1.0)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            xbar = _numpy_cell_sums(idx, x, n_cells) / counts[:, None]
        dx = x - np.where(occ, xbar, 0.0)[idx]
        cxx = _numpy_cell_sums(idx, (dx[:, :, None] * dx[:, None, :]).reshape(-1, dim * dim), n_cells)
        cxv = _numpy_cell_sums(idx, (dx[:, :, None] * w[:, None, :]).reshape(-1, dim * dim), n_cells)
        grad = np.linalg.pinv(cxx.reshape(-1, dim, dim)) @ cxv.reshape(-1, dim, dim)
        w = w - np.einsum("ij,ijk->ik", dx, grad[idx])
        k = dim * (counts - 1.0 - dim)
    s2 = np.bincount(idx, weights=np.sum(w * w, axis=1), minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        temp = np.where(k > 0, s2 / k, np.nan)
    ke_flow = np.bincount(idx, weights=0.5 * np.sum((v - w) ** 2, axis=1), minlength=n_cells)
    return idx, counts, u, w, k, temp, ke_flow, float(np.prod(b / m))


@st.composite
def gases(draw):
    """Positions in [0, box] with some exactly on 0, on box (a wall) and on cell edges;
    velocities with a common flow, of several scales."""
    dim = draw(st.sampled_from([2, 3]))
    n = draw(st.integers(1, 400))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    box = rng.uniform(0.5, 50.0, size=dim)
    m = rng.integers(1, 7, size=dim)
    x = rng.random((n, dim)) * box
    kind = rng.integers(0, 4, size=(n, dim))
    edge = rng.integers(0, m + 1, size=(n, dim)) * (box / m)
    x = np.where(kind == 1, np.minimum(edge, box), x)
    x = np.where(kind == 2, 0.0, x)
    x = np.where(kind == 3, box, x)
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    v = (rng.normal(size=(n, dim)) + rng.normal(size=dim) * 3) * scale
    return x, v, box, m


def _same(a, b):
    return np.array_equal(a, b, equal_nan=np.asarray(a).dtype.kind == "f")


@settings(max_examples=200, deadline=None)
@given(gas=gases(), flow=st.sampled_from(hydro.FLOW_CHOICES))
def test_hydro_fields_are_numpys_bits(gas, flow):
    x, v, box, m = gas
    got = hydro._fields(x, v, box, m, flow)
    ref = _numpy_fields(x, v, box, m, flow)
    names = ("idx", "counts", "u", "w", "k", "temp", "ke_flow", "volume")
    for name, a, b in zip(names, got, ref):
        assert _same(a, b), name
    assert got[1].dtype == ref[1].dtype and got[0].dtype == ref[0].dtype
    assert np.array_equal(got[8], np.sum(got[3] ** 2, axis=1))  # w2, as hydro_entropy used to sum it


def test_hydro_rejects_bad_values_velocities_first():
    x = np.array([[1.0, 1.0], [2.0, 2.0]])
    box = np.array([4.0, 4.0])
    bad_x = np.array([[1.0, 1.0], [5.0, np.nan]])
    bad_v = np.array([[0.0, np.inf], [0.0, 0.0]])
    with pytest.raises(ConfigError, match="velocities must be finite"):
        hydro.hydro_entropy(bad_x, bad_v, box, 2)  # both bad: the velocities are named, as before
    with pytest.raises(ConfigError, match="positions must lie in"):
        hydro.hydro_entropy(bad_x, np.zeros((2, 2)), box, 2)
    with pytest.raises(ConfigError, match="positions must lie in"):
        hydro.local_fields(np.array([[1.0, -1e-300], [2.0, 2.0]]), np.zeros((2, 2)), box, 2)
    assert hydro.local_fields(x, np.zeros((2, 2)), box, 2).counts.tolist() == [1, 0, 0, 1]


# -- entropy.py ----------------------------------------------------------------------------


def _numpy_spatial_entropy(x, box, n_cells, miller_madow):
    dim = x.shape[1]
    m = np.broadcast_to(np.asarray(n_cells, dtype=np.int64), (dim,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        idx = np.clip(np.floor(x / box * m).astype(np.int64), 0, m - 1)
    counts = np.bincount(np.ravel_multi_index(tuple(idx.T), tuple(m)), minlength=int(np.prod(m)))
    return entropy._plugin_with_error(counts, miller_madow)[:2]


def _numpy_velocity_entropy(v, kT):
    width = entropy.V_BIN * math.sqrt(kT)
    n_bins = int(round(2 * entropy.V_RANGE / entropy.V_BIN))
    total, var = 0.0, 0.0
    for k in range(v.shape[1]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            idx = np.clip(np.floor(v[:, k] / width + n_bins / 2).astype(np.int64), 0, n_bins - 1)
        s, err, m, n = entropy._plugin_with_error(np.bincount(idx, minlength=n_bins).astype(float), False)
        total += s + math.log(width) + (m - 1) / (2.0 * n)
        var += err * err
    return total, math.sqrt(var)


def _numpy_mu_entropy(x, v, b, cells, bin_width, v_max, estimator):
    dim = x.shape[1]
    m = np.broadcast_to(np.asarray(cells), (dim,)).astype(np.int64)
    n, n_cells = x.shape[0], int(np.prod(m))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        cell = np.ravel_multi_index(tuple(np.clip(np.floor(x / b * m).astype(np.int64), 0, m - 1).T), tuple(m))
        n_bins = int(math.ceil(2 * v_max / bin_width))
        vb = np.clip(np.floor(v / bin_width + 0.5 * n_bins).astype(np.int64), 0, n_bins - 1)
    log_cell = math.log(float(np.prod(b / m)))
    sx, _, _ = entropy._row_entropies(np.bincount(cell, minlength=n_cells)[None, :], estimator)
    sv, var_in = np.zeros(n_cells), np.zeros(n_cells)
    for k in range(dim):
        ck = np.bincount(cell * n_bins + vb[:, k], minlength=n_cells * n_bins).reshape(n_cells, n_bins)
        s_k, var_k, n_c = entropy._row_entropies(ck, estimator)
        sv += s_k
        var_in += var_k
    p = n_c / n
    h = np.where(p > 0, -np.log(np.where(p > 0, p, 1.0)), 0.0) + sv
    var = max(float(np.sum(p * h * h) - np.sum(p * h) ** 2), 0.0) / n + float(np.sum(p * p * var_in))
    value = float(sx[0]) + float(np.sum(p * sv)) + log_cell + dim * math.log(bin_width)
    return value, math.sqrt(var)


@st.composite
def samples(draw):
    """Positions inside and outside the box, on cell edges, and (optionally) NaN/inf;
    velocities with tails beyond the histogram's range."""
    dim = draw(st.sampled_from([2, 3]))
    n = draw(st.integers(1, 400))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    box = rng.uniform(0.5, 50.0, size=dim)
    m = rng.integers(1, 9, size=dim)
    x = (rng.random((n, dim)) * 1.2 - 0.1) * box
    x = np.where(rng.random((n, dim)) < 0.2, rng.integers(0, m + 1, size=(n, dim)) * (box / m), x)
    v = rng.normal(size=(n, dim)) * draw(st.sampled_from([0.3, 1.0, 5.0]))
    if draw(st.booleans()):
        specials = np.array([np.nan, np.inf, -np.inf, 1e300])
        for a in (x, v):
            j = rng.integers(0, n, size=min(n, 3))
            a[j, rng.integers(0, dim, size=j.size)] = rng.choice(specials, size=j.size)
    return x, v, box, m


def _on_edges(v, width, seed):
    """About a third of the components put on a bin edge j * width, or on a float next to one."""
    rng = np.random.default_rng(seed)
    edge = rng.integers(-20, 21, size=v.shape) * width
    edge = np.where(rng.random(v.shape) < 0.5, edge, np.nextafter(edge, rng.choice([-np.inf, np.inf], v.shape)))
    return np.where(rng.random(v.shape) < 0.35, edge, v)


@settings(max_examples=200, deadline=None)
@given(sample=samples(), miller_madow=st.booleans(), kT=st.sampled_from([0.5, 1.0, 2.0, 1.7]),
       seed=st.integers(0, 2**32 - 1))
def test_spatial_and_velocity_entropy_are_numpys_bits(sample, miller_madow, kT, seed):
    x, v, box, m = sample
    v = _on_edges(v, entropy.V_BIN * math.sqrt(kT), seed)
    for cells_arg in (m, int(m[0])):
        got = entropy.spatial_entropy(x, box, cells_arg, miller_madow=miller_madow, return_error=True)
        assert got == _numpy_spatial_entropy(x, box, cells_arg, miller_madow)
    assert entropy.velocity_entropy(v, kT) == _numpy_velocity_entropy(v, kT)


@settings(max_examples=150, deadline=None)
@given(sample=samples(), estimator=st.sampled_from(entropy.ESTIMATORS), bin_width=st.sampled_from([0.25, 0.5, 0.7]),
       seed=st.integers(0, 2**32 - 1))
def test_mu_entropy_is_numpys_bits(sample, estimator, bin_width, seed):
    x, v, box, m = sample
    v = _on_edges(v, bin_width, seed)
    v_max = 6.0 * bin_width
    got = entropy.mu_entropy(x, v, box, m, bin_width=bin_width, v_max=v_max, estimator=estimator)
    ref = _numpy_mu_entropy(x, v, box, m, bin_width, v_max, estimator)
    assert (got.value, got.err) == ref or (np.isnan(ref[0]) and np.isnan(got.value))


def test_entropy_arguments_are_checked():
    with pytest.raises(ConfigError, match="n_cells must be"):
        entropy.spatial_entropy(np.zeros((3, 2)), np.ones(2), 0)
    with pytest.raises(ConfigError, match="velocities must have shape"):
        entropy.velocity_entropy(np.zeros(3), 1.0)
