"""H-function and spatial entropy against exact values, bias as stated."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.observables.entropy import (h_function, half_fraction, maxwell_h, maxwell_h_sampled, mu_entropy,
                                        spatial_entropy,
                                        velocity_histogram)


@pytest.mark.parametrize("dim,kT", [(2, 1.0), (3, 1.0), (2, 2.0)])
def test_h_of_maxwellian_matches_exact(dim, kT):
    rng = np.random.default_rng(dim)
    v = rng.normal(scale=math.sqrt(kT), size=(400_000, dim))
    dv = (0.1 if dim == 2 else 0.25) * math.sqrt(kT)  # 3D: keep bins well sampled
    h = h_function(v, bin_width=dv, v_max=7 * math.sqrt(kT), miller_madow=True)
    # binning lowers H by dim dv^2 / (24 kT) (second derivative of ln f); statistical sd
    # sqrt(var(ln f) / n) = sqrt(dim/2 / 4e5) <= 2e-3, so 1e-2 is |z| < 5
    expected = maxwell_h(kT, dim) - dim * dv**2 / (24 * kT)
    assert h == pytest.approx(expected, abs=1e-2)


def test_miller_madow_bias_is_stated_size():
    rng = np.random.default_rng(7)
    v = rng.normal(size=(2500, 2))
    counts, _ = velocity_histogram(v)
    m = int(np.count_nonzero(counts))
    assert h_function(v) - h_function(v, miller_madow=True) == pytest.approx((m - 1) / (2 * 2500))


def test_h_of_a_narrow_distribution_is_larger():
    rng = np.random.default_rng(8)
    assert h_function(rng.normal(scale=0.5, size=(50_000, 2))) > h_function(rng.normal(size=(50_000, 2)))


@settings(max_examples=20, deadline=None)
@given(n_cells=st.integers(1, 12), seed=st.integers(0, 10_000))
def test_spatial_entropy_bounds(n_cells, seed):
    rng = np.random.default_rng(seed)
    box = np.array([3.0, 5.0])
    x = rng.uniform(0, 1, size=(500, 2)) * box
    s = spatial_entropy(x, box, n_cells)
    assert -1e-12 <= s <= math.log(n_cells**2) + 1e-12
    assert spatial_entropy(x[:1].repeat(10, axis=0), box, n_cells) == 0.0


def test_spatial_entropy_half_box_is_ln2_lower():
    box = np.array([10.0, 10.0])
    g = (np.arange(80) + 0.5) / 80
    full = np.stack(np.meshgrid(g * 10, g * 10), -1).reshape(-1, 2)
    half = full.copy()
    half[:, 0] *= 0.5
    s_full = spatial_entropy(full, box, 8)
    assert s_full == pytest.approx(math.log(64), abs=1e-12)  # 10 x 10 points per cell
    assert s_full - spatial_entropy(half, box, 8) == pytest.approx(math.log(2), abs=1e-12)
    assert half_fraction(half, box) == 1.0 and half_fraction(full, box) == 0.5


# -- mu-space entropy --------------------------------------------------------------------
def _coarse_grained_maxwell(box, dim, kT, bin_width, v_max):
    """Exact -sum P ln(P / dx dv) of uniform positions x Maxwell velocities on the
    estimator's grid (edge bins hold the tails): the estimand, binning included."""
    from scipy.stats import norm

    n_bins = int(math.ceil(2 * v_max / bin_width))
    edges = (-0.5 * n_bins + np.arange(n_bins + 1)) * bin_width / math.sqrt(kT)
    p = np.diff(norm.cdf(edges))
    p[0] += norm.cdf(edges[0])
    p[-1] += norm.sf(edges[-1])
    p = p[p > 0]
    return math.log(float(np.prod(box))) + dim * float(-np.sum(p * np.log(p / bin_width)))


@pytest.mark.parametrize("dim,cells", [(2, 4), (3, 3)])
def test_mu_entropy_grassberger_is_unbiased_where_plugin_is_not(dim, cells):
    """200 Maxwell samples of 4000 particles (uniform in a box, kT = 1.5, bins
    sqrt(kT)/2 wide): the mean of the corrected estimate equals the exact coarse-grained
    entropy within 4 standard errors of the mean (from the samples' scatter); the plug-in
    estimate misses it by more than 4. The stated error matches the scatter (ratio in
    [0.8, 1.2]: the sd of 200 samples is known to 5 %)."""
    rng = np.random.default_rng(40 + dim)
    box, kT = np.array([20.0, 15.0, 10.0][:dim]), 1.5
    w = 0.5 * math.sqrt(kT)
    exact = _coarse_grained_maxwell(box, dim, kT, w, 6.0)
    est = {"plugin": [], "grassberger": []}
    errs = []
    for _ in range(200):
        x = rng.uniform(size=(4000, dim)) * box
        v = rng.normal(scale=math.sqrt(kT), size=(4000, dim))
        for name, vals in est.items():
            e = mu_entropy(x, v, box, cells, bin_width=w, estimator=name)
            vals.append(e.value)
        errs.append(e.err)
    for name, vals in est.items():
        vals = np.array(vals)
        z = (vals.mean() - exact) / (vals.std(ddof=1) / math.sqrt(vals.size))
        assert (abs(z) < 4) if name == "grassberger" else (z < -4), (name, z)
    assert 0.8 < np.mean(errs) / np.std(est["grassberger"], ddof=1) < 1.2


def test_mu_entropy_of_a_single_cell_and_bin_is_its_log_volume():
    x = np.full((50, 2), 0.3)
    v = np.full((50, 2), 0.1)
    for name in ("plugin", "miller_madow", "grassberger"):
        for vel in ("product", "joint"):
            e = mu_entropy(x, v, [2.0, 3.0], 1, bin_width=0.5, velocity=vel, estimator=name)
            # one occupied bin: plug-in 0, Miller-Madow adds (1 - 1)/2n = 0; Grassberger
            # ln n - G(n) = ln 50 - G(50) ~ 1/(2n) order, small
            expected = math.log(6.0) + 2 * math.log(0.5)
            tol = 1e-12 if name != "grassberger" else 0.05
            assert e.value == pytest.approx(expected, abs=tol) and e.err == 0.0


def test_mu_entropy_product_equals_joint_for_plugin_when_velocities_factorise():
    """A full grid of velocities (every (vx, vy) pair once per cell) factorises exactly."""
    g = np.arange(-2, 3) * 0.5 + 0.25
    vx, vy = np.meshgrid(g, g)
    v = np.tile(np.stack([vx.ravel(), vy.ravel()], 1), (4, 1))
    x = np.repeat(np.array([[0.5, 0.5], [1.5, 0.5], [0.5, 1.5], [1.5, 1.5]]), 25, axis=0)
    a = mu_entropy(x, v, [2.0, 2.0], 2, estimator="plugin", velocity="product").value
    b = mu_entropy(x, v, [2.0, 2.0], 2, estimator="plugin", velocity="joint").value
    assert a == pytest.approx(b, abs=1e-12) and a == pytest.approx(math.log(4.0) + 2 * math.log(2.5), abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), est=st.sampled_from(["plugin", "miller_madow", "grassberger"]),
       vel=st.sampled_from(["product", "joint"]))
def test_mu_entropy_is_permutation_invariant(seed, est, vel):
    rng = np.random.default_rng(seed)
    x, v = rng.uniform(size=(300, 2)) * 5, rng.normal(size=(300, 2))
    p = rng.permutation(300)
    a = mu_entropy(x, v, [5.0, 5.0], 3, estimator=est, velocity=vel)
    b = mu_entropy(x[p], v[p], [5.0, 5.0], 3, estimator=est, velocity=vel)
    assert a.value == pytest.approx(b.value, rel=1e-12) and a.err == pytest.approx(b.err, rel=1e-9)


@pytest.mark.parametrize("kw,msg", [(dict(estimator="nsb"), "estimator must be one of plugin, miller_madow, grassberger"),
                                    (dict(velocity="radial"), "velocity must be one of product, joint"),
                                    (dict(bin_width=0.0), "bin_width must be a number in"),
                                    (dict(cells=0), "cells must be an integer"),
                                    (dict(cells=1.5), "cells must be an integer"),
                                    (dict(box=[1.0]), "box must be 2 positive")])
def test_mu_entropy_bad_input(kw, msg):
    args = dict(box=[2.0, 2.0], cells=2)
    args.update(kw)
    box, cells = args.pop("box"), args.pop("cells")
    with pytest.raises(ConfigError, match=msg):
        mu_entropy(np.ones((4, 2)), np.zeros((4, 2)), box, cells, **args)


# -- the estimators with standard errors (moved from the loschmidt experiment) ---------------
from neqlab.core.rng import Stream, replica_rng  # noqa: E402
from neqlab.observables.entropy import velocity_entropy  # noqa: E402
from neqlab.testing import reference as ref  # noqa: E402


def test_spatial_entropy_miller_madow_is_unbiased_for_uniform_positions():
    # exact: ln 64 for uniform positions in an 8 x 8 grid; 200 samples of n = 2500 (the
    # loschmidt experiment's smallest N). Miller-Madow leaves -(sum 1/p - 1)/(12 n^2) = -5e-5,
    # far below the standard error of the mean (~1.3e-4); the plug-in bias (M-1)/(2n) = 0.0126
    # is 100 standard errors.
    box = np.array([10.0, 10.0])
    mm, plug = [], []
    for i in range(200):
        x = replica_rng(1, i, Stream.TESTING).uniform(0, 1, (2500, 2)) * box
        s, err = spatial_entropy(x, box, 8, miller_madow=True, return_error=True)
        assert s - 63 / 5000 == pytest.approx(spatial_entropy(x, box, 8), abs=1e-12)
        mm.append(s)
        plug.append(s - 63 / 5000)
    mm, plug = np.array(mm), np.array(plug)
    exact = ref.uniform_spatial_entropy(8, 2)
    se = mm.std(ddof=1) / math.sqrt(mm.size)
    assert abs(mm.mean() - exact) < 4 * se, (mm.mean(), exact, se)
    assert (exact - plug.mean()) > 4 * se  # the uncorrected estimate is biased low


def test_spatial_entropy_error_matches_the_spread_over_samples():
    # the delta-method error sqrt((sum p ln^2 p - S^2)/n) is the sd of the estimate over
    # independent samples of a non-uniform law; 200 samples: their sd is known to 5 %
    # (1/sqrt(2 * 199)), so |ratio - 1| < 4 * 0.05 = 0.2
    box = np.array([1.0, 1.0])
    vals, errs = [], []
    for i in range(200):
        x = replica_rng(5, i, Stream.TESTING).beta(2.0, 5.0, (2500, 2))
        s, e = spatial_entropy(x, box, 8, miller_madow=True, return_error=True)
        vals.append(s)
        errs.append(e)
    assert abs(np.std(vals, ddof=1) / np.mean(errs) - 1.0) < 0.2


def test_velocity_entropy_of_a_maxwellian():
    # exact: dim/2 ln(2 pi e kT) per particle; one sample of n = 20000, error from the estimator
    for dim in (2, 3):
        v = replica_rng(2, dim, Stream.TESTING).normal(0, math.sqrt(1.5), (20000, dim))
        s, err = velocity_entropy(v, 1.5)
        exact = ref.maxwell_velocity_entropy(1.5, dim)
        # discretisation of bins 0.1 sqrt(kT): bias ~ w^2/24 per axis = 4e-4, well below 4 err (~0.03)
        assert abs(s - exact) < 4 * err, (dim, s, exact, err)
        assert exact == pytest.approx(-maxwell_h(1.5, dim), abs=1e-12)



def test_maxwell_h_sampled_is_the_mean_of_h_over_maxwell_draws():
    kw = dict(bin_width=0.4, v_max=6.0, miller_madow=True)
    got = maxwell_h_sampled(300, 2, 1.5, np.random.default_rng(7), n_draws=5, **kw)
    rng = np.random.default_rng(7)  # naive twin: the same draws, one by one
    want = np.mean([h_function(rng.normal(scale=math.sqrt(1.5), size=(300, 2)), **kw) for _ in range(5)])
    assert got == want


def test_maxwell_h_sampled_approaches_the_exact_value():
    kT, dim, n, dv = 2.0, 2, 100_000, 0.25
    got = maxwell_h_sampled(n, dim, kT, np.random.default_rng(8), bin_width=dv * math.sqrt(kT), v_max=8.0,
                            miller_madow=True, n_draws=4)
    # binning lowers -H's integrand by dim dv^2 / (24 kT) (midpoint rule), the sd of one H estimate is
    # sqrt(dim / (2 n)); the mean of 4 draws lies within 4 of those of exact + binning bias
    bias = dim * (dv * math.sqrt(kT)) ** 2 / (24 * kT)
    assert abs(got - maxwell_h(kT, dim)) < bias + 4 * math.sqrt(dim / (2 * n)) / 2
