"""Thermal walls: relaxation to the wall temperature, Maxwell statistics, first law, determinism, input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.core.protocol import Ramp
from neqlab.models.gas import Params, State, ThermalWalls, advance, lattice_gas, to_lattice
from neqlab.observables import thermo


def _gas(n=50, density=0.05, kT=3.0, seed=3, periodic=(False, False)):
    s = lattice_gas(n, density, kT, 2, seed=seed, periodic=periodic)
    return State(s.positions, s.velocities, s.box, s.periodic)


def test_hot_gas_relaxes_to_the_wall_temperature_with_maxwell_velocities():
    # 50 WCA disks at kT = 3 in a 31.6 x 31.6 box with thermal walls at kT = 1. After 400 tau
    # (about 13 wall-to-wall crossings) we sample the velocities every 4 tau for 1600 tau:
    # 400 snapshots x 100 components. Snapshots 4 tau apart are nearly independent (a
    # particle meets a wall every ~30 tau, so velocity correlations come from collisions
    # only, mean free time ~6 tau); we allow for correlation by a tolerance of 4 standard
    # errors computed as if 1 snapshot in 4 were independent (measured: <v_x^2> = 1.0071,
    # <v_y^2> = 0.9728 on a shorter run of 200 snapshots).
    p = Params()
    bath = ThermalWalls(1.0, 12345)
    s = advance(_gas(), p, 200_000, bath=bath)
    v = []
    for _ in range(400):
        s = advance(s, p, 2000, bath=bath)
        v.append(s.velocities.copy())
    v = np.asarray(v).reshape(-1, 2)
    n_eff = v.shape[0] / 4
    for k in range(2):
        m2 = np.mean(v[:, k] ** 2)
        assert abs(m2 - 1.0) < 4 * math.sqrt(2.0 / n_eff), (k, m2)  # Var(v^2) = 2 (kT)^2
    kurt = np.mean(v**4) / (3 * np.mean(v**2) ** 2)  # 1 for a Gaussian
    assert abs(kurt - 1.0) < 4 * math.sqrt(96.0 / 9.0 / (2 * n_eff)), kurt
    assert abs(np.mean(v)) < 4 / math.sqrt(2 * n_eff)


def test_first_law_with_thermal_walls_and_a_piston_converges_with_dt():
    # E(t) - E(0) = W - Q for 600 disks (rho = 0.1, from kT = 1.5, walls at kT = 1) compressed to 0.9 L
    # in 10 tau: W ~ 230, Q ~ 80. The balance holds up to the integrator's error, which at walls is
    # O(dt) per reflection during an interaction, so its size at a given dt has a long tail: with the
    # initial streams of the Stream enum, seeds 1-3 give 0.026, 0.58, 0.081 at dt = 0.002 (one wall
    # reflection inside a close encounter) and 0.001, 0.015, 0.030 at dt = 0.001. What the first law
    # promises is convergence: the error at dt = 0.001 stays below 0.1 and the summed error at least
    # halves when dt halves. (An absolute bound of 0.3 at dt = 0.002, set from three earlier seeds,
    # was not a law and is gone.)
    errs = {}
    for dt in (0.002, 0.001):
        p = Params(dt=dt)
        errs[dt] = []
        for seed in (1, 2, 3):
            s0 = _gas(600, 0.1, 1.5, seed=seed)
            s1 = advance(s0, p, round(10.0 / dt), piston=Ramp(float(s0.box[0]), 0.9 * float(s0.box[0]), 10.0),
                         bath=ThermalWalls(1.0, 9))
            de = thermo.total_energy(s1, p) - thermo.total_energy(s0, p)
            assert s1.work > 100.0 and s1.heat > 30.0
            errs[dt].append(abs(de - (s1.work - s1.heat)))
    assert max(errs[0.001]) < 0.1, errs
    assert sum(errs[0.001]) < 0.5 * sum(errs[0.002]), errs


def test_specular_walls_exchange_no_heat():
    p = Params()
    s = advance(_gas(), p, 2000)
    assert s.heat == 0.0


def test_same_key_same_run_any_split_and_a_new_key_differs():
    p = Params()
    s0 = _gas(seed=5)
    a = advance(s0, p, 3000, bath=ThermalWalls(1.0, 1))
    b = advance(s0, p, 3000, bath=ThermalWalls(1.0, 1))
    assert np.array_equal(a.positions, b.positions) and a.heat == b.heat
    # split into two calls: the draws are keyed by the absolute step, so the wall events are the
    # same; only the summation order of forces after a list rebuild may differ (round-off)
    c = advance(advance(s0, p, 1300, bath=ThermalWalls(1.0, 1)), p, 1700, bath=ThermalWalls(1.0, 1))
    assert np.allclose(a.positions, c.positions, atol=1e-9) and c.heat == pytest.approx(a.heat, abs=1e-9)
    d = advance(s0, p, 3000, bath=ThermalWalls(1.0, 2))
    assert not np.allclose(a.velocities, d.velocities)


def test_periodic_axes_have_no_walls():
    # walls on axis 0 only: a particle crossing the periodic axis 1 is not thermalised, and the
    # gas still relaxes towards kT through axis 0
    p = Params()
    s0 = _gas(200, 0.1, 3.0, periodic=(False, True))
    s1 = advance(s0, p, 20_000, bath=ThermalWalls(1.0, 4))
    assert s1.heat > 0 and thermo.temperature(s1) < thermo.temperature(s0)


def test_bad_bath_input_is_a_one_line_config_error():
    p = Params()
    with pytest.raises(ConfigError, match="kT of the thermal walls"):
        ThermalWalls(0.0, 1)
    with pytest.raises(ConfigError, match="key of the thermal walls"):
        ThermalWalls(1.0, -1)
    with pytest.raises(ConfigError, match="bath must be a ThermalWalls"):
        advance(_gas(), p, 1, bath=1.0)
    with pytest.raises(ConfigError, match="periodic must be False on at least one axis"):
        advance(_gas(periodic=(True, True)), p, 1, bath=ThermalWalls(1.0, 1))
    fp = Params(integrator="fixed_point")
    with pytest.raises(ConfigError, match="piston and bath need the 'verlet' integrator"):
        advance(to_lattice(_gas(), fp), fp, 1, bath=ThermalWalls(1.0, 1))


def test_heat_is_the_same_for_any_number_of_threads():
    s0 = _gas(1200, 0.2, 2.0, periodic=(False, True))
    a, b = (advance(s0, Params(threads=t), 800, bath=ThermalWalls(1.0, 9)) for t in (1, 2))
    assert a.heat != 0.0 and a.heat == b.heat
    assert np.array_equal(a.positions, b.positions) and np.array_equal(a.velocities, b.velocities)


@settings(max_examples=30, deadline=None)
@given(kT=st.one_of(st.floats(max_value=0.0), st.just(math.inf), st.just(math.nan), st.text(max_size=3)))
def test_thermal_walls_reject_any_bad_temperature(kT):
    with pytest.raises(ConfigError, match=r"kT of the thermal walls must be a number in \(0, inf\)"):
        ThermalWalls(kT, 1)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31), key=st.integers(0, 2**64 - 1), kT=st.floats(0.1, 5.0),
       periodic=st.sampled_from([(False, False), (False, True), (True, False)]))
def test_thermal_walls_keep_every_particle_in_the_box(seed, key, kT, periodic):
    s0 = _gas(40, 0.1, 2.0, seed=seed % 1000, periodic=periodic)
    s1 = advance(s0, Params(), 1500, bath=ThermalWalls(kT, key))
    assert np.all(s1.positions >= 0.0) and np.all(s1.positions <= s1.box)
    assert math.isfinite(s1.heat) and s1.heat != 0.0
