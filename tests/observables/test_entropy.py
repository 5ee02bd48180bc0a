"""H-function and spatial entropy against exact values, bias as stated."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.observables.entropy import (h_function, half_fraction, maxwell_h, spatial_entropy,
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


# -- the estimators with standard errors (moved from the loschmidt experiment) ---------------
from neqlab.core.rng import Stream, replica_rng  # noqa: E402
from neqlab.observables.entropy import mu_entropy, velocity_entropy  # noqa: E402
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
    exact = ref.uniform_position_entropy(8, 2)
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


def test_mu_entropy_of_a_uniform_maxwellian_gas():
    box = np.array([40.0, 40.0])
    rng = replica_rng(4, 0, Stream.TESTING)
    x = rng.uniform(0, 1, (20000, 2)) * box
    v = rng.normal(0, 1, (20000, 2))
    s, err = mu_entropy(x, v, box, 8, 1.0)
    exact = ref.uniform_mu_entropy(40.0, 1.0, 2)  # ln L (slabs along x only) + Maxwell
    # per-slab histograms of 2500 samples: residual bias after Miller-Madow ~ M/n^2 ~ 1e-5
    assert abs(s - exact) < 4 * err + 2e-3, (s, exact, err)
