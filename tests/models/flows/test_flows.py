"""Flows: per-step det J against the exact series, finite differences, order, reversal."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError, SimulationError
from neqlab.models.flows import INTEGRATORS, Flow, HarmonicOscillator, HenonHeiles, Pendulum, SoftDiskGas

EXACT_DET = {
    "leapfrog": lambda h: 1.0,
    "yoshida4": lambda h: 1.0,
    "euler": lambda h: 1.0 + h**2,
    "rk4": lambda h: 1.0 - h**6 / 72 + h**8 / 576,
}


@settings(max_examples=20, deadline=None)
@given(h=st.floats(0.01, 0.5), integ=st.sampled_from(sorted(INTEGRATORS)))
def test_oscillator_det_matches_exact_series(h, integ):
    f = Flow(HarmonicOscillator(), integ, h)
    det = np.linalg.det(f.jacobian(np.array([[0.3, -0.2], [1.0, 2.0]])))
    # det of a 2x2 matrix with O(1) entries: round-off ~ 1e-15
    assert np.abs(det - EXACT_DET[integ](h)).max() < 1e-14


def _gas_point(seed):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.random(6) * 2, rng.normal(size=6)])[None]


@pytest.mark.parametrize("integ", sorted(INTEGRATORS))
@pytest.mark.parametrize("system,x0", [
    (Pendulum(), np.array([[1.0, 0.4]])),
    (HenonHeiles(), np.array([[0.1, 0.2, 0.3, -0.1]])),
    (SoftDiskGas(), _gas_point(1)),
])
def test_jacobian_matches_finite_differences(system, x0, integ):
    f = Flow(system, integ, 0.05)
    jac = f.jacobian(x0)[0]
    e = 1e-6
    eye = np.eye(f.dim)
    fd = np.array([(f.step(x0 + e * eye[k]) - f.step(x0 - e * eye[k]))[0] / (2 * e) for k in range(f.dim)]).T
    assert np.abs(jac - fd).max() < 1e-8  # central differences: O(e^2) + 1e-16/e
    if f.is_symplectic:
        assert abs(np.linalg.det(jac) - 1.0) < 1e-12


def test_yoshida_is_fourth_order_and_leapfrog_second():
    x = np.array([[1.0, 0.5]])
    errs = {}
    for integ in ("leapfrog", "yoshida4"):
        e = []
        for dt in (0.1, 0.05):
            f = Flow(Pendulum(), integ, dt)
            y = f.step(x, int(round(10 / dt)))
            e.append(abs(f.system.energy(y)[0] - f.system.energy(x)[0]))
        errs[integ] = np.log2(e[0] / e[1])
    assert 1.7 < errs["leapfrog"] < 2.3 and 3.6 < errs["yoshida4"] < 4.4


@pytest.mark.parametrize("integ", ["leapfrog", "yoshida4"])
def test_symplectic_inverse(integ):
    f = Flow(HenonHeiles(), integ, 0.05)
    x = np.array([[0.1, 0.2, 0.3, -0.1]])
    assert np.abs(f.step(f.step(x, 500), 500, inverse=True) - x).max() < 1e-12


def test_errors():
    with pytest.raises(ConfigError, match="integrator must be one of"):
        Flow(Pendulum(), "verlet", 0.1)
    with pytest.raises(ConfigError, match="dt must be"):
        Flow(Pendulum(), "leapfrog", -0.1)
    with pytest.raises(ConfigError, match="inverse needs"):
        Flow(Pendulum(), "rk4", 0.1).step(np.zeros((1, 2)), 1, inverse=True)
    with pytest.raises(SimulationError, match="reduce dt"):
        Flow(HenonHeiles(), "euler", 0.5).step(np.array([[0.0, 1.0, 3.0, 3.0]]), 2000)
    with pytest.raises(ConfigError, match="n_particles"):
        SoftDiskGas(n_particles=1)
    with pytest.raises(ConfigError, match="omega"):
        HarmonicOscillator(omega=0.0)


def test_gas_energy_conserved_by_leapfrog():
    f = Flow(SoftDiskGas(), "leapfrog", 0.01)
    x = _gas_point(2)
    e0 = f.system.energy(x)[0]
    y = f.step(x, 2000)
    assert abs(f.system.energy(y)[0] - e0) < 1e-3 * max(1.0, abs(e0))  # O(dt^2) bounded error


@pytest.mark.parametrize("integ", sorted(INTEGRATORS))
@pytest.mark.parametrize("system", [Pendulum(), HenonHeiles(), SoftDiskGas()])
def test_plain_path_equals_tangent_path_bitwise(system, integ):
    # the kernel has a fast path without tangents, written out separately
    f = Flow(system, integ, 0.02)
    x = np.random.default_rng(5).random((7, f.dim)) * 0.3
    eye = np.broadcast_to(np.eye(f.dim), (7, f.dim, f.dim))
    assert np.array_equal(f.step(x, 30), f.tangent_step(x, eye, 30)[0])


@pytest.mark.parametrize("system", [HarmonicOscillator(), Pendulum()])
@pytest.mark.parametrize("integrator", sorted(INTEGRATORS))
def test_blocked_one_dof_loop_gives_the_general_loops_bits(system, integrator):
    # step() runs 1-dof systems B1 points at a time; tangent_step() takes the general
    # per-point loop: the same arithmetic, so the same bits (13 points: a partial block)
    f = Flow(system, integrator, 0.05)
    pts = np.random.default_rng(3).normal(size=(13, 2))
    eye = np.broadcast_to(np.eye(2), (13, 2, 2))
    assert np.array_equal(f.step(pts, 20), f.tangent_step(pts, eye, 20)[0])
