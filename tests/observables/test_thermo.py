"""Thermodynamic observables: exact values on constructed states."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neqlab.models.gas import Params, State, lattice_gas, thermal_contact_gas
from neqlab.observables import thermo


def test_kinetic_temperature_and_momentum_exact():
    s = lattice_gas(500, 0.5, 1.7, 3, seed=1)
    assert thermo.temperature(s) == pytest.approx(1.7, rel=1e-12)
    assert np.abs(thermo.momentum(s)).max() < 1e-12
    assert thermo.degrees_of_freedom(s) == 3 * 500 - 3
    assert thermo.kinetic_energy(s) == pytest.approx(0.5 * 1.7 * (3 * 500 - 3), rel=1e-12)


def test_pressure_of_two_particles_analytic():
    r = 1.05
    x = np.array([[2.0, 3.0], [2.0 + r, 3.0]])
    v = np.array([[1.0, 0.0], [0.0, 2.0]])
    s = State(x, v, [6.0, 6.0], True)
    p = Params()
    f_over_r = 48 * r**-14 - 24 * r**-8
    virial = f_over_r * r * r
    assert thermo.pressure(s, p) == pytest.approx((2 * 2.5 + virial) / (2 * 36.0), rel=1e-13)
    e = 4 * (r**-12 - r**-6) + 1.0  # WCA shift: u(r_c) = -1
    assert thermo.potential_energy(s, p) == pytest.approx(e, rel=1e-13)
    assert thermo.total_energy(s, p) == pytest.approx(e + 2.5, rel=1e-13)


def test_dilute_lattice_pressure_is_ideal():
    s = lattice_gas(400, 0.05, 1.0, 2, seed=2)  # spacing 4.5 > r_c: no pair in range
    assert thermo.pressure(s, Params()) == pytest.approx(2 * thermo.kinetic_energy(s) / (2 * thermo.volume(s)))


def test_profiles_uniform_lattice_and_moving_gas():
    s = lattice_gas(400, 0.5, 1.0, 2, seed=3)  # 20 x 20 lattice: 2 columns per slab
    c, rho = thermo.density_profile(s, n_bins=10)
    assert np.allclose(rho, 0.5) and c.shape == (10,)
    moving = State(s.positions, s.velocities + np.array([0.3, -0.1]), s.box, True)
    _, u = thermo.flow_profile(moving, n_bins=10)
    _, u0 = thermo.flow_profile(s, n_bins=10)
    assert np.allclose(u - u0, [0.3, -0.1])
    _, t = thermo.temperature_profile(moving, n_bins=10)
    _, t0 = thermo.temperature_profile(s, n_bins=10)
    assert np.allclose(t, t0)  # Galilean invariant


def test_temperature_profile_of_thermal_contact_start():
    s = thermal_contact_gas(2000, 0.5, 2.0, 0.5, 2, seed=4, t_eq=1.0)
    _, t = thermo.temperature_profile(s, n_bins=2)
    # the halves are rescaled exactly; slab means subtracted differ from half means by
    # the flow of each slab (zero here, the halves coincide with the slabs)
    assert t[0] == pytest.approx(2.0, rel=1e-2) and t[1] == pytest.approx(0.5, rel=1e-2)


def test_half_temperatures_against_a_naive_loop():
    s = thermal_contact_gas(600, 0.5, 3.0, 0.3, 2, seed=5, t_eq=0.5)
    left, right = thermo.half_temperatures(s)
    v = np.asarray(s.velocities, dtype=np.float64)
    sums, counts = [0.0, 0.0], [0, 0]
    for x, vel in zip(np.asarray(s.positions), v):  # naive twin, particle by particle
        k = 0 if x[0] < 0.5 * float(s.box[0]) else 1
        sums[k] += float(vel @ vel)
        counts[k] += 1
    assert left == pytest.approx(sums[0] / (2 * (counts[0] - 1)), rel=1e-12)
    assert right == pytest.approx(sums[1] / (2 * (counts[1] - 1)), rel=1e-12)
    # each half is rescaled to its temperature with zero momentum: exact
    assert left == pytest.approx(3.0, rel=1e-12) and right == pytest.approx(0.3, rel=1e-12)
    one = State(s.positions[:1], s.velocities[:1], s.box, s.periodic)
    assert all(math.isnan(x) for x in thermo.half_temperatures(one))
