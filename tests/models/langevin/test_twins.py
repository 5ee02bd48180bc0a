"""Naive NumPy twins of the Langevin kernels, fed with the same per-trajectory normals."""

import numpy as np
import pytest

from neqlab.core.protocol import Cycle
from neqlab.models.langevin import LangevinParams, Potential, advance, equilibrium_state, protocol_values
from neqlab.models.langevin import _kernels as K

POT = Potential("twin", ((0.5, -1.0, 0.3, 0.2, 1.0, 0.4), (0.0, 2.0, 0.0, 0.0, 0.7, 0.7)))
PROTO = Cycle(0.1, 0.8, 0.37)
N_STEPS, M = 150, 40


def _u(x, lam, row):
    p4, k0, k1, h0, h1, e2 = row
    return p4 * x**4 / 4 + (k0 + k1 * lam) * x**2 / 2 - (h0 + h1 * lam) * x + e2 * lam**2 / 2


def _f(x, lam, row):
    p4, k0, k1, h0, h1, _ = row
    return -(p4 * x**3 + (k0 + k1 * lam) * x - (h0 + h1 * lam))


def _normals(keys, n):
    z = np.empty((keys.size, n))
    K.fill_normals(keys, z)  # the kernel's draws: trajectory i, axis after axis, step after step
    return z


def test_overdamped_matches_numpy_twin():
    p = LangevinParams(dt=0.01, gamma=1.3, kT=0.8)
    s = equilibrium_state(POT, float(PROTO(0.0)), p, seed=3, replicas=np.arange(M))
    end, _ = advance(s, POT, PROTO, p, N_STEPS)
    lam = protocol_values(PROTO, 0.0, p.dt, N_STEPS)
    z = _normals(s.keys, 2 * N_STEPS)
    w = np.zeros(M)
    q = np.zeros(M)
    x = s.x.copy()
    for a, row in enumerate(POT.coeffs):
        for t in range(N_STEPS):
            mid = _u(x[:, a], lam[t + 1], row)
            w += mid - _u(x[:, a], lam[t], row)
            x[:, a] = x[:, a] + p.dt / p.gamma * _f(x[:, a], lam[t + 1], row) \
                + np.sqrt(2 * p.kT * p.dt / p.gamma) * z[:, a * N_STEPS + t]
            q += mid - _u(x[:, a], lam[t + 1], row)
    assert np.allclose(end.x, x, rtol=1e-10, atol=1e-12)
    assert np.allclose(end.work, w, rtol=1e-10, atol=1e-11)
    assert np.allclose(end.heat, q, rtol=1e-10, atol=1e-11)


def test_baoab_matches_numpy_twin():
    p = LangevinParams(dt=0.01, gamma=0.7, kT=1.1, mass=1.5, scheme="baoab")
    s = equilibrium_state(POT, float(PROTO(0.0)), p, seed=4, replicas=np.arange(M))
    end, _ = advance(s, POT, PROTO, p, N_STEPS)
    lam = protocol_values(PROTO, 0.0, p.dt, N_STEPS)
    z = _normals(s.keys, 2 * N_STEPS)
    c = np.exp(-p.gamma * p.dt / p.mass)
    sig = np.sqrt((1 - c * c) * p.kT / p.mass)
    h = p.dt / 2
    x, v = s.x.copy(), s.v.copy()
    w = np.zeros(M)
    q = np.zeros(M)
    for a, row in enumerate(POT.coeffs):
        for t in range(N_STEPS):
            l0, l1 = lam[t], lam[t + 1]
            w += _u(x[:, a], l1, row) - _u(x[:, a], l0, row)
            v[:, a] += h * _f(x[:, a], l1, row) / p.mass
            x[:, a] += h * v[:, a]
            k1 = 0.5 * p.mass * v[:, a] ** 2
            v[:, a] = c * v[:, a] + sig * z[:, a * N_STEPS + t]
            q += k1 - 0.5 * p.mass * v[:, a] ** 2
            x[:, a] += h * v[:, a]
            v[:, a] += h * _f(x[:, a], l1, row) / p.mass
    assert np.allclose(end.x, x, rtol=1e-10, atol=1e-12) and np.allclose(end.v, v, rtol=1e-10, atol=1e-12)
    assert np.allclose(end.work, w, rtol=1e-10, atol=1e-11) and np.allclose(end.heat, q, rtol=1e-10, atol=1e-11)


def test_energy_and_force_match_potential_methods():
    x = np.random.default_rng(0).normal(size=(7, 2))
    c = POT.table
    for lam in (-0.5, 0.0, 1.2):
        u = np.array([K.energy(x[i], lam, c) for i in range(7)])
        assert np.allclose(u, POT.energy(x, lam), rtol=1e-13)
        f = np.array([[K.force1(x[i, a], lam, c, a) for a in range(2)] for i in range(7)])
        assert np.allclose(f, POT.force(x, lam), rtol=1e-13)


@pytest.mark.parametrize("n", [1, 3])
def test_fill_normals_is_the_kernel_stream(n):
    keys = np.array([11, 12], dtype=np.uint64)
    z = _normals(keys, n)
    s = keys[0]
    for j in range(n):
        s, val = K.next_normal(np.uint64(s))
        assert val == z[0, j]
