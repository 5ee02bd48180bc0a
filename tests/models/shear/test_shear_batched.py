"""The per-dimension batch kernels are the same arithmetic as the per-system path, bit for bit.

``potential_energy`` and the phase functions (``forces``, ``thermostat_multiplier``...) run
one kernel over the batch; before, a Python loop called the generic kernels ``make_list``
(every pair), ``forces`` and ``observe`` once per system. ``_old_evaluate`` is that loop,
kept here as the reference: the results must be equal, not close. The run loop's serial
and prange kernels are compared in test_shear_dynamics (threads 1 and 2).
"""

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.models.shear import ShearParams, ShearState, advance, forces, lattice_state, potential_energy
from neqlab.models.shear import _kernels as K
from neqlab.models.shear.dynamics import kernel_params, thermostat_code
from neqlab.models.shear.measure import _evaluate
from tests.models.shear.twins import random_config


def _old_evaluate(state, params):
    """The per-system loop of the generic kernels (the path before the batch kernels)."""
    prm = kernel_params(state, params)
    m, n, d = state.positions.shape
    f = np.empty((m, n, d))
    epot, wxy, obs = np.empty(m), np.empty(m), np.empty((m, 4))
    acc = np.zeros(3)
    pi = np.empty(n * (n - 1) // 2, np.int32)
    pj = np.empty(n * (n - 1) // 2, np.int32)
    for s in range(m):
        x = state.positions[s]
        npairs, pi, pj = K.make_list(x, float(state.offset[s]), prm, K.ALL_PAIRS, pi, pj)
        K.forces(x, float(state.offset[s]), prm, pi, pj, npairs, f[s], acc)
        epot[s], wxy[s] = acc[0], acc[1]
        K.observe(state.momenta[s], f[s], wxy[s], params.shear_rate, thermostat_code(params), state.volume, obs[s])
    return f, epot, wxy, obs


def _assert_same(state, params):
    new, old = _evaluate(state, params), _old_evaluate(state, params)
    for a, b in zip(new, old):
        assert np.array_equal(a, b)
    assert np.array_equal(potential_energy(state, params), old[1])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(4, 24), m=st.integers(1, 4), dim=st.sampled_from([2, 3]), seed=st.integers(0, 2**31 - 1),
       gamma=st.floats(-3.0, 3.0), thermostat=st.sampled_from(["isokinetic", "isoenergetic", "none"]))
def test_batch_phase_functions_equal_the_per_system_loop_bitwise(n, m, dim, seed, gamma, thermostat):
    rng = np.random.default_rng(seed)
    p = ShearParams(shear_rate=gamma, thermostat=thermostat, skin=0.05)
    density = min(0.5, n / (2.0 * p.r_list + 0.01) ** dim)
    configs = [random_config(rng, n, density, dim) for _ in range(m)]
    box = configs[0][1]
    x = np.stack([c[0] * box / c[1] for c in configs])  # every system in the first one's box
    s = ShearState(x, rng.normal(size=(m, n, dim)), box, rng.random(m) * box[0])
    _assert_same(s, p)


def test_dense_sheared_fluid_bitwise_and_overlaps_evaluated():
    s = advance(lattice_state(56, 0.8, 1.0, n_systems=5, seed=3), ShearParams(shear_rate=1.0), 200)
    _assert_same(s, ShearParams(shear_rate=1.0, thermostat="isoenergetic"))
    close = s.copy()
    close.positions[0, 1] = close.positions[0, 0] + [0.3, 0.0]  # an overlap: evaluated, not refused
    close.positions[0] %= close.box
    _assert_same(close, ShearParams())
    assert np.all(np.isfinite(forces(close, ShearParams())))


def test_the_pair_list_does_not_change_a_bit():
    """Pairs beyond r_c add exact zeros and the list is in (i, j) order, so any valid list (the
    pair list of any skin, or every pair) gives the same forces: the run is the same bits."""
    s = advance(lattice_state(56, 0.8, 1.0, n_systems=3, seed=5), ShearParams(shear_rate=1.0), 100)
    p = ShearParams(shear_rate=1.5, thermostat="isoenergetic", threads=1)
    a = advance(s, p, 300)
    for q in (dataclasses.replace(p, neighbours="all_pairs"), dataclasses.replace(p, skin=0.1),
              dataclasses.replace(p, skin=1.0)):
        b = advance(s, q, 300)
        assert np.array_equal(a.positions, b.positions) and np.array_equal(a.momenta, b.momenta)
