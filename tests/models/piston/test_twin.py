"""A plain-Python twin of the piston kernel, drawing from the same per-particle stream."""

import math

import numpy as np
import pytest

from neqlab.models.langevin import _kernels as LK
from neqlab.models.langevin.integrators import trajectory_keys
from neqlab.models.piston import PistonParams, run


def _twin(key, p: PistonParams):
    s = LK.mix64(np.uint64(key) ^ LK.INIT_SALT)
    s, u = LK.next_double(np.uint64(s))
    x = p.L0 * u
    s, z = LK.next_normal(np.uint64(s))
    sig = math.sqrt(p.kT / p.mass)
    v = sig * z
    s = np.uint64(key)
    speed = (p.L1 - p.L0) / p.t_move
    t_end = p.t_move + p.t_rest

    def piston(t):
        return p.L0 + speed * t if t < p.t_move else p.L1

    t, w, q = 0.0, 0.0, 0.0
    while t < t_end:
        u_p = speed if t < p.t_move else 0.0
        stop = p.t_move if t < p.t_move else t_end
        cands = [(stop - t, "stop")]
        if v < 0:
            cands.append((x / -v, "wall"))
        if v > u_p:
            cands.append(((piston(t) - x) / (v - u_p), "piston"))
        dt, what = min(cands, key=lambda c: c[0])
        if what == "stop" or t + dt >= stop:
            x = min(max(x + v * (stop - t), 0.0), piston(stop) if stop < p.t_move else p.L1)
            t = stop
            continue
        t += dt
        if what == "wall":
            x = 0.0
            s, r = LK.next_double(np.uint64(s))
            vn = sig * math.sqrt(-2 * math.log1p(-r))
            q += 0.5 * p.mass * (v * v - vn * vn)
        else:
            x = piston(t)
            vn = 2 * u_p - v
            w += 0.5 * p.mass * (vn * vn - v * v)
        v = vn
    return w, q, 0.5 * p.mass * v * v


@pytest.mark.parametrize("p", [PistonParams(L0=1.0, L1=0.5, t_move=0.7, t_rest=0.5, kT=1.3, mass=0.8),
                               PistonParams(L0=0.5, L1=1.0, t_move=0.4, t_rest=0.0)])
def test_piston_kernel_matches_python_twin(p):
    ids = np.arange(30)
    out = run(p, seed=6, replicas=ids)
    keys = trajectory_keys(6, ids)
    twin = np.array([_twin(k, p) for k in keys])
    assert np.allclose(out["work"], twin[:, 0], rtol=1e-9, atol=1e-12)
    assert np.allclose(out["heat"], twin[:, 1], rtol=1e-9, atol=1e-12)
    assert np.allclose(out["energy_end"], twin[:, 2], rtol=1e-9, atol=1e-12)
