"""H-function and spatial entropy against exact values, bias as stated."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.observables.entropy import (h_function, half_fraction, maxwell_h, maxwell_h_sampled, spatial_entropy,
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
