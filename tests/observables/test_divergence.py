"""Distances between gas states and the largest Lyapunov exponent (two-copy method)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.models.gas import Params, advance, lattice_gas, to_lattice
from neqlab.observables.divergence import growth_fit, lyapunov_max, phase_distance, rms_distance

BOX = np.array([10.0, 7.0])
PER = np.array([False, True])


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(0, 2**31), st.floats(-20.0, 20.0))
def test_rms_distance_is_a_minimum_image_metric(n, seed, shift):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0, 1, (n, 2)) * BOX
    b = rng.uniform(0, 1, (n, 2)) * BOX
    d = rms_distance(a, b, BOX, PER)
    assert d == pytest.approx(rms_distance(b, a, BOX, PER), abs=1e-12)
    assert rms_distance(a, a, BOX, PER) == 0.0
    # shifting both along the periodic axis (and wrapping) changes nothing
    a2, b2 = a.copy(), b.copy()
    a2[:, 1] = (a2[:, 1] + shift) % BOX[1]
    b2[:, 1] = (b2[:, 1] + shift) % BOX[1]
    assert rms_distance(a2, b2, BOX, PER) == pytest.approx(d, abs=1e-9)
    # every per-particle separation is at most half the box on the periodic axis
    assert d <= math.sqrt(BOX[0] ** 2 + (BOX[1] / 2) ** 2) + 1e-12


def test_rms_distance_reference_values():
    a = np.array([[0.1, 0.2], [5.0, 6.9]])
    b = np.array([[0.4, 6.8], [5.0, 0.1]])  # second axis periodic: 0.2 -> 6.8 is 0.4, 6.9 -> 0.1 is 0.2
    expect = math.sqrt((0.3**2 + 0.4**2 + 0.2**2) / 2)
    assert rms_distance(a, b, BOX, PER) == pytest.approx(expect, rel=1e-12)
    c = np.array([[9.9, 0.2], [5.0, 6.9]])  # first axis walled: 0.1 -> 9.9 is 9.8, not 0.2
    assert rms_distance(a, c, BOX, PER) == pytest.approx(9.8 / math.sqrt(2), rel=1e-12)
    with pytest.raises(ConfigError, match="^positions must be"):
        rms_distance(a, b[:1], BOX, PER)


def test_phase_distance_counts_positions_and_velocities():
    s = lattice_gas(50, 0.3, 1.0, 2, seed=3)
    t = s.copy()
    t.velocities[0, 0] += 3.0
    t.positions[1, 1] = (t.positions[1, 1] + 4.0) % s.box[1]
    assert phase_distance(s, t) == pytest.approx(5.0, rel=1e-9)
    assert phase_distance(to_lattice(s, Params(integrator="fixed_point")), to_lattice(s, Params(integrator="fixed_point"))) == 0.0


def test_growth_fit_recovers_an_exponential():
    s = np.linspace(0, 10, 41)
    e = 3e-15 * np.exp(2.5 * s)
    rate, eps, n = growth_fit(s, e)
    assert rate == pytest.approx(2.5, rel=1e-9) and eps == pytest.approx(3e-15, rel=1e-6) and n >= 3
    assert math.isnan(growth_fit(s, np.zeros_like(s))[0])  # a bit-exact return has no growth


@pytest.fixture(scope="module")
def fluid():
    p = Params()
    s = advance(lattice_gas(400, 0.3, 1.0, 2, seed=5, periodic=True), p, 1000)
    return s, p


def test_lyapunov_is_positive_and_independent_of_d0_and_interval(fluid):
    s, p = fluid
    a = lyapunov_max(s, p, t_total=6.0, t_renorm=0.1, d0=1e-7, n_segments=6, seed=1)
    b = lyapunov_max(s, p, t_total=6.0, t_renorm=0.25, d0=1e-10, n_segments=6, seed=1)
    c = lyapunov_max(s, p, t_total=6.0, t_renorm=0.1, d0=1e-7, n_segments=6, seed=2)
    assert a.value > 4 * a.err > 0  # chaotic: lambda > 0 at |z| > 4
    # same trajectory, other d0 and interval: the linearised growth is the same (|z| < 4
    # with the two block errors combined; they are strongly correlated, so this is loose)
    assert abs(a.value - b.value) < 4 * math.hypot(a.err, b.err)
    # another initial direction: an independent estimate of the same number
    assert abs(a.value - c.value) < 4 * math.hypot(a.err, c.err)
    assert a.running.size == a.log_growth.size - 10 and np.isfinite(a.running).all()


def test_lyapunov_of_a_dilute_gas_is_smaller(fluid):
    # lambda grows with the collision rate: at density 0.03 it is far below that at 0.3
    s, p = fluid
    dilute = advance(lattice_gas(400, 0.03, 1.0, 2, seed=5, periodic=True), p, 1000)
    lo = lyapunov_max(dilute, p, t_total=6.0, n_segments=6)
    hi = lyapunov_max(s, p, t_total=6.0, n_segments=6)
    assert hi.value - lo.value > 4 * math.hypot(hi.err, lo.err)


def test_lyapunov_rejects_bad_arguments(fluid):
    s, p = fluid
    with pytest.raises(ConfigError, match="^t_total must be"):
        lyapunov_max(s, p, t_total=0.0)
    with pytest.raises(ConfigError, match="^n_segments must be"):
        lyapunov_max(s, p, t_total=1.0, n_segments=1)
    with pytest.raises(ConfigError, match="^state must be"):
        lyapunov_max(to_lattice(s, Params(integrator="fixed_point")), Params(integrator="fixed_point"), t_total=1.0)
