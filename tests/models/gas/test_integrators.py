"""Velocity Verlet: energy and momentum conservation, walls, precision, threads."""

from __future__ import annotations

import numpy as np
import pytest

from neqlab.models.gas import Params, State, advance, lattice_gas, potential_energy, reverse


def total_energy(s, p):
    return potential_energy(s, p) + 0.5 * float(np.sum(s.velocities.astype(np.float64) ** 2))


def energy_series(s, p, n_blocks, block):
    e = [total_energy(s, p)]
    for _ in range(n_blocks):
        s = advance(s, p, block)
        e.append(total_energy(s, p))
    return s, np.array(e)


@pytest.mark.parametrize("precision", ["f64", "f32"])
def test_energy_conserved_periodic(precision):
    p = Params(precision=precision)
    s = advance(lattice_gas(400, 0.5, 1.0, 2, seed=2, precision=precision), p, 300)
    s, e = energy_series(s, p, 20, 50)
    # Verlet: bounded O(dt^2) energy error; measured 2.3e-5 (f64) and 2.9e-5 (f32) per
    # particle over 1000 steps at dt = 0.002. Bound 1e-4 per particle: 4x margin, and a
    # secular drift (the failure it guards against) would exceed it.
    assert np.abs(e - e[0]).max() / s.n_particles < 1e-4
    assert s.positions.dtype == p.dtype and s.velocities.dtype == p.dtype == {"f64": np.float64, "f32": np.float32}[precision]


def test_energy_conserved_3d_lj():
    p = Params(potential="lj", r_cut=2.5)
    s = advance(lattice_gas(500, 0.4, 1.0, 3, seed=4), p, 200)
    s, e = energy_series(s, p, 10, 50)
    # measured ~1e-4 per particle; LJ with r_c = 2.5 has a force jump at the cutoff
    assert np.abs(e - e[0]).max() / s.n_particles < 1e-3


def test_momentum_conserved_periodic():
    p = Params()
    s0 = lattice_gas(300, 0.5, 1.0, 2, seed=5)
    s1 = advance(s0, p, 1000)
    # Newton's third law pair by pair: total momentum changes only by round-off
    assert np.abs(s1.velocities.sum(axis=0)).max() < 1e-10
    assert np.abs(s0.velocities.sum(axis=0)).max() < 1e-12


def test_walls_confine_and_conserve_energy():
    p = Params()
    s = lattice_gas(400, 0.5, 1.0, 2, seed=2, periodic=(False, True))
    s, e = energy_series(s, p, 20, 50)
    assert np.all(s.positions[:, 0] >= 0) and np.all(s.positions[:, 0] <= s.box[0])
    # specular reflection during an interaction makes the wall force effectively
    # discontinuous: larger bounded error (measured 4.5e-4 per particle), no drift
    assert np.abs(e - e[0]).max() / s.n_particles < 2e-3


def test_free_particle_between_walls_is_exact():
    x = np.array([[1.0, 1.0], [6.0, 6.0]])
    v = np.array([[3.0, 0.0], [-2.0, 0.0]])  # separated in y: they never interact
    s = State(x, v, [8.0, 8.0], False)
    s1 = advance(s, Params(dt=0.01), 1000)  # 10 time units: several reflections each
    assert np.allclose(np.abs(s1.velocities), np.abs(v), rtol=0, atol=1e-12)
    # unfold: reflecting motion is a triangle wave of the free motion
    free = (x + v * 10.0) % 16.0
    folded = np.where(free > 8.0, 16.0 - free, free)
    assert np.allclose(s1.positions, folded, atol=1e-9)


@pytest.mark.parametrize("n,dim", [(2000, 2), (1003, 2), (1501, 3)])  # tasks of unequal size too
def test_threads_give_the_serial_bits(n, dim):
    s = lattice_gas(n, 0.5, 1.0, dim, seed=6, periodic=(True, False, True)[:dim])
    a = advance(s, Params(), 100)
    b = advance(s, Params(threads=2), 100)
    # the tasks and their order of summation depend on the data only, not on the workers
    assert np.array_equal(a.positions, b.positions) and np.array_equal(a.velocities, b.velocities)


def test_verlet_reversal_returns_close():
    p = Params()
    s0 = advance(lattice_gas(500, 0.5, 1.0, 2, seed=7), p, 100)
    back = reverse(advance(reverse(advance(s0, p, 200)), p, 200))
    # float round-off (1e-16) grows like exp(lambda t) with lambda ~ 3 over t = 0.4
    assert np.abs(back.positions - s0.positions).max() < 1e-10
    assert back.step == s0.step + 400 and back.time == pytest.approx(s0.time + 0.8)


def test_advance_does_not_mutate_input_and_zero_steps_is_identity():
    p = Params()
    s = lattice_gas(100, 0.5, 1.0, 2, seed=8)
    x, v = s.positions.copy(), s.velocities.copy()
    s0 = advance(s, p, 0)
    assert np.array_equal(s0.positions, x) and np.array_equal(s0.velocities, v)
    advance(s, p, 10)
    assert np.array_equal(s.positions, x) and np.array_equal(s.velocities, v)
