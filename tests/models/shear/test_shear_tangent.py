"""Tangent dynamics against a finite-difference twin of the step map (NumPy, through advance)."""

import numpy as np
import pytest

from neqlab.core.errors import ConfigError
from neqlab.models.shear import (ShearParams, ShearState, advance, constraint_normals, equilibrium_ensemble,
                                 tangent_step)
from tests.models.shear.test_shear_dynamics import reference_advance


def _le_diff(a, b, box, off):
    """a - b for positions, through the sliding-brick images (a wrap in one run and not the other)."""
    d = a - b
    ny = np.rint(d[..., 1] / box[1])
    d[..., 1] -= ny * box[1]
    d[..., 0] -= ny * off
    d[..., 0] -= box[0] * np.rint(d[..., 0] / box[0])
    if d.shape[-1] == 3:
        d[..., 2] -= box[2] * np.rint(d[..., 2] / box[2])
    return d


def _fd_jacobian(s, p, k, eps=1e-6):
    n, d = s.n_particles, s.dim
    z0 = np.concatenate([s.positions.ravel(), s.momenta.ravel()])

    def run(z):
        return advance(ShearState(z[:n * d].reshape(1, n, d), z[n * d:].reshape(1, n, d), s.box, s.offset), p, k)

    def jac(h):
        cols = []
        for c in range(z0.size):
            e = np.zeros(z0.size)
            e[c] = h
            a, b = run(z0 + e), run(z0 - e)
            dq = _le_diff(a.positions, b.positions, s.box, a.offset[0])
            cols.append(np.concatenate([dq.ravel(), (a.momenta - b.momenta).ravel()]) / (2 * h))
        return np.array(cols).T
    return (4 * jac(eps / 2) - jac(eps)) / 3


def _closest_to_cutoff(s, p, k):
    """min over the k steps and all pairs of |r - r_c| [length]: the WCA force has a kink
    at r_c, so finite differences are only valid if no pair comes within their reach."""
    out = np.inf
    for _ in range(k + 1):
        x = s.positions[0]
        d = x[:, None, :] - x[None, :, :]
        ny = np.rint(d[..., 1] / s.box[1])
        d[..., 1] -= ny * s.box[1]
        d[..., 0] -= ny * s.offset[0]
        d[..., 0] -= s.box[0] * np.rint(d[..., 0] / s.box[0])
        if s.dim == 3:
            d[..., 2] -= s.box[2] * np.rint(d[..., 2] / s.box[2])
        r = np.sqrt(np.sum(d * d, axis=-1))[np.triu_indices(s.n_particles, 1)]
        out = min(out, np.abs(r - p.r_cut).min())
        s = advance(s, p, 1)
    return out


@pytest.mark.parametrize("thermostat", ["isokinetic", "isoenergetic", "none"])
@pytest.mark.parametrize("dim", [2, 3])
def test_tangent_map_equals_finite_differences_of_the_step(thermostat, dim):
    n, k = (10, 20) if dim == 2 else (27, 6)
    s = equilibrium_ensemble(n, 0.7, 1.0, dim=dim, seed=5, t_eq=0.5)
    p = ShearParams(shear_rate=0.8, thermostat=thermostat)
    assert _closest_to_cutoff(s, p, k) > 1e-4  # a precondition of the twin (seed chosen for it)
    j = _fd_jacobian(s, p, k)
    end, t, _ = tangent_step(s, p, np.eye(j.shape[0])[None], k)
    # Richardson central differences, eps = 1e-6: error ~1e-16 / eps times the growth
    # over k steps (< 100) plus O(eps^4): relative 1e-6 is ample and cannot hide an error
    # in a derivative (those are O(1) relative)
    assert np.abs(t[0] - j).max() < 1e-6 * np.abs(j).max()
    # the base trajectory: bit for bit the sub-step reference loop, round-off from advance
    assert np.array_equal(end.positions, reference_advance(s, p, k).positions)
    assert np.abs(end.positions - advance(s, p, k).positions).max() < 1e-12


@pytest.mark.parametrize("thermostat", ["isokinetic", "isoenergetic"])
def test_log_det_of_the_map_is_the_integrated_divergence_to_second_order(thermostat):
    s = equilibrium_ensemble(10, 0.7, 1.0, seed=3, t_eq=0.5)
    gaps = []
    for dt in (0.004, 0.002):
        p = ShearParams(shear_rate=0.8, thermostat=thermostat, dt=dt)
        _, t, integ = tangent_step(s, p, np.eye(40)[None], int(round(0.4 / dt)))
        full = integ.compression[0] - s.dim * integ.alpha[0]   # int div G dt over the run
        gaps.append(np.linalg.slogdet(t[0])[1] - full)
    assert abs(gaps[0]) < 0.01 * abs(full)
    order = np.log2(abs(gaps[0] / gaps[1]))
    assert 1.6 < order < 2.4, gaps   # the splitting's O(dt^2), not a missing term (O(1))


def test_constraint_surface_is_invariant_under_the_tangent_map():
    s = equilibrium_ensemble(10, 0.7, 1.0, seed=3, t_eq=0.5)
    p = ShearParams(shear_rate=0.8)
    nrm0 = constraint_normals(s, p)[0]
    basis = np.linalg.svd(np.eye(40) - nrm0 @ nrm0.T)[0][:, :40 - nrm0.shape[1]]  # tangent space at the start
    end, t, _ = tangent_step(s, p, basis[None], 30)
    nrm1 = constraint_normals(end, p)[0]
    assert np.abs(nrm1.T @ t[0]).max() < 1e-10 * np.abs(t[0]).max()


def test_tangent_shape_is_checked():
    s = equilibrium_ensemble(10, 0.7, 1.0, seed=3, t_eq=0.1)
    with pytest.raises(ConfigError, match=r"tangents must have shape \(1, 40, m\)"):
        tangent_step(s, ShearParams(), np.eye(39)[None], 1)


def test_translations_give_the_zero_exponents():
    # a uniform shift in x is carried unchanged (forces depend on differences, the streaming
    # on y only); a uniform shift dy in y adds the streaming gamma dy t to every x: linear
    # growth, exponent zero. These are the two zero exponents of the constrained spectrum.
    s = equilibrium_ensemble(10, 0.7, 1.0, seed=3, t_eq=0.5)
    p = ShearParams(shear_rate=0.8, dt=0.004)
    t0 = np.zeros((1, 40, 2))
    t0[0, 0:20:2, 0] = 1.0   # dq_x = 1 for every particle
    t0[0, 1:20:2, 1] = 1.0   # dq_y = 1 for every particle
    _, t, _ = tangent_step(s, p, t0, 250)
    dx = np.zeros(40)
    dx[0:20:2] = 1.0
    np.testing.assert_allclose(t[0, :, 0], dx, atol=1e-12)
    expect = t0[0, :, 1].copy()
    expect[0:20:2] = 0.8 * 250 * 0.004          # gamma t in x
    np.testing.assert_allclose(t[0, :, 1], expect, atol=1e-12)


def test_constraint_normals_grow_at_rates_zero_and_minus_alpha():
    # the kinetic-energy normal keeps its component exactly (K is kept for every K: exponent
    # 0); a total-momentum perturbation decays as exp(-int alpha) (exponent -<alpha>, one per
    # axis), the shear only adding -gamma t dP_y to dP_x
    s = advance(equilibrium_ensemble(10, 0.7, 1.0, seed=3, t_eq=0.5), ShearParams(shear_rate=0.8), 250)
    p = ShearParams(shear_rate=0.8)
    nrm = constraint_normals(s, p)[0]                     # columns: P_x, P_y, K
    end, t, integ = tangent_step(s, p, nrm[None], 250)
    nrm1 = constraint_normals(end, p)[0]
    comp = nrm1.T @ t[0]                                   # normal components after 1 tau
    decay = np.exp(-integ.alpha[0])
    assert abs(comp[2, 2] - 1.0) < 1e-10
    # the map is exact only to the splitting's O(dt^2) against the continuous exp(-int alpha)
    assert abs(comp[0, 0] / decay - 1.0) < 1e-3 and abs(comp[1, 1] / decay - 1.0) < 1e-3
    assert abs(comp[0, 1] / decay + 0.8 * 1.0) < 1e-3     # -gamma t, t = 1
    assert integ.alpha[0] > 0.05                           # a real decay was tested
