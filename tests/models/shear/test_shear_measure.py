"""Phase functions against finite differences of the continuous SLLOD field.

Finite differences: Richardson-extrapolated central differences with eps = 1e-4 sigma
(truncation O(eps^4) times fifth derivatives of WCA at r >= 0.85 sigma, round-off
~1e-16 |G| / eps ~ 1e-10); the tolerance 1e-6 (relative to the scale of the summed
terms) is that error with four orders of margin, fixed before the first run.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.models.shear import (ShearParams, ShearState, constraint_normals, dissipation_function, forces,
                                 phase_space_compression, potential_energy, pressure_tensor,
                                 thermostat_multiplier, vector_field)
from tests.models.shear.twins import random_config

N, D = 6, 2
TOL = 1e-6


def _closest_sheared_image(x, box, offset):
    """Smallest pair distance [sigma] over the Lees-Edwards images (the row above shifted by offset)."""
    d = x[:, None, :] - x[None, :, :]
    best = np.inf
    for sy in (-1, 0, 1):
        for sx in (-2, -1, 0, 1, 2):
            r = np.hypot(d[..., 0] + sx * box[0] + sy * offset, d[..., 1] + sy * box[1])
            if sx == sy == 0:
                r = np.where(np.eye(len(x), dtype=bool), np.inf, r)
            best = min(best, float(r.min()))
    return best


def _system(seed, thermostat, gamma, off_frac=0.37):
    rng = np.random.default_rng(seed)
    # r >= 0.85 sigma through the sheared boundary too (random_config checks offset 0 only;
    # seed 201 put two disks 0.15 sigma apart across it, where finite differences fail)
    while True:
        x, box = random_config(rng, N, 0.6, D, r_min=0.85)
        if _closest_sheared_image(x, box, off_frac * box[0]) >= 0.85:
            break
    mom = rng.normal(size=(N, D))
    mom -= mom.mean(axis=0)  # the constraint surface: total momentum zero
    p = ShearParams(shear_rate=gamma, thermostat=thermostat, skin=0.05)
    return ShearState(x[None], mom[None], box, [off_frac * box[0]]), p


def _field(s, p):
    def g(z, off=None):
        st_ = ShearState(z[:N * D].reshape(1, N, D), z[N * D:].reshape(1, N, D), s.box,
                         s.offset if off is None else [off])
        a, b = vector_field(st_, p)
        return np.concatenate([a.ravel(), b.ravel()])
    return g, np.concatenate([s.positions.ravel(), s.momenta.ravel()])


def _jacobian(g, z0, eps=1e-4):
    def jac(h):
        cols = []
        for k in range(z0.size):
            e = np.zeros(z0.size)
            e[k] = h
            cols.append((g(z0 + e) - g(z0 - e)) / (2 * h))
        return np.array(cols).T
    return (4 * jac(eps / 2) - jac(eps)) / 3


def _along(fun, g, z0, s, gamma, eps=1e-4):
    """d/dt fun(z, offset) along the field, the Lees-Edwards offset moving at gamma L_y."""
    v = g(z0)
    o0, do = float(s.offset[0]), gamma * float(s.box[1])

    def c(h):
        return (fun(z0 + h * v, o0 + h * do) - fun(z0 - h * v, o0 - h * do)) / (2 * h)
    return (4 * c(eps / 2) - c(eps)) / 3


def _state(s, z, off):
    lx = float(s.box[0])
    wrapped = off % lx
    if wrapped >= lx:  # a tiny negative offset rounds to lx itself (as the kernels' wrap_offset handles)
        wrapped -= lx
    return ShearState(z[:N * D].reshape(1, N, D), z[N * D:].reshape(1, N, D), s.box, [wrapped])


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6), thermostat=st.sampled_from(["isokinetic", "isoenergetic", "none"]),
       gamma=st.floats(-2.0, 2.0))
def test_full_divergence_equals_a_finite_difference_divergence(seed, thermostat, gamma):
    s, p = _system(seed, thermostat, gamma)
    g, z0 = _field(s, p)
    j = _jacobian(g, z0)
    scale = 1.0 + np.abs(np.diag(j)).sum()
    assert abs(np.trace(j) - phase_space_compression(s, p, space="full")[0]) < TOL * scale


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6), thermostat=st.sampled_from(["isokinetic", "isoenergetic", "none"]),
       gamma=st.floats(-2.0, 2.0))
def test_constrained_lambda_is_the_divergence_on_the_constraint_surface(seed, thermostat, gamma):
    # the trace of the Jacobian over the tangent space of the surface (normals removed);
    # for the isoenergetic surface the measure delta(H0 - E) differs from the surface
    # measure by 1/|grad H0|, which adds d/dt ln|grad H0| (|grad K| = |p| is constant)
    s, p = _system(seed, thermostat, gamma)
    g, z0 = _field(s, p)
    j = _jacobian(g, z0)
    nrm = constraint_normals(s, p)[0]
    surface = np.trace(j) - np.einsum("ik,ij,jk->", nrm, j, nrm)
    lam = phase_space_compression(s, p)[0]
    if thermostat == "isoenergetic":
        def ln_grad(z, off):
            st_ = _state(s, z, off)
            return 0.5 * np.log(np.sum(forces(st_, p) ** 2) + np.sum(st_.momenta ** 2))
        lam = lam + _along(ln_grad, g, z0, s, gamma)
    scale = 1.0 + np.abs(np.diag(j)).sum()
    assert abs(surface - lam) < TOL * scale


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), gamma=st.floats(-2.0, 2.0), off_frac=st.floats(0.0, 0.99))
def test_potential_energy_changes_as_minus_f_dot_p_minus_gamma_w_xy(seed, gamma, off_frac):
    # along the flow, with the Lees-Edwards offset moving: the boundary terms cancel, so
    # dPhi/dt = -sum F.p - gamma sum_pairs x_ij F_y,ij (the basis of the dissipation function)
    s, p = _system(seed, "isokinetic", gamma, off_frac)
    g, z0 = _field(s, p)
    dphi = _along(lambda z, off: potential_energy(_state(s, z, off), p)[0], g, z0, s, gamma)
    f = forces(s, p)[0]
    w_xy = pressure_tensor(s, p)[0, 0, 1] * s.volume - np.sum(s.momenta[0, :, 0] * s.momenta[0, :, 1])
    expected = -np.sum(f * s.momenta[0]) - gamma * w_xy
    assert abs(dphi - expected) < TOL * (1.0 + np.abs(f * s.momenta[0]).sum() + abs(gamma * w_xy))


@pytest.mark.parametrize("thermostat", ["isokinetic", "isoenergetic"])
def test_the_multiplier_keeps_its_constraint_along_the_field(thermostat):
    s, p = _system(11, thermostat, 0.8, 0.6)
    g, z0 = _field(s, p)
    if thermostat == "isokinetic":
        fun = lambda z, off: 0.5 * np.sum(z[N * D:] ** 2)  # noqa: E731
    else:
        fun = lambda z, off: 0.5 * np.sum(z[N * D:] ** 2) + potential_energy(_state(s, z, off), p)[0]  # noqa: E731
    scale = 1.0 + np.abs(forces(s, p)).sum() * np.abs(s.momenta).max()
    assert abs(_along(fun, g, z0, s, 0.8)) < TOL * scale
    assert thermostat_multiplier(s, p)[0] != 0.0


def test_dissipation_function_is_minus_field_dot_grad_ln_f_minus_lambda():
    # Omega = -G.grad ln f0 - Lambda with ln f0 = -beta Phi, beta = (dN - d - 1) / 2K
    s, p = _system(5, "isokinetic", 1.3, 0.2)
    g, z0 = _field(s, p)
    beta = s.n_dof / (2.0 * s.kinetic_energy()[0])
    dphi = _along(lambda z, off: potential_energy(_state(s, z, off), p)[0], g, z0, s, 1.3)
    expected = beta * dphi - phase_space_compression(s, p)[0]
    omega = dissipation_function(s, p)[0]
    assert abs(omega - expected) < TOL * (1.0 + abs(beta * dphi))
    pxy = pressure_tensor(s, p)[0, 0, 1]
    assert abs(omega + beta * 1.3 * s.volume * pxy) < 0.05 * abs(omega)  # the kinetic term is O(1/N)
    with pytest.raises(ConfigError, match="thermostat must be one of"):
        dissipation_function(s, ShearParams(thermostat="none"))
