"""Numba kernel for ideal-gas particles between a thermal wall and a moving piston.

Event-driven and exact (no time step): a particle flies freely, hits the fixed wall
at x = 0 (thermal: it leaves with a speed drawn from the flux-weighted Maxwell
distribution of the wall temperature, p(v) ~ v exp(-m v^2 / 2kT)) or the piston at
x = L(t) (elastic in the piston frame: v' = 2u - v, work m(v'^2 - v^2)/2). The piston
moves at constant speed u from L0 to L1 over t_move, then rests until t_end.
Noise: the same per-particle counter-based stream as the Langevin kernels.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from neqlab.models.langevin._kernels import INIT_SALT, mix64, next_double, next_normal


@njit(cache=True, nogil=True)
def _piston_one(i, keys, scal, max_events, out):
    """Particle i of :func:`piston_run`; returns 1 if it used up ``max_events``."""
    L0, L1, t_move, t_end, kT, mass = scal[0], scal[1], scal[2], scal[3], scal[4], scal[5]
    u_move = (L1 - L0) / t_move
    sig = math.sqrt(kT / mass)
    bad = 0
    s = mix64(keys[i] ^ INIT_SALT)
    s, r = next_double(s)
    x = L0 * r
    s, z = next_normal(s)
    v = sig * z
    out[i, 5] = v
    s = keys[i]
    t = 0.0
    w = 0.0
    q = 0.0
    ev = 0
    while t < t_end and ev < max_events:
        if t < t_move:
            u = u_move
            seg_end = t_move
            pis = L0 + u_move * t
        else:
            u = 0.0
            seg_end = t_end
            pis = L1
        t_hit = math.inf
        kind = 0
        if v < 0.0:
            t_hit = x / (-v)
            kind = 1
        if v > u:
            tp = (pis - x) / (v - u)
            if tp < t_hit:
                t_hit = tp
                kind = 2
        if t + t_hit >= seg_end:
            x += v * (seg_end - t)
            t = seg_end
            if t < t_move:
                pis = L0 + u_move * t
            elif t == t_move:
                pis = L1
            x = min(max(x, 0.0), pis)
            continue
        t += t_hit
        ev += 1
        if kind == 1:
            x = 0.0
            s, r = next_double(s)
            vn = sig * math.sqrt(-2.0 * math.log1p(-r))
            q += 0.5 * mass * (v * v - vn * vn)
            v = vn
        else:
            x = L0 + u_move * t if t < t_move else L1
            vn = 2.0 * u - v
            w += 0.5 * mass * (vn * vn - v * v)
            v = vn
    if ev >= max_events:
        bad = 1
    out[i, 0] = w
    out[i, 1] = q
    out[i, 2] = x
    out[i, 3] = v
    out[i, 4] = ev
    return bad


@njit(cache=True, nogil=True, parallel=True)
def piston_run(keys, scal, max_events, out):
    """Run every particle from equilibrium at L0 to t_end; out: (M, 6) =
    (work, heat, x_end, v_end, n_events, v_start). scal = (L0, L1, t_move, t_end, kT, mass).
    Returns the number of particles that hit ``max_events`` (0 on success).
    """
    bad = 0
    for i in prange(keys.size):
        bad += _piston_one(i, keys, scal, max_events, out)
    return bad


@njit(cache=True, nogil=True)
def piston_run_serial(keys, scal, max_events, out):
    """:func:`piston_run` on the calling thread."""
    bad = 0
    for i in range(keys.size):
        bad += _piston_one(i, keys, scal, max_events, out)
    return bad
