"""The fixed-point leapfrog retraces its path bit for bit (Levesque & Verlet 1993)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.models.gas import (Params, advance, forces, from_lattice, lattice_gas,
                               potential_energy, reverse, to_lattice)


def roundtrip(s0, p, n):
    s1 = advance(s0, p, n)
    s2 = advance(reverse(s1), p, n)
    return s1, s2


def test_exact_return_at_n2500():
    p = Params(integrator="fixed_point")
    s0 = to_lattice(advance(lattice_gas(2500, 0.5, 1.0, 2, seed=11), Params(), 200), p)
    s1, s2 = roundtrip(s0, p, 1500)  # 3 tau: ~80 neighbour-list rebuilds, resorting
    assert not np.array_equal(s1.positions, s0.positions)
    assert np.array_equal(s2.positions, s0.positions)
    assert np.array_equal(s2.velocities, -s0.velocities)
    back = reverse(s2)
    assert np.array_equal(back.u, s0.u) and np.array_equal(back.d, s0.d) and np.array_equal(back.a, s0.a)


def test_reverse_is_an_exact_involution():
    p = Params(integrator="fixed_point")
    s = to_lattice(lattice_gas(300, 0.5, 1.0, 2, seed=1), p)
    r = reverse(s)
    assert np.array_equal(r.velocities, -s.velocities) and np.array_equal(r.positions, s.positions)
    rr = reverse(r)
    assert np.array_equal(rr.d, s.d) and np.array_equal(rr.u, s.u)


@settings(max_examples=12, deadline=None)
@given(
    n=st.integers(2, 400),
    n_steps=st.integers(0, 400),
    dim=st.sampled_from([2, 3]),
    walls=st.lists(st.booleans(), min_size=3, max_size=3),
    bits=st.sampled_from([20, 32, 40]),
    seed=st.integers(0, 1000),
)
def test_exact_return_any_n_walls_dims(n, n_steps, dim, walls, bits, seed):
    p = Params(integrator="fixed_point", lattice_bits=bits)
    periodic = tuple(not w for w in walls[:dim])
    base = lattice_gas(n, 0.3, 2.0, dim, seed=seed, periodic=periodic)
    side = 2 * (p.r_cut_effective + p.skin) + 0.1
    if np.any(base.box < side):  # tiny boxes: enlarge to a valid periodic box
        base = type(base)(base.positions, base.velocities, np.maximum(base.box, side), periodic)
    s0 = to_lattice(base, p)
    s1, s2 = roundtrip(s0, p, n_steps)
    assert np.array_equal(s2.u, s0.u)
    assert np.array_equal(s2.velocities, -s0.velocities)


def test_lattice_dynamics_is_physical():
    """Energy conserved as for Verlet; lattice round-off per step ~ 2^-32, negligible."""
    p = Params(integrator="fixed_point")
    s0 = to_lattice(advance(lattice_gas(400, 0.5, 1.0, 2, seed=3), Params(), 300), p)
    e = []
    s = s0
    for _ in range(10):
        s = advance(s, p, 100)
        e.append(potential_energy(s, p) + 0.5 * np.sum(s.velocities**2))
    e = np.array(e)
    # same bound as the float Verlet test (1e-4 per particle)
    assert np.abs(e - e[0]).max() / 400 < 1e-4
    f = from_lattice(s)
    assert np.allclose(forces(f, p), forces(s, p))
