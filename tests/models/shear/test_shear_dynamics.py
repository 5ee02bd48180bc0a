"""The SLLOD step: constraints, order, reversibility, the equilibrium limit, reproducibility."""

import dataclasses

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError, SimulationError
from neqlab.models import gas
from neqlab.models.shear import (ShearParams, ShearState, advance, equilibrium_ensemble, lattice_state,
                                 potential_energy, pressure_tensor, reverse, run, thermostat_multiplier)
from neqlab.models.shear import _kernels as K
from neqlab.models.shear.dynamics import kernel_params, mode_code, thermostat_code

EPS = np.finfo(float).eps


def reference_advance(s, p, n_steps):
    """advance with the sub-step-by-sub-step reference loop instead of the fused one."""
    s = s.copy()
    ints = np.array([n_steps, 0, thermostat_code(p), mode_code(p)], np.int64)
    status = np.zeros(s.n_systems, np.int64)
    K.run_batch_reference(s.positions, s.momenta, s.offset, kernel_params(s, p), ints,
                          np.zeros((s.n_systems, 1, K.N_REC)), status, np.zeros((s.n_systems, 2), np.int64))
    assert not status.any()
    return s


@pytest.mark.parametrize("thermostat", ["isokinetic", "isoenergetic", "none"])
@pytest.mark.parametrize("dim", [2, 3])
def test_fused_loop_is_the_sub_step_loop_to_round_off(thermostat, dim):
    s = lattice_state(56 if dim == 2 else 108, 0.8, 1.0, n_systems=3, dim=dim, seed=7)
    p = ShearParams(shear_rate=0.9, thermostat=thermostat)
    a, b = advance(s, p, 100), reference_advance(s, p, 100)
    # the same map; sums taken in another order: round-off (1e-16) grown over 0.4 tau
    assert np.abs(a.positions - b.positions).max() < 1e-10
    assert np.abs(a.momenta - b.momenta).max() < 1e-9
    assert np.array_equal(a.offset, b.offset)


@pytest.fixture(scope="module")
def fluid():
    return equilibrium_ensemble(56, 0.8, 1.0, n_systems=4, seed=0, t_eq=2.0)


def _pos_diff(a, b, box):
    d = a - b
    return d - box * np.rint(d / box)


def test_isokinetic_keeps_k_and_momentum_to_round_off(fluid):
    n = 20_000  # 80 tau at gamma = 1
    s1, r = run(fluid, ShearParams(shear_rate=1.0), n, record_every=100)
    # each step rescales exactly; round-off walks by a few ulp per step: bound 100 eps sqrt(n)
    drift = np.abs(r.kinetic_energy / fluid.kinetic_energy()[:, None] - 1.0).max()
    assert drift < 100 * EPS * np.sqrt(n)
    assert np.abs(s1.momenta.sum(axis=1)).max() < 1e-10
    assert np.all(r.alpha.mean(axis=1) > 0)  # the thermostat removes the viscous heat


def test_isokinetic_in_3d_keeps_k(fluid):
    s = equilibrium_ensemble(108, 0.8, 1.0, n_systems=2, dim=3, seed=2, t_eq=0.5)
    s1, r = run(s, ShearParams(shear_rate=1.0), 2000, record_every=100)
    assert np.abs(r.kinetic_energy / s.kinetic_energy()[:, None] - 1.0).max() < 100 * EPS * np.sqrt(2000)
    assert np.all(r.pxy.mean(axis=1) < 0)


@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_isoenergetic_h0_error_falls_as_dt_squared(fluid, gamma):
    errs = []
    for dt in (0.004, 0.002, 0.001):
        p = ShearParams(shear_rate=gamma, thermostat="isoenergetic", dt=dt)
        n = int(round(2.0 / dt))
        _, r = run(fluid, p, n, record_every=n // 200)
        h0 = r.kinetic_energy + r.potential_energy
        start = fluid.kinetic_energy() + potential_energy(fluid, p)
        errs.append(np.mean(np.abs(h0 - start[:, None]).max(axis=1)))
    order = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    # second order: exponent 2; the bound [1.6, 2.4] excludes first and third order
    assert np.all((order > 1.6) & (order < 2.4)), order


@pytest.mark.parametrize("thermostat", ["isokinetic", "isoenergetic", "none"])
def test_reversing_momenta_and_shear_rate_retraces_the_path(fluid, thermostat):
    p = ShearParams(shear_rate=0.5, thermostat=thermostat)
    a = advance(fluid, p, 250)  # 1 tau: round-off 1e-16 grows by at most e^(5 x 1) here
    b = advance(reverse(a), p.reversed(), 250)
    assert np.abs(_pos_diff(b.positions, fluid.positions, fluid.box)).max() < 1e-9
    assert np.abs(b.momenta + fluid.momenta).max() < 1e-8
    assert np.abs(b.offset - fluid.offset).max() < 1e-12
    # the shear rate is odd under time reversal: reversing the momenta alone does not retrace
    c = advance(reverse(a), p, 250)
    assert np.abs(_pos_diff(c.positions, fluid.positions, fluid.box)).max() > 0.1


def test_at_zero_shear_without_thermostat_it_is_the_gas_engines_verlet():
    s = lattice_state(56, 0.8, 1.0, seed=1)
    s.offset[:] = 0.0  # the plain periodic box of the gas engine
    s = advance(s, ShearParams(), 500)
    p = ShearParams(thermostat="none", dt=0.004)
    a = advance(s, p, 100)
    g = gas.advance(gas.State(s.positions[0], s.momenta[0], s.box, True), gas.Params(dt=0.004), 100)
    # same arithmetic up to the order of the force sums: round-off grown over 0.4 tau
    assert np.abs(_pos_diff(a.positions[0], g.positions, s.box)).max() < 1e-10
    assert np.abs(a.momenta[0] - g.velocities).max() < 1e-9


def test_pair_list_and_all_pairs_give_the_same_motion(fluid):
    p = ShearParams(shear_rate=2.0)
    a = advance(fluid, p, 300)
    b = advance(fluid, dataclasses.replace(p, neighbours="all_pairs"), 300)
    assert np.abs(_pos_diff(a.positions, b.positions, fluid.box)).max() < 1e-9


@pytest.mark.parametrize("neighbours", ["list", "all_pairs"])
def test_bitwise_the_same_for_one_or_two_threads_and_any_batch(neighbours):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs 2 numba threads")
    s = lattice_state(32, 0.8, 1.0, n_systems=6, seed=4)
    p1 = ShearParams(shear_rate=0.7, neighbours=neighbours, threads=1)
    p2 = dataclasses.replace(p1, threads=2)
    a, ra = run(s, p1, 300, record_every=30)
    b, rb = run(s, p2, 300, record_every=30)
    assert np.array_equal(a.positions, b.positions) and np.array_equal(a.momenta, b.momenta)
    assert np.array_equal(ra.pxy, rb.pxy) and np.array_equal(ra.compression, rb.compression)
    c, rc = run(s.select([4]), p2, 300, record_every=30)      # alone instead of in a batch
    assert np.array_equal(c.positions[0], a.positions[4]) and np.array_equal(rc.pxy[0], ra.pxy[4])
    d = lattice_state(32, 0.8, 1.0, n_systems=1, seed=4, first=4)  # drawn alone: the same system
    assert np.array_equal(d.momenta[0], s.momenta[4]) and d.offset[0] == s.offset[4]


def test_records_are_interval_means_and_end_values(fluid):
    p = ShearParams(shear_rate=0.5)
    s = fluid.select([0])
    states = [s]
    for _ in range(4):
        states.append(advance(states[-1], p, 1))
    end, r = run(s, p, 4, record_every=2)
    pxy = np.array([pressure_tensor(x, p)[0, 0, 1] for x in states])
    alpha = np.array([thermostat_multiplier(x, p)[0] for x in states])
    trap = lambda v: np.array([(v[0] / 2 + v[1] + v[2] / 2) / 2, (v[2] / 2 + v[3] + v[4] / 2) / 2])  # noqa: E731
    np.testing.assert_allclose(r.pxy[0], trap(pxy), rtol=1e-12)
    np.testing.assert_allclose(r.alpha[0], trap(alpha), rtol=1e-12)
    assert r.potential_energy[0, -1] == pytest.approx(potential_energy(end, p)[0], rel=1e-13)
    np.testing.assert_allclose(r.t, [2 * p.dt, 4 * p.dt])
    assert np.abs(end.positions - states[-1].positions).max() < 1e-13  # one call or four: round-off


def test_overlap_raises_with_a_remedy():
    s = lattice_state(32, 0.8, 1.0, seed=0)
    s.positions[0, 3] = s.positions[0, 2] + [0.3, 0.0]
    with pytest.raises(SimulationError, match=r"overlap\); reduce dt"):
        advance(s, ShearParams(), 5)


def test_bad_inputs_name_the_parameter():
    s = lattice_state(32, 0.8, 1.0, seed=0)
    with pytest.raises(ConfigError, match="box.*must be >= 2"):
        advance(lattice_state(6, 0.8, 1.0), ShearParams(), 1)
    with pytest.raises(ConfigError, match="record_every must be an integer in"):
        run(s, ShearParams(), 10, record_every=0)
    with pytest.raises(ConfigError, match="n_steps must be an integer"):
        advance(s, ShearParams(), -1)
    with pytest.raises(ConfigError, match="offset must lie in"):
        ShearState(s.positions, s.momenta, s.box, [s.box[0]])


@settings(max_examples=30, deadline=None)
@given(field=st.sampled_from(["dt", "shear_rate", "thermostat", "skin", "neighbours", "threads"]),
       value=st.one_of(st.floats(-100, 100), st.integers(-5, 500), st.text(max_size=5)))
def test_every_params_field_rejects_bad_values_naming_itself(field, value):
    try:
        ShearParams(**{field: value})
    except ConfigError as err:
        assert str(err).startswith(field)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(12, 30), gamma=st.floats(-3.0, 3.0), seed=st.integers(0, 2**20),
       thermostat=st.sampled_from(["isokinetic", "isoenergetic", "none"]), dim=st.sampled_from([2, 3]))
def test_any_small_system_any_shear_rate(n, gamma, seed, thermostat, dim):
    n = n if dim == 2 else 27 + n % 5
    s = lattice_state(n, 0.7, 1.0, n_systems=2, dim=dim, seed=seed)
    p = ShearParams(shear_rate=gamma, thermostat=thermostat, dt=0.002)
    a = advance(s, p, 60)
    b = reference_advance(s, p, 60)
    assert np.abs(_pos_diff(a.positions, b.positions, s.box)).max() < 1e-10     # fused = sub-steps
    if thermostat == "isokinetic":
        assert np.abs(a.kinetic_energy() / s.kinetic_energy() - 1.0).max() < 100 * EPS * np.sqrt(60)
    assert np.abs(a.momenta.sum(axis=1)).max() < 1e-10                           # P stays 0
    back = advance(reverse(a), p.reversed(), 60)                                  # 0.12 tau back
    assert np.abs(_pos_diff(back.positions, s.positions, s.box)).max() < 1e-9
