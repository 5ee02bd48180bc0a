"""Forces, energy and pressure tensor of the sheared fluid against naive twins and the gas engine."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.models import gas
from neqlab.models.shear import (ShearParams, ShearState, equilibrium_ensemble, forces, potential_energy,
                                 pressure_tensor, thermostat_multiplier, vector_field)
from tests.models.shear.twins import image_sum, random_config


@settings(max_examples=40, deadline=None)
@given(n=st.integers(4, 24), dim=st.sampled_from([2, 3]), off_frac=st.floats(0.0, 0.999999),
       seed=st.integers(0, 2**31 - 1), skin=st.floats(0.05, 0.6))
def test_lees_edwards_forces_equal_a_naive_image_sum(n, dim, off_frac, seed, skin):
    rng = np.random.default_rng(seed)
    p = ShearParams(skin=skin)
    density = min(0.5, n / (2.0 * p.r_list + 0.01) ** dim)  # the box must hold 2 r_list
    x, box = random_config(rng, n, density, dim)
    off = off_frac * box[0]
    s = ShearState(x[None], rng.normal(size=(1, n, dim)), box, [off])
    f_ref, e_ref, vir_ref = image_sum(x, box, off)
    scale = max(1.0, np.abs(f_ref).max())
    assert np.abs(forces(s, p)[0] - f_ref).max() < 1e-12 * scale
    assert abs(potential_energy(s, p)[0] - e_ref) < 1e-12 * max(1.0, abs(e_ref))
    kin = np.einsum("ia,ib->ab", s.momenta[0], s.momenta[0])
    np.testing.assert_allclose(pressure_tensor(s, p)[0] * s.volume, kin + vir_ref, rtol=1e-12,
                               atol=1e-12 * max(1.0, np.abs(vir_ref).max()))


@pytest.mark.parametrize("dim", [2, 3])
def test_at_zero_offset_it_is_the_equilibrium_engine(dim):
    n = 56 if dim == 2 else 108
    s = equilibrium_ensemble(n, 0.8, 1.0, n_systems=2, dim=dim, seed=3, t_eq=0.5)
    s.offset[:] = 0.0  # the plain periodic box of the gas engine
    p = ShearParams()
    f = forces(s, p)
    e = potential_energy(s, p)
    ptens = pressure_tensor(s, p)
    gp = gas.Params()
    for k in range(2):
        g = gas.State(s.positions[k], s.momenta[k], s.box, True)
        fg = gas.forces(g, gp)
        assert np.abs(f[k] - fg).max() < 1e-12 * np.abs(fg).max()
        assert abs(e[k] - gas.potential_energy(g, gp)) < 1e-12 * abs(e[k])
        vir = np.trace(ptens[k]) * s.volume - 2.0 * s.kinetic_energy()[k]
        assert abs(vir - gas.pair_virial(g, gp)) < 1e-12 * abs(vir)


def test_pressure_tensor_is_symmetric_and_its_xy_is_the_record_convention():
    s = equilibrium_ensemble(56, 0.8, 1.0, n_systems=3, seed=1, t_eq=0.5)
    pt = pressure_tensor(s, ShearParams())
    np.testing.assert_allclose(pt[:, 0, 1], pt[:, 1, 0], rtol=1e-12, atol=1e-12)
    assert np.all(pt[:, 0, 0] > 0) and np.all(pt[:, 1, 1] > 0)  # repulsive fluid: positive pressure


@settings(max_examples=30, deadline=None)
@given(n=st.integers(4, 20), off_frac=st.floats(0.0, 0.999999), seed=st.integers(0, 2**31 - 1),
       gamma=st.floats(-3.0, 3.0), thermostat=st.sampled_from(["isokinetic", "isoenergetic", "none"]))
def test_sllod_field_equals_a_numpy_twin(n, off_frac, seed, gamma, thermostat):
    rng = np.random.default_rng(seed)
    p = ShearParams(shear_rate=gamma, thermostat=thermostat, skin=0.05)
    x, box = random_config(rng, n, min(0.5, n / (2.0 * p.r_list + 0.01) ** 2), 2)
    mom = rng.normal(size=(n, 2))
    mom -= mom.mean(axis=0)
    s = ShearState(x[None], mom[None], box, [off_frac * box[0]])
    f, _, vir = image_sum(x, box, off_frac * box[0])
    spp = np.sum(mom[:, 0] * mom[:, 1])
    k2 = np.sum(mom * mom)
    alpha = {"isokinetic": (np.sum(f * mom) - gamma * spp) / k2,
             "isoenergetic": -gamma * (spp + vir[0, 1]) / k2, "none": 0.0}[thermostat]
    qdot = mom + np.stack([gamma * x[:, 1], np.zeros(n)], axis=1)
    pdot = f - alpha * mom - np.stack([gamma * mom[:, 1], np.zeros(n)], axis=1)
    a, b = vector_field(s, p)
    scale = max(1.0, np.abs(pdot).max())
    assert np.abs(a[0] - qdot).max() < 1e-12 * max(1.0, np.abs(qdot).max())
    assert np.abs(b[0] - pdot).max() < 1e-12 * scale
    assert thermostat_multiplier(s, p)[0] == pytest.approx(alpha, rel=1e-10, abs=1e-12)
