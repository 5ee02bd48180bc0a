"""Shoelace area, boundary refinement and ensemble entropies."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.models.flows import Flow, HarmonicOscillator, HenonHeiles, Pendulum
from neqlab.models.maps import CatMap, HenonMap, StandardMap
from neqlab.observables.phase_volume import (
    boltzmann_entropy, boundary_area, boundary_start, boundary_step, gaussian_entropy,
    knn_entropy, shoelace_area,
)


def circle(c=(2.0, 1.0), r=0.3):
    return lambda s: np.stack([c[0] + r * np.cos(2 * np.pi * s), c[1] + r * np.sin(2 * np.pi * s)], axis=1)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(3, 3000), shift=st.floats(-1e3, 1e3), seed=st.integers(0, 1000))
def test_shoelace_regular_polygon_and_translation(n, shift, seed):
    t = 2 * np.pi * np.arange(n) / n
    v = np.stack([np.cos(t), np.sin(t)], axis=1)
    exact = 0.5 * n * math.sin(2 * math.pi / n)
    assert shoelace_area(v) == pytest.approx(exact, rel=1e-12)
    assert shoelace_area(v + shift) == pytest.approx(exact, rel=1e-12, abs=1e-12 * (1 + abs(shift)))
    assert shoelace_area(v[::-1]) == pytest.approx(-exact, rel=1e-12)


def test_simpson_corrected_area_of_a_circle():
    b = boundary_start(circle(), 256)
    # Simpson error per arc ~ r^2 (2 pi / n)^5 / 2880 * n: ~1e-10 for n = 256
    assert abs(boundary_area(b) - math.pi * 0.09) < 1e-9
    assert abs(shoelace_area(b.vertices) - math.pi * 0.09) > 1e-5


def test_area_conserved_by_standard_map_while_resolved():
    m = StandardMap(k=1.5)
    b = boundary_step(boundary_start(circle(), 256), m, circle(), 0, max_segment=0.02, max_sagitta=1e-6)
    a0 = boundary_area(b)
    for _ in range(8):
        b = boundary_step(b, m, circle(), 1, max_segment=0.02, max_sagitta=1e-6, max_vertices=200_000)
    assert b.resolved and b.n_vertices > 1000
    assert abs(boundary_area(b) / a0 - 1) < 1e-10  # the tolerance


def test_refinement_points_come_from_the_initial_curve():
    m = StandardMap(k=2.0)
    b = boundary_step(boundary_start(circle(), 64), m, circle(), 5, max_segment=0.05, max_sagitta=1e-4)
    direct = m.step(circle()(b.s), 5, wrap=False)
    assert np.array_equal(direct, b.vertices)


def test_unresolved_flag_and_henon_contraction():
    m = HenonMap()
    c = circle((0.1, 0.1), 0.05)
    b = boundary_step(boundary_start(c, 128), m, c, 0, max_segment=0.01, max_sagitta=1e-7)
    a0 = boundary_area(b)
    b = boundary_step(b, m, c, 2, max_segment=0.01, max_sagitta=1e-7)
    assert boundary_area(b) / a0 == pytest.approx(0.09, rel=1e-8)  # det = -b per step, b = 0.3
    b = boundary_step(b, m, c, 3, max_vertices=b.n_vertices + 1, max_segment=1e-4)
    assert not b.resolved


def test_poincare_invariant_in_four_dimensions():
    f = Flow(HenonHeiles(), "leapfrog", 0.05)

    def loop(s):
        a = 2 * np.pi * s
        return np.stack([0.1 * np.cos(a), 0.05 * np.sin(a), 0.2 * np.sin(a), 0.1 + 0.1 * np.cos(a)], axis=1)

    b = boundary_step(boundary_start(loop, 256), f, loop, 0, max_segment=0.01, max_sagitta=1e-7)
    a0 = boundary_area(b)
    b = boundary_step(b, f, loop, 100, max_segment=0.01, max_sagitta=1e-7)
    assert abs(boundary_area(b) / a0 - 1) < 1e-10


def test_euler_changes_oscillator_area_by_exact_det():
    h, n = 0.1, 50
    f = Flow(HarmonicOscillator(), "euler", h)
    c = circle((0.0, 0.0), 1.0)
    b = boundary_step(boundary_start(c, 64), f, c, 0, max_segment=1.0, max_sagitta=1.0)
    a0 = boundary_area(b)
    b = boundary_step(b, f, c, n, max_segment=10.0, max_sagitta=10.0)
    # linear map: polygon area scales exactly by det^n (round-off only)
    assert boundary_area(b) / a0 == pytest.approx((1 + h * h) ** n, rel=1e-12)


def test_gaussian_and_knn_entropies():
    cov = np.array([[2.0, 0.3], [0.3, 0.5]])
    assert gaussian_entropy(cov) == pytest.approx(0.5 * math.log(np.linalg.det(2 * math.pi * math.e * cov)))
    x = np.random.default_rng(0).multivariate_normal([0, 0], cov, size=20_000)
    # KL estimator: std error ~ 1/sqrt(N) ~ 0.007 plus O(N^-1/2) bias; |z| < 4 -> 0.03
    assert abs(knn_entropy(x) - gaussian_entropy(cov)) < 0.03
    u = np.random.default_rng(1).random((20_000, 2)) * 0.5
    assert abs(knn_entropy(u) - math.log(0.25)) < 0.03  # uniform: ln(area), edge bias small
    assert abs(knn_entropy(np.random.default_rng(2).random((20_000, 2)), period=1.0)) < 0.03
    assert boltzmann_entropy(2.0, h=0.5) == pytest.approx(math.log(4.0))
    with pytest.raises(ConfigError, match="h must be"):
        boltzmann_entropy(1.0, h=0.0)
    with pytest.raises(ConfigError, match="vertices must"):
        shoelace_area(np.zeros((2, 2)))


def test_pendulum_symplectic_area():
    f = Flow(Pendulum(), "yoshida4", 0.1)
    c = circle((1.0, 0.5), 0.3)
    b = boundary_step(boundary_start(c, 256), f, c, 0, max_segment=0.02, max_sagitta=1e-6)
    a0 = boundary_area(b)
    b = boundary_step(b, f, c, 100, max_segment=0.02, max_sagitta=1e-6)
    assert abs(boundary_area(b) / a0 - 1) < 1e-10


def test_cat_map_lift_area():
    m = CatMap()
    c = circle((0.5, 0.5), 0.1)
    b = boundary_step(boundary_start(c, 256), m, c, 0, max_segment=0.02, max_sagitta=1e-6)
    a0 = boundary_area(b)
    b = boundary_step(b, m, c, 6, max_segment=0.05, max_sagitta=1e-6)
    assert abs(boundary_area(b) / a0 - 1) < 1e-10


def test_gaussian_fine_grained_constant_while_coarse_grained_rises():
    from neqlab.observables.cells import cg_entropy

    m = CatMap()
    x = np.random.default_rng(7).normal(size=(50_000, 2)) * 0.005 + 0.5
    s_fine, s_cg = [], []
    for _ in range(8):
        s_fine.append(gaussian_entropy(np.cov(x.T)))
        s_cg.append(cg_entropy(np.mod(x, 1.0), 64, 1.0))
        x = m.step(x, 1, wrap=False)  # the linear lift: covariance -> A C A^T, det A = 1
    # sample covariance of linearly mapped samples: det is conserved up to the round-off
    # of a 2x2 determinant with condition number kappa = e^(4 lambda t): ~ 1e-15 kappa
    lam = CatMap().exponents[0]
    tol = 1e-14 + 1e-15 * np.exp(4 * lam * np.arange(8))
    assert np.all(np.abs(np.array(s_fine) - s_fine[0]) < tol)
    assert s_cg[-1] - s_cg[0] > 4.0 and np.all(np.diff(s_cg[:6]) > 0)


def _cloud(kind, n, seed, period):
    """Test clouds: uniform, a thin stretched filament, clumps with repeated points."""
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        x = rng.random((n, 2))
    elif kind == "filament":
        s = rng.random(n)
        x = np.stack([s, 0.3 + 0.2 * np.sin(9 * s) + 1e-6 * rng.normal(size=n)], axis=1)
    elif kind == "geometric":  # midpoint splits leave one side nearly empty: the median fallback
        x = np.stack([0.9 ** rng.integers(0, 200, n), 0.3 + 1e-3 * rng.random(n)], axis=1)
    else:
        x = np.round(rng.normal(0.5, 0.1, size=(n, 2)), 2)  # many exact duplicates and ties
    return np.mod(x * 1.7 - 0.4, period) if period else x * 1.7 - 0.4


def _kth_brute(x, k, period):
    # the naive twin: every pair, minimum image as cKDTree forms it, k-th smallest with itself
    d = x[None, :, :] - x[:, None, :]
    if period:
        d = np.where(d < -0.5 * period, period + d, np.where(d > 0.5 * period, d - period, d))
    d2 = d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1]
    return np.sqrt(np.sort(d2, axis=1)[:, k])


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["uniform", "filament", "clumps", "geometric"]), n=st.integers(2, 400), k=st.integers(1, 8),
       period=st.sampled_from([None, 1.0, 2 * math.pi]), seed=st.integers(0, 10_000))
def test_knn_tree_kernel_gives_ckdtrees_bits(kind, n, k, period, seed):
    from scipy.spatial import cKDTree

    from neqlab.observables._phase_volume_kernels import kth_neighbour_distances

    k = min(k, n - 1) if n > 1 else 0
    x = _cloud(kind, n, seed, period)
    r = np.empty(n)
    kth_neighbour_distances(x, k + 1, float(period or 0.0), r)
    ref = cKDTree(x, boxsize=period).query(x, k=k + 1)[0]
    ref = ref.reshape(n, -1)[:, k]
    assert np.array_equal(r.view(np.int64), ref.view(np.int64))  # bit for bit, signs of zeros included
    assert np.array_equal(r, _kth_brute(x, k, period))


@pytest.mark.parametrize("kind", ["filament", "geometric"])
@pytest.mark.parametrize("period", [None, 1.0])
def test_knn_entropy_same_bits_as_ckdtree_on_a_large_cloud(period, kind):
    from scipy.spatial import cKDTree

    x = _cloud(kind, 30_000, 4, period)
    tree = cKDTree(x, boxsize=period)
    r = tree.query(x, k=5, workers=1)[0][:, 4]
    n, d = x.shape
    from scipy.special import digamma
    ref = float(digamma(n) - digamma(4) + math.log(math.pi) + d * np.mean(np.log(r)))
    assert knn_entropy(x, k=4, period=period) == ref
