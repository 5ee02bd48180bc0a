"""Maps: NumPy twins, exact inverses, Jacobians (det 1 for the symplectic ones), validation."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError, SimulationError
from neqlab.models.maps import BakerMap, CatMap, HenonMap, StandardMap, dyadic, make_map


def _twin(name, pts, n, k=1.0, a=1.4, b=0.3):
    """Naive NumPy one-step-at-a-time twins of the kernels (forward, wrapped)."""
    x, y = pts[:, 0].copy(), pts[:, 1].copy()
    for _ in range(n):
        if name == "cat":
            x = np.mod(x + y, 1.0)
            y = np.mod(x + y, 1.0)
        elif name == "baker":
            b_ = np.floor(2 * x)
            x, y = 2 * x - b_, 0.5 * (y + b_)
        elif name == "standard":
            y = np.mod(y + k * np.sin(x), 2 * np.pi)
            x = np.mod(x + y, 2 * np.pi)
        else:
            x, y = 1 - a * x * x + y, b * x
    return np.stack([x, y], axis=1)


@pytest.mark.parametrize("model", [CatMap(), BakerMap(), StandardMap(k=1.3), HenonMap()])
def test_kernel_matches_numpy_twin(model):
    pts = np.random.default_rng(1).random((500, 2)) * (0.2 if model.name == "henon" else 1.0)
    out = model.step(pts, 7)
    ref = _twin(model.name, pts, 7, k=getattr(model, "k", 1.0))
    # the same float operations in the same order, up to mod-vs-floor rounding: 1e-12
    d = np.abs(out - ref)
    if model.period:
        d = np.minimum(d, model.period - d)
    assert d.max() < 1e-12


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 300), bits=st.integers(1, 50))
def test_cat_map_bitwise_reversible_on_dyadic_points(seed, n, bits):
    m = CatMap()
    p0 = dyadic(np.random.default_rng(seed).random((64, 2)), bits=bits)
    p1 = m.step(p0, n)
    assert np.array_equal(m.step(p1, n, inverse=True), p0)
    assert np.all((p1 >= 0) & (p1 < 1))


def test_cat_map_recurs_on_a_dyadic_grid():
    # on the 2^k grid the cat map has period 3 * 2^(k-2) (exact number theory, k >= 3)
    m = CatMap()
    grid = dyadic(np.random.default_rng(0).random((100, 2)), bits=6)
    assert np.array_equal(m.step(grid, 48), grid)
    assert not np.array_equal(m.step(grid, 24), grid)


@pytest.mark.parametrize("model", [StandardMap(k=2.5), HenonMap(), BakerMap()])
def test_inverse_undoes_step(model):
    pts = np.random.default_rng(2).random((200, 2)) * (0.3 if model.name == "henon" else 1.0)
    n = 5 if model.name != "standard" else 10
    back = model.step(model.step(pts, n, wrap=False), n, inverse=True, wrap=False)
    # round-off 2e-16 * |x| (<= 30 on the lift) amplified by at most the norm of the
    # inverse Jacobian per step: 1 + K (standard), (1 + 2a|x|)/b with |x| < 1.5 (Henon), 2
    growth = {"standard": 1 + getattr(model, "k", 0.0), "henon": (1 + 3 * 1.4) / 0.3, "baker": 2.0}
    assert np.abs(back - pts).max() < 2e-16 * 30 * growth[model.name] ** n


@pytest.mark.parametrize("model", [CatMap(), BakerMap(), StandardMap(k=3.0), HenonMap(b=0.3)])
def test_jacobian_matches_finite_differences_and_det(model):
    pts = np.random.default_rng(3).random((20, 2)) * 0.4 + 0.05
    jac = model.jacobian(pts)
    e = 1e-7
    for c in range(2):
        dp = np.zeros(2)
        dp[c] = e
        fd = (model.step(pts + dp, 1, wrap=False) - model.step(pts - dp, 1, wrap=False)) / (2 * e)
        assert np.abs(fd - jac[:, :, c]).max() < 1e-6  # central differences, O(e^2) + round-off/e
    det = np.linalg.det(jac)
    expected = -model.b if model.name == "henon" else 1.0
    assert np.allclose(det, expected, rtol=0, atol=1e-12)


def test_standard_map_k0_is_a_shear():
    pts = np.random.default_rng(4).random((10, 2)) * 6
    out = StandardMap(k=0.0).step(pts, 3, wrap=False)
    assert np.allclose(out[:, 0], pts[:, 0] + 3 * pts[:, 1])
    assert np.array_equal(out[:, 1], pts[:, 1])


def test_henon_escape_raises_with_remedy():
    with pytest.raises(SimulationError, match="basin"):
        HenonMap().step(np.array([[10.0, 10.0]]), 50)


def test_validation():
    with pytest.raises(ConfigError, match="k must be"):
        StandardMap(k=-1.0)
    with pytest.raises(ConfigError, match="b must be"):
        HenonMap(b=0.0)
    with pytest.raises(ConfigError, match="map must be one of"):
        make_map("tent")
    with pytest.raises(ConfigError, match="shape"):
        CatMap().step(np.zeros((3, 3)))
    with pytest.raises(ConfigError, match="n_steps"):
        CatMap().step(np.zeros((3, 2)), -1)


@settings(max_examples=30, deadline=None)
@given(k=st.floats(-1e5, 1e5, allow_nan=False))
def test_standard_map_k_validation(k):
    if 0.0 <= k <= 1e4:
        assert StandardMap(k=k).k == k
    else:
        with pytest.raises(ConfigError):
            StandardMap(k=k)


def test_exponents_property():
    lam = CatMap().exponents[0]
    assert lam == pytest.approx(math.log((3 + math.sqrt(5)) / 2), abs=1e-15)


@settings(max_examples=50, deadline=None)
@given(x=st.floats(-1e4, 1e4, allow_nan=False))
def test_fast_sin_within_one_ulp_of_libm(x):
    from neqlab.models.maps._kernels import fast_sin

    assert abs(fast_sin(x) - math.sin(x)) <= 2.3e-16  # |sin| <= 1: 1 ulp of 1 is 2.2e-16
