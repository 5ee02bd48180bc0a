"""Initial conditions: exact temperature and momentum, confinement, packing, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.models.gas import (box_for, confined_gas, equilibrated_fluid, lattice_gas, random_gas,
                               thermal_contact_gas)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(2, 3000), density=st.floats(0.01, 1.0), kT=st.floats(0.01, 10.0),
       dim=st.sampled_from([2, 3]), seed=st.integers(0, 2**63 - 1))
def test_lattice_gas_exact_kT_zero_momentum_inside_box(n, density, kT, dim, seed):
    s = lattice_gas(n, density, kT, dim, seed=seed)
    v = s.velocities
    assert np.abs(v.sum(axis=0)).max() < 1e-9 * max(1.0, np.sqrt(kT * n))
    assert np.sum(v * v) / (dim * (n - 1)) == pytest.approx(kT, rel=1e-12)
    assert np.all(s.positions >= 0) and np.all(s.positions < s.box)
    assert np.prod(s.box) == pytest.approx(n / density)


def test_lattice_spacing_and_determinism():
    a = lattice_gas(400, 0.5, 1.0, 2, seed=3)
    b = lattice_gas(400, 0.5, 1.0, 2, seed=3)
    c = lattice_gas(400, 0.5, 1.0, 2, seed=3, replica=1)
    assert np.array_equal(a.velocities, b.velocities) and not np.array_equal(a.velocities, c.velocities)
    d = a.positions[:, None, :] - a.positions[None, :, :]
    r = np.sqrt((d**2).sum(-1)) + np.eye(400) * 1e9
    assert r.min() == pytest.approx(np.sqrt(2.0), rel=1e-9)  # square lattice at density 0.5


def test_random_gas_packing_and_determinism():
    s = random_gas(3000, 0.3, 1.0, 2, seed=2, replica=5, r_min=0.9)
    x, box = s.positions, s.box
    d = x[:, None, :] - x[None, :, :]
    d -= box * np.rint(d / box)
    r2 = (d**2).sum(-1) + np.eye(3000) * 1e9
    assert r2.min() >= 0.81
    assert np.array_equal(random_gas(3000, 0.3, 1.0, 2, seed=2, replica=5).positions, x)
    # uniform: the left-half count is close to binomial, sd 0.5 sqrt(N) ~ 27
    assert abs(np.sum(x[:, 0] < box[0] / 2) - 1500) < 4 * 27
    with pytest.raises(ConfigError, match="density must be lower"):
        random_gas(500, 1.2, 1.0, 2, r_min=1.0)


def test_confined_and_thermal_contact_starts():
    s = confined_gas(300, 0.3, 1.0, 2, fill=0.4, t_eq=0.5, periodic=(False, True))
    assert np.all(s.positions[:, 0] <= 0.4 * s.box[0] + 1e-12)
    assert list(s.periodic) == [False, True]
    assert np.sum(s.velocities**2) / (2 * 299) == pytest.approx(1.0, rel=1e-12)
    t = thermal_contact_gas(400, 0.5, 3.0, 0.3, 2, t_eq=0.5)
    left = t.positions[:, 0] < t.box[0] / 2
    for m, kT in ((left, 3.0), (~left, 0.3)):
        assert np.sum(t.velocities[m] ** 2) / (2 * (m.sum() - 1)) == pytest.approx(kT, rel=1e-12)
    f = equilibrated_fluid(200, 0.5, 2.0, 3, t_eq=0.5)
    assert np.sum(f.velocities**2) / (3 * 199) == pytest.approx(2.0, rel=1e-12)


def test_confined_gas_released_on_a_periodic_axis_has_no_pair_across_the_boundary():
    # fill < 1: the slab is separated from its periodic image by the empty part of the box;
    # fill = 1: equilibrated periodic from the start (walls at 0 and L would have left
    # touching pairs across the boundary, an overlap at the first step)
    from neqlab.models.gas import Params, advance

    for fill in (0.5, 1.0):
        s = confined_gas(600, 0.5, 1.0, 2, fill=fill, t_eq=1.0, periodic=(True, True))
        d = s.positions[:, None, :] - s.positions[None, :, :]
        d -= s.box * np.round(d / s.box)  # minimum image on both axes
        r = np.sqrt(np.sum(d * d, axis=2)) + 10 * np.eye(s.n_particles)
        assert r.min() > 0.8, (fill, r.min())
        advance(s, Params(), 10)  # runs without an overlap error


def test_bad_inputs_name_the_parameter():
    with pytest.raises(ConfigError, match="dim must be one of 2, 3"):
        box_for(10, 0.5, 4)
    with pytest.raises(ConfigError, match="n_particles must be an integer"):
        lattice_gas(1, 0.5)
    with pytest.raises(ConfigError, match="density must be a number"):
        lattice_gas(10, 0.0)
    with pytest.raises(ConfigError, match="fill must be a number"):
        confined_gas(10, 0.5, fill=1.5)
    with pytest.raises(ConfigError, match="kT must be a number"):
        lattice_gas(10, 0.5, kT=-1.0)
