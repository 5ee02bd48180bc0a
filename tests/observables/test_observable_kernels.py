"""The observables' numba kernels against the NumPy code they replaced, bit for bit.

The twins in ``_numpy_observables.py`` are the NumPy implementations the observables
used before their kernels: the kernels must give the same integers and the same floats,
not merely close ones, because the essay's datasets are compared bitwise across versions.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
import _numpy_observables as twin
from neqlab.observables import cells, entropy, hydro

# -- cells.py ------------------------------------------------------------------------------


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
    ref = twin.cell_index(pts, n_side, period, lo, wrap)
    got = cells.cell_index(pts, n_side, period, lo, wrap)
    assert got.dtype == np.int64 and np.array_equal(got, ref)
    assert np.array_equal(cells.cell_counts(pts, n_side, period, lo, wrap),
                          twin.cell_counts(pts, n_side, period, lo, wrap))
    assert np.array_equal(cells.touched_cells(pts, n_side, period, lo, wrap), np.unique(ref))
    if pts.shape[0]:
        for kind in ("touched", "gibbs"):
            for mm in (False, True):
                a = cells.cg_entropy(pts, n_side, period, kind=kind, lo=lo, wrap=wrap, miller_madow=mm)
                b = twin.cg_entropy(pts, n_side, period, kind=kind, lo=lo, wrap=wrap, miller_madow=mm)
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
                          twin.curve_cells(v, n_side, period, wrap=wrap))


def test_cell_arguments_are_checked():
    with pytest.raises(ConfigError, match="n_side must be"):
        cells.cell_index(np.zeros((3, 2)), 0, 1.0)
    with pytest.raises(ConfigError, match="points must have shape"):
        cells.cell_counts(np.zeros(3), 4, 1.0)
    with pytest.raises(ConfigError, match="kind must be"):
        cells.cg_entropy_of_counts(np.array([1, 2]), kind="shannon")


# -- hydro.py ------------------------------------------------------------------------------


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
    ref = twin.fields(x, v, box, m, flow)
    names = ("idx", "counts", "u", "w", "k", "temp", "ke_flow", "volume", "w2")  # w2 as hydro_entropy summed it
    for name, a, b in zip(names, got, ref):
        assert _same(a, b), name
    assert got[1].dtype == ref[1].dtype and got[0].dtype == ref[0].dtype
    assert hydro.check_gas(x, v, box) == twin.check_gas(x, v, box) == 0


def _outcome(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (ConfigError, ValueError) as e:
        return f"{type(e).__name__}: {e}"


@settings(max_examples=150, deadline=None)
@given(gas=gases(), flow=st.sampled_from(hydro.FLOW_CHOICES), eos=st.sampled_from(hydro.EOS_CHOICES),
       min_count=st.integers(2, 12), dilute=st.booleans())
def test_hydro_entropy_is_numpys_bits(gas, flow, eos, min_count, dilute):
    """The whole S_hydro (values, errors, counts), with empty and sparse cells and with none."""
    x, v, box, m = gas
    if dilute:  # a gas in a quarter of the box: empty cells, and cells below min_count at its edge
        x = x * 0.25
    got = _outcome(hydro.hydro_entropy, x, v, box, m, eos=eos, flow=flow, min_count=min_count)
    ref = _outcome(twin.hydro_entropy, x, v, box, m, eos=eos, flow=flow, min_count=min_count)
    if ref == "ValueError: math domain error":  # the old code's sqrt of a round-off negative variance
        assert got.total_err >= 0.0 and got.thermal_err >= 0.0
    else:
        assert got == ref


def test_hydro_entropy_of_two_particles_per_cell():
    """Two particles in a cell have equal rest-frame speeds: kappa = 1 up to round-off, a zero
    temperature variance whose square root the old code took below zero (a math domain error)."""
    x, box = np.array([[1.0, 1.0], [2.0, 2.0]]), np.array([4.0, 4.0])
    v = np.array([[-1.259, 1.514], [1.346, 0.781]])
    assert _outcome(twin.hydro_entropy, x, v, box, 1) == "ValueError: math domain error"
    s = hydro.hydro_entropy(x, v, box, 1)
    assert s.n_counted == 2 and s.thermal_err == 0.0 and s.total_err >= 0.0


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
        assert got == twin.spatial_entropy(x, box, cells_arg, miller_madow=miller_madow, return_error=True)
    assert entropy.velocity_entropy(v, kT) == twin.velocity_entropy(v, kT)


@settings(max_examples=150, deadline=None)
@given(sample=samples(), estimator=st.sampled_from(entropy.ESTIMATORS), bin_width=st.sampled_from([0.25, 0.5, 0.7]),
       seed=st.integers(0, 2**32 - 1))
def test_mu_entropy_is_numpys_bits(sample, estimator, bin_width, seed):
    x, v, box, m = sample
    v = _on_edges(v, bin_width, seed)
    v_max = 6.0 * bin_width
    got = entropy.mu_entropy(x, v, box, m, bin_width=bin_width, v_max=v_max, estimator=estimator)
    ref = twin.mu_entropy(x, v, box, m, bin_width=bin_width, v_max=v_max, estimator=estimator)
    assert got == ref


@settings(max_examples=100, deadline=None)
@given(sample=samples())
def test_gas_checks_match_numpy(sample):
    x, v, box, _ = sample  # positions partly outside the box, some NaN/inf in half of the examples
    assert hydro.check_gas(x, v, box) == twin.check_gas(x, v, box)


def test_entropy_arguments_are_checked():
    with pytest.raises(ConfigError, match="n_cells must be"):
        entropy.spatial_entropy(np.zeros((3, 2)), np.ones(2), 0)
    with pytest.raises(ConfigError, match="velocities must have shape"):
        entropy.velocity_entropy(np.zeros(3), 1.0)
