"""A moving wall (piston) on axis 0: energy balance E(t) - E(0) = work, signs, limits."""

from __future__ import annotations

import numpy as np
import pytest

from neqlab.core.errors import ConfigError
from neqlab.core.protocol import Ramp
from neqlab.models.gas import Params, advance, lattice_gas
from neqlab.observables import thermo


@pytest.mark.parametrize("factor", [0.7, 1.3])
def test_energy_balance_and_sign_of_work(factor):
    p = Params()
    s0 = advance(lattice_gas(600, 0.2, 1.0, 2, seed=3, periodic=(False, True)), p, 200)
    s0 = type(s0)(s0.positions, s0.velocities, s0.box, s0.periodic, 0.0, 0, 0.0)
    l0 = float(s0.box[0])
    s1 = advance(s0, p, 5000, piston=Ramp(l0, factor * l0, duration=10.0))
    assert s1.box[0] == pytest.approx(factor * l0)
    assert np.all(s1.positions[:, 0] <= s1.box[0])
    de = thermo.total_energy(s1, p) - thermo.total_energy(s0, p)
    # the work is exact per reflection; the balance holds up to Verlet's O(dt^2) energy
    # error, ~1e-4 per particle (test_integrators), i.e. 0.06 for 600 particles
    assert de == pytest.approx(s1.work, abs=0.1)
    if factor < 1:
        assert s1.work > 1.0 and thermo.temperature(s1) > thermo.temperature(s0)
    else:
        assert s1.work < -1.0 and thermo.temperature(s1) < thermo.temperature(s0)


def test_piston_needs_walls_and_room():
    p = Params()
    s = lattice_gas(100, 0.2, 1.0, 2, seed=1)
    with pytest.raises(ConfigError, match="periodic\\[0\\] must be False"):
        advance(s, p, 10, piston=Ramp(10.0, 9.0, duration=1.0))
    w = lattice_gas(100, 0.2, 1.0, 2, seed=1, periodic=(False, True))
    with pytest.raises(ConfigError, match="piston must start beyond every particle"):
        advance(w, p, 10, piston=Ramp(1.0, 2.0, duration=1.0))


def test_piston_work_is_the_same_for_any_number_of_threads():
    s = advance(lattice_gas(1200, 0.2, 1.0, 2, seed=4, periodic=(False, True)), Params(), 100)
    s = type(s)(s.positions, s.velocities, s.box, s.periodic)  # t = 0: the ramp starts now
    ramp = Ramp(float(s.box[0]), 0.8 * float(s.box[0]), duration=1.0)
    a, b = (advance(s, Params(threads=t), 500, piston=ramp) for t in (1, 2))
    assert a.work != 0.0 and a.work == b.work
    assert np.array_equal(a.positions, b.positions) and np.array_equal(a.velocities, b.velocities)
