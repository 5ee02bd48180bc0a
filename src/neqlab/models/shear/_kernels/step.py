"""The SLLOD step (operator splitting) and the batched run loop over independent systems.

One step of length h is the symmetric composition

    B_gamma(h/2) B_F(h/2) A(h) [forces] B_F(h/2) B_gamma(h/2)

of exactly solved sub-flows of the SLLOD field (see ``neqlab.models.shear.dynamics``):

- A: dq/dt = p + gamma y e_x at fixed p (streaming drift; Lees-Edwards offset += gamma L_y h);
- B_F: dp/dt = F - alpha_F p at fixed q; isokinetic: alpha_F = F.p / p.p (Zhang 1997:
  p(t) = c (p + u F) / |p + u F|), otherwise alpha_F = 0 (plain kick);
- B_gamma: dp/dt = -gamma p_y e_x - alpha_g p at fixed q: the sheared momenta
  p~ = (p_x - gamma t p_y, p_y, p_z) rescaled to the kinetic energy the thermostat
  prescribes: unchanged (isokinetic), K + gamma W_xy t (isoenergetic), or no rescaling.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from neqlab.models.shear._kernels.pairs import (NONFINITE, OK, P_DT, P_GAMMA, P_LX, P_LY, P_LZ, P_RC, P_SKIN,
                                                P_VOL, _build_pairs, _forces, all_pairs, forces)

NONE, ISOKINETIC, ISOENERGETIC = 0, 1, 2
LIST, ALL_PAIRS = 0, 1
# record fields: interval means (trapezoid) of P_xy, its kinetic part, alpha, Lambda;
# then potential and kinetic energy at the end of the interval
R_PXY, R_PXY_KIN, R_ALPHA, R_LAMBDA, R_EPOT, R_KIN = range(6)
N_REC = 6
# per-system counters
S_REBUILDS, S_STEPS = range(2)


@njit(cache=True, nogil=True, inline="always")
def sinhc(phi):
    """sinh(phi) / phi, accurate near 0."""
    if phi < 0.1:
        p2 = phi * phi
        return 1.0 + p2 * (1.0 / 6.0 + p2 * (1.0 / 120.0 + p2 * (1.0 / 5040.0 + p2 / 362880.0)))
    return math.sinh(phi) / phi


@njit(cache=True, nogil=True, inline="always")
def coshc(phi):
    """(cosh(phi) - 1) / phi^2, accurate near 0."""
    if phi < 0.1:
        p2 = phi * phi
        return 0.5 + p2 * (1.0 / 24.0 + p2 * (1.0 / 720.0 + p2 * (1.0 / 40320.0 + p2 / 3628800.0)))
    s = math.sinh(0.5 * phi) / phi
    return 2.0 * s * s


@njit(cache=True, nogil=True)
def kick_shear(p, gt, thermo, wxy):
    """B_gamma for a time t with gt = gamma t; returns the scale factor s."""
    n, dim = p.shape
    k2 = 0.0
    kt2 = 0.0
    for i in range(n):
        px = p[i, 0] - gt * p[i, 1]
        k2 += p[i, 0] * p[i, 0]
        p[i, 0] = px
        kt2 += px * px
        for k in range(1, dim):
            q = p[i, k] * p[i, k]
            k2 += q
            kt2 += q
    if thermo == ISOKINETIC:
        s = math.sqrt(k2 / kt2)
    elif thermo == ISOENERGETIC:
        s = math.sqrt((k2 + 2.0 * gt * wxy) / kt2)
    else:
        return 1.0
    for i in range(n):
        for k in range(dim):
            p[i, k] *= s
    return s


@njit(cache=True, nogil=True)
def kick_force(p, f, tau, thermo):
    """B_F for a time tau; isokinetic: Zhang's exact solution; returns u (0 otherwise)."""
    n, dim = p.shape
    if thermo != ISOKINETIC:
        for i in range(n):
            for k in range(dim):
                p[i, k] += tau * f[i, k]
        return 0.0
    g = 0.0
    f2 = 0.0
    c2 = 0.0
    for i in range(n):
        for k in range(dim):
            g += f[i, k] * p[i, k]
            f2 += f[i, k] * f[i, k]
            c2 += p[i, k] * p[i, k]
    phi = tau * math.sqrt(f2 / c2)
    u = tau * sinhc(phi) + g * tau * tau / c2 * coshc(phi)
    v2 = 0.0
    for i in range(n):
        for k in range(dim):
            v = p[i, k] + u * f[i, k]
            p[i, k] = v
            v2 += v * v
    r = math.sqrt(c2 / v2)
    for i in range(n):
        for k in range(dim):
            p[i, k] *= r
    return u


@njit(cache=True, nogil=True)
def drift(x, p, h, gamma, off, prm, disp):
    """A(h) with the Lees-Edwards offset ``off`` of the end of the drift; disp += p h.

    Returns max_i |disp_i|^2 (the peculiar displacement since the last list build).
    """
    n, dim = x.shape
    lx, ly = prm[P_LX], prm[P_LY]
    hh = 0.5 * gamma * h * h
    dmax = 0.0
    for i in range(n):
        y = x[i, 1]
        xi = x[i, 0] + (p[i, 0] + gamma * y) * h + hh * p[i, 1]
        y = y + p[i, 1] * h
        if y >= ly:
            y -= ly
            xi -= off
        elif y < 0.0:
            y += ly
            xi += off
        if xi >= lx or xi < 0.0:
            xi -= lx * math.floor(xi / lx)
            if xi >= lx:  # round-off of a tiny negative number
                xi -= lx
        x[i, 0] = xi
        x[i, 1] = y
        d2 = 0.0
        for k in range(dim):
            if k == 2:
                z = x[i, 2] + p[i, 2] * h
                lz = prm[P_LZ]
                if z >= lz or z < 0.0:
                    z -= lz * math.floor(z / lz)
                    if z >= lz:
                        z -= lz
                x[i, 2] = z
            disp[i, k] += p[i, k] * h
            d2 += disp[i, k] * disp[i, k]
        dmax = max(dmax, d2)
    return dmax


@njit(cache=True, nogil=True, inline="always")
def wrap_offset(off, lx):
    off -= lx * math.floor(off / lx)
    if off >= lx:
        off -= lx
    return off


@njit(cache=True, nogil=True)
def observe(p, f, wxy, gamma, thermo, vol, out):
    """out = (P_xy, P_xy kinetic, alpha, Lambda) at the state; returns 2K.

    P_xy V = sum_i p_x p_y + sum_pairs x_ij F_y,ij. alpha: the Gaussian multiplier of
    the continuous equations; Lambda: the phase-space compression factor on the
    constraint surface (see ``neqlab.models.shear.dynamics``).
    """
    n, dim = p.shape
    spp = 0.0
    k2 = 0.0
    fp = 0.0
    for i in range(n):
        spp += p[i, 0] * p[i, 1]
        for k in range(dim):
            k2 += p[i, k] * p[i, k]
            fp += f[i, k] * p[i, k]
    out[0] = (spp + wxy) / vol
    out[1] = spp / vol
    if thermo == ISOKINETIC:
        a = (fp - gamma * spp) / k2
        out[2] = a
        out[3] = -(n * dim - dim - 1) * a + gamma * spp / k2
    elif thermo == ISOENERGETIC:
        a = -gamma * (spp + wxy) / k2
        out[2] = a
        out[3] = -(n * dim - dim - 2) * a + 2.0 * gamma * spp / k2
    else:
        out[2] = 0.0
        out[3] = 0.0
    return k2


@njit(cache=True, nogil=True)
def _evaluate(x, p, off, prm, thermo, f, out, dim):
    """Per system s of the batch: f[s] = the forces over every pair i < j (overlaps are
    evaluated, not refused), out[s] = (potential energy, W_xy, then :func:`observe`'s
    P_xy, P_xy kinetic, alpha, Lambda) with the shear rate and volume of ``prm``."""
    n = x.shape[1]
    n_all = n * (n - 1) // 2
    pi = np.empty(max(1, n_all), np.int32)
    pj = np.empty(max(1, n_all), np.int32)
    all_pairs(n, pi, pj)
    acc = np.zeros(3)
    obs = np.zeros(4)
    for s in range(x.shape[0]):
        _forces(x[s], off[s], prm, pi, pj, n_all, f[s], acc, dim)
        observe(p[s], f[s], acc[1], prm[P_GAMMA], thermo, prm[P_VOL], obs)
        out[s, 0] = acc[0]
        out[s, 1] = acc[1]
        for k in range(4):
            out[s, 2 + k] = obs[k]
    return OK


@njit(cache=True, nogil=True)
def evaluate_2d(x, p, off, prm, thermo, f, out):
    """:func:`_evaluate` of a batch of 2D systems."""
    return _evaluate(x, p, off, prm, thermo, f, out, 2)


@njit(cache=True, nogil=True)
def evaluate_3d(x, p, off, prm, thermo, f, out):
    """:func:`_evaluate` of a batch of 3D systems."""
    return _evaluate(x, p, off, prm, thermo, f, out, 3)


@njit(cache=True, nogil=True)
def make_list(x, off, prm, mode, pi, pj):
    """(Re)build the pair list; returns (count, pi, pj), growing the arrays if needed."""
    if x.shape[1] == 2:
        return _make_list(x, off, prm, mode, pi, pj, 2)
    return _make_list(x, off, prm, mode, pi, pj, 3)


@njit(cache=True, nogil=True)
def _make_list(x, off, prm, mode, pi, pj, dim):
    """:func:`make_list` for a literal ``dim``: the run loops of one dimension inline it
    (and the scan of :func:`.pairs._build_pairs`), so they compile one dimension only."""
    n = x.shape[0]
    if mode == ALL_PAIRS:
        if pi.shape[0] < n * (n - 1) // 2:
            pi = np.empty(n * (n - 1) // 2, np.int32)
            pj = np.empty(n * (n - 1) // 2, np.int32)
        return all_pairs(n, pi, pj), pi, pj
    m = _build_pairs(x, off, prm, pi, pj, dim)
    while m < 0:
        pi = np.empty(2 * pi.shape[0], np.int32)
        pj = np.empty(2 * pj.shape[0], np.int32)
        m = _build_pairs(x, off, prm, pi, pj, dim)
    return m, pi, pj


@njit(cache=True, nogil=True)
def make_list_2d(x, off, prm, mode, pi, pj):
    """:func:`make_list` of a 2D system (the run loops of one dimension call it)."""
    return _make_list(x, off, prm, mode, pi, pj, 2)


@njit(cache=True, nogil=True)
def make_list_3d(x, off, prm, mode, pi, pj):
    """:func:`make_list` of a 3D system."""
    return _make_list(x, off, prm, mode, pi, pj, 3)


@njit(cache=True, nogil=True, inline="always")
def list_is_stale(dmax2, t_since, gamma, prm):
    """True when a pair outside r_list at the build may now be inside r_c.

    With D the largest peculiar displacement since the build (running maximum), a pair
    first reaching r_c at time t had |y_ij| <= r_c + 4D all along, so its separation
    changed by at most 2D + |gamma| t (r_c + 4D) (streaming included, Lees-Edwards
    images too). The list stays valid while that is below the skin.
    """
    d = math.sqrt(dmax2)
    return 2.0 * d + abs(gamma) * t_since * (prm[P_RC] + 4.0 * d) >= prm[P_SKIN]


@njit(cache=True, nogil=True)
def run_one(x, p, offa, prm, n_steps, every, thermo, mode, rec, stats):
    """Advance one system ``n_steps``; records every ``every`` steps. Returns a status."""
    n, dim = x.shape
    h = prm[P_DT]
    gamma = prm[P_GAMMA]
    lx, ly, vol = prm[P_LX], prm[P_LY], prm[P_VOL]
    f = np.empty_like(x)
    disp = np.zeros_like(x)
    acc = np.zeros(3)
    cap = max(64, 8 * n)
    pi = np.empty(cap, np.int32)
    pj = np.empty(cap, np.int32)
    off = offa[0]
    n_pairs, pi, pj = make_list(x, off, prm, mode, pi, pj)
    st = forces(x, off, prm, pi, pj, n_pairs, f, acc)
    if st != OK:
        return st
    wxy = acc[1]
    prev = np.zeros(4)
    cur = np.zeros(4)
    mean = np.zeros(4)
    observe(p, f, wxy, gamma, thermo, vol, prev)
    dmax2 = 0.0
    t_since = 0.0
    k_in = 0
    r = 0
    for _ in range(n_steps):
        if gamma != 0.0:
            kick_shear(p, 0.5 * h * gamma, thermo, wxy)
        kick_force(p, f, 0.5 * h, thermo)
        off = wrap_offset(off + gamma * ly * h, lx)
        dmax2 = max(dmax2, drift(x, p, h, gamma, off, prm, disp))
        t_since += h
        if mode == LIST and list_is_stale(dmax2, t_since, gamma, prm):
            n_pairs, pi, pj = make_list(x, off, prm, mode, pi, pj)
            disp[:] = 0.0
            dmax2 = 0.0
            t_since = 0.0
            stats[S_REBUILDS] += 1
        st = forces(x, off, prm, pi, pj, n_pairs, f, acc)
        wxy = acc[1]
        kick_force(p, f, 0.5 * h, thermo)
        if gamma != 0.0:
            kick_shear(p, 0.5 * h * gamma, thermo, wxy)
        k2 = observe(p, f, wxy, gamma, thermo, vol, cur)
        stats[S_STEPS] += 1
        if not (math.isfinite(k2) and math.isfinite(cur[2]) and math.isfinite(wxy)):
            offa[0] = off
            return NONFINITE
        if st != OK:
            offa[0] = off
            return st
        for k in range(4):
            mean[k] += 0.5 * (prev[k] + cur[k])
            prev[k] = cur[k]
        k_in += 1
        if every > 0 and k_in == every:
            for k in range(4):
                rec[r, k] = mean[k] / every
                mean[k] = 0.0
            rec[r, 4] = acc[0]
            rec[r, 5] = 0.5 * k2
            r += 1
            k_in = 0
    offa[0] = off
    return OK


@njit(cache=True, nogil=True, parallel=True)
def run_batch_reference(x, p, off, prm, ints, rec, status, stats):
    """:func:`run_one` (one sub-step at a time) for every system: the twin of the fused
    production loop :func:`.fused.run_batch`. ints = (n_steps, every, thermostat, mode)."""
    m = x.shape[0]
    for s in prange(m):
        status[s] = run_one(x[s], p[s], off[s:s + 1], prm, ints[0], ints[1], ints[2], ints[3],
                            rec[s], stats[s])
    return 0
