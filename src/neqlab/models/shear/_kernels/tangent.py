"""Tangent dynamics: the exact derivative of the SLLOD step map, for many vectors at once.

Tangent vectors are stored as T[0] = dq, T[1] = dp, each (N, dim, m) with the m vectors
innermost (contiguous), so T.reshape(2 N dim, m) is the matrix the QR step orthonormalises.
Each sub-flow of :mod:`.step` is differentiated exactly: the shear kick with its
rescaling factor s(p, W(q)), Zhang's isokinetic kick through u(g, f^2, c^2) and the
force's Hessian, the streaming drift (the Lees-Edwards shifts are constants and drop out).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from neqlab.models.shear._kernels.pairs import (N_PAIR, NONFINITE, OK, P_DT, P_GAMMA, P_LX, P_LY, P_VOL,
                                                forces_pairs_2d, forces_pairs_3d)
from neqlab.models.shear._kernels.step import (ISOENERGETIC, ISOKINETIC, LIST, S_REBUILDS, S_STEPS, coshc,
                                               drift, kick_force, kick_shear, list_is_stale, make_list_2d,
                                               make_list_3d, observe, sinhc, wrap_offset)


@njit(cache=True, nogil=True)
def _sinhc_d(phi):
    """S'(phi) / phi with S = sinh(phi) / phi."""
    if phi < 0.1:
        p2 = phi * phi
        return 1.0 / 3.0 + p2 * (1.0 / 30.0 + p2 * (1.0 / 840.0 + p2 * (1.0 / 45360.0 + p2 / 3991680.0)))
    return (phi * math.cosh(phi) - math.sinh(phi)) / (phi * phi * phi)


@njit(cache=True, nogil=True)
def _coshc_d(phi):
    """C'(phi) / phi with C = (cosh(phi) - 1) / phi^2."""
    if phi < 0.1:
        p2 = phi * phi
        return 1.0 / 12.0 + p2 * (1.0 / 180.0 + p2 * (1.0 / 6720.0 + p2 * (1.0 / 453600.0 + p2 / 47900160.0)))
    return math.sinh(phi) / phi ** 3 - 2.0 * (math.cosh(phi) - 1.0) / phi ** 4


@njit(cache=True, nogil=True)
def tan_shear(pa, gt, thermo, wxy, s, dw, tp, red):
    """Derivative of kick_shear at the momenta ``pa`` (before the kick), applied to tp."""
    n, dim, m = tp.shape
    a = red[0]
    b = red[1]
    a[:] = 0.0
    b[:] = 0.0
    k2 = 0.0
    kt2 = 0.0
    for i in range(n):
        px, py = pa[i, 0], pa[i, 1]
        ptx = px - gt * py
        k2 += px * px + py * py
        kt2 += ptx * ptx + py * py
        for k in range(m):
            dpx = tp[i, 0, k]
            dpy = tp[i, 1, k]
            dptx = dpx - gt * dpy
            a[k] += px * dpx + py * dpy
            b[k] += ptx * dptx + py * dpy
            tp[i, 0, k] = dptx
        if dim == 3:
            pz = pa[i, 2]
            k2 += pz * pz
            kt2 += pz * pz
            for k in range(m):
                q = pz * tp[i, 2, k]
                a[k] += q
                b[k] += q
    if thermo == ISOKINETIC:
        for k in range(m):
            a[k] = s * (a[k] / k2 - b[k] / kt2)  # ds
    elif thermo == ISOENERGETIC:
        kt = k2 + 2.0 * gt * wxy
        for k in range(m):
            a[k] = s * ((a[k] + gt * dw[k]) / kt - b[k] / kt2)
    else:
        for k in range(m):
            a[k] = 0.0
    for i in range(n):
        ptx = pa[i, 0] - gt * pa[i, 1]
        for k in range(m):
            tp[i, 0, k] = s * tp[i, 0, k] + ptx * a[k]
            tp[i, 1, k] = s * tp[i, 1, k] + pa[i, 1] * a[k]
        if dim == 3:
            for k in range(m):
                tp[i, 2, k] = s * tp[i, 2, k] + pa[i, 2] * a[k]


@njit(cache=True, nogil=True)
def tan_force(pa, f, tau, thermo, tp, df, red):
    """Derivative of kick_force at momenta ``pa`` (before the kick) and forces f, applied
    to tp; df holds dF = -Hessian . dq for each vector."""
    n, dim, m = tp.shape
    if thermo != ISOKINETIC:
        for i in range(n):
            for d in range(dim):
                for k in range(m):
                    tp[i, d, k] += tau * df[i, d, k]
        return
    g = 0.0
    f2 = 0.0
    c2 = 0.0
    for i in range(n):
        for d in range(dim):
            g += f[i, d] * pa[i, d]
            f2 += f[i, d] * f[i, d]
            c2 += pa[i, d] * pa[i, d]
    phi = tau * math.sqrt(f2 / c2)
    cc = coshc(phi)
    u = tau * sinhc(phi) + g * tau * tau / c2 * cc
    e = tau * _sinhc_d(phi) + g * tau * tau / c2 * _coshc_d(phi)
    ug = tau * tau * cc / c2
    uf2 = e * tau * tau / (2.0 * c2)
    uc2 = -e * phi * phi / (2.0 * c2) - g * tau * tau * cc / (c2 * c2)
    v2 = 0.0
    for i in range(n):
        for d in range(dim):
            v = pa[i, d] + u * f[i, d]
            v2 += v * v
    r = math.sqrt(c2 / v2)
    dg = red[0]
    df2 = red[1]
    dc2 = red[2]
    dv2 = red[3]
    dg[:] = 0.0
    df2[:] = 0.0
    dc2[:] = 0.0
    dv2[:] = 0.0
    for i in range(n):
        for d in range(dim):
            fi, pi_ = f[i, d], pa[i, d]
            for k in range(m):
                dg[k] += fi * tp[i, d, k] + pi_ * df[i, d, k]
                df2[k] += 2.0 * fi * df[i, d, k]
                dc2[k] += 2.0 * pi_ * tp[i, d, k]
    for k in range(m):
        dg[k] = ug * dg[k] + uf2 * df2[k] + uc2 * dc2[k]  # du
    for i in range(n):
        for d in range(dim):
            fi = f[i, d]
            v = pa[i, d] + u * fi
            for k in range(m):
                dv = tp[i, d, k] + dg[k] * fi + u * df[i, d, k]
                tp[i, d, k] = dv
                dv2[k] += 2.0 * v * dv
    for k in range(m):
        dv2[k] = 0.5 * r * (dc2[k] / c2 - dv2[k] / v2)  # dr
    for i in range(n):
        for d in range(dim):
            v = pa[i, d] + u * f[i, d]
            for k in range(m):
                tp[i, d, k] = r * tp[i, d, k] + v * dv2[k]


@njit(cache=True, nogil=True)
def tan_drift(tq, tp, h, gamma):
    n, dim, m = tq.shape
    hh = 0.5 * gamma * h * h
    for i in range(n):
        for k in range(m):
            tq[i, 0, k] += (tp[i, 0, k] + gamma * tq[i, 1, k]) * h + hh * tp[i, 1, k]
            tq[i, 1, k] += tp[i, 1, k] * h
        if dim == 3:
            for k in range(m):
                tq[i, 2, k] += tp[i, 2, k] * h


@njit(cache=True, nogil=True)
def hessian_apply(tq, qi, qj, prec, cnt, df, dw):
    """df = dF (the force's derivative along each dq), dw = dW_xy, from the interacting pairs."""
    n, dim, m = tq.shape
    df[:] = 0.0
    dw[:] = 0.0
    for c in range(cnt):
        i, j = qi[c], qj[c]
        dx, dy, dz, ff, dff = prec[c, 0], prec[c, 1], prec[c, 2], prec[c, 3], prec[c, 4]
        for k in range(m):
            rx = tq[i, 0, k] - tq[j, 0, k]
            ry = tq[i, 1, k] - tq[j, 1, k]
            rdr = dx * rx + dy * ry
            if dim == 3:
                rz = tq[i, 2, k] - tq[j, 2, k]
                rdr += dz * rz
            cf = 2.0 * dff * rdr
            gx = ff * rx + cf * dx
            gy = ff * ry + cf * dy
            df[i, 0, k] += gx
            df[i, 1, k] += gy
            df[j, 0, k] -= gx
            df[j, 1, k] -= gy
            if dim == 3:
                gz = ff * rz + cf * dz
                df[i, 2, k] += gz
                df[j, 2, k] -= gz
            dw[k] += cf * dx * dy + ff * (rx * dy + dx * ry)


@njit(cache=True, nogil=True)
def _copy(dst, src):
    """dst[:] = src for (N, dim) arrays, as a loop (a slice assignment compiles numba's
    shape-mismatch error path with its string formatting: seconds of compile time)."""
    for i in range(src.shape[0]):
        for k in range(src.shape[1]):
            dst[i, k] = src[i, k]


@njit(cache=True, nogil=True)
def tangent_one_2d(x, p, offa, prm, n_steps, thermo, mode, t, integ, stats):
    """Advance one 2D system and its tangent vectors t (2, N, 2, m) by ``n_steps``."""
    return _tangent(x, p, offa, prm, n_steps, thermo, mode, t, integ, stats, 2, forces_pairs_2d, make_list_2d)


@njit(cache=True, nogil=True)
def tangent_one_3d(x, p, offa, prm, n_steps, thermo, mode, t, integ, stats):
    """Advance one 3D system and its tangent vectors t (2, N, 3, m) by ``n_steps``."""
    return _tangent(x, p, offa, prm, n_steps, thermo, mode, t, integ, stats, 3, forces_pairs_3d, make_list_3d)


@njit(cache=True, nogil=True, inline="always")
def _tangent(x, p, offa, prm, n_steps, thermo, mode, t, integ, stats, dim, forces_pairs, make_list):
    """Advance one system and its tangent vectors t (2, N, dim, m) by ``n_steps``.

    integ += time integrals [.. x time] of (P_xy, P_xy kinetic, alpha, Lambda) over the
    steps (trapezoid rule, as the records of :func:`.step.run_one`). Returns a status.
    ``dim`` is a literal (one compiled loop per dimension).
    """
    n = x.shape[0]
    m = t.shape[3]
    tq = t[0]
    tp = t[1]
    h = prm[P_DT]
    gamma = prm[P_GAMMA]
    lx, ly, vol = prm[P_LX], prm[P_LY], prm[P_VOL]
    f = np.empty_like(x)
    pa = np.empty_like(p)
    disp = np.zeros_like(x)
    acc = np.zeros(3)
    df = np.zeros((n, dim, m))
    dw = np.zeros(m)
    red = np.zeros((4, m))
    cap = max(64, 8 * n)
    pi = np.empty(cap, np.int32)
    pj = np.empty(cap, np.int32)
    off = offa[0]
    n_pairs, pi, pj = make_list(x, off, prm, mode, pi, pj)
    qi = np.empty(max(1, n_pairs), np.int32)
    qj = np.empty(max(1, n_pairs), np.int32)
    prec = np.empty((max(1, n_pairs), N_PAIR))
    st, cnt = forces_pairs(x, off, prm, pi, pj, n_pairs, f, acc, qi, qj, prec)
    if st != OK:
        return st
    wxy = acc[1]
    hessian_apply(tq, qi, qj, prec, cnt, df, dw)
    prev = np.zeros(4)
    cur = np.zeros(4)
    observe(p, f, wxy, gamma, thermo, vol, prev)
    dmax2 = 0.0
    t_since = 0.0
    for _ in range(n_steps):
        if gamma != 0.0:
            _copy(pa, p)
            s = kick_shear(p, 0.5 * h * gamma, thermo, wxy)
            tan_shear(pa, 0.5 * h * gamma, thermo, wxy, s, dw, tp, red)
        _copy(pa, p)
        kick_force(p, f, 0.5 * h, thermo)
        tan_force(pa, f, 0.5 * h, thermo, tp, df, red)
        off = wrap_offset(off + gamma * ly * h, lx)
        dmax2 = max(dmax2, drift(x, p, h, gamma, off, prm, disp))
        tan_drift(tq, tp, h, gamma)
        t_since += h
        if mode == LIST and list_is_stale(dmax2, t_since, gamma, prm):
            n_pairs, pi, pj = make_list(x, off, prm, mode, pi, pj)
            if qi.shape[0] < n_pairs:
                qi = np.empty(n_pairs, np.int32)
                qj = np.empty(n_pairs, np.int32)
                prec = np.empty((n_pairs, N_PAIR))
            disp[:] = 0.0
            dmax2 = 0.0
            t_since = 0.0
            stats[S_REBUILDS] += 1
        st, cnt = forces_pairs(x, off, prm, pi, pj, n_pairs, f, acc, qi, qj, prec)
        wxy = acc[1]
        hessian_apply(tq, qi, qj, prec, cnt, df, dw)
        _copy(pa, p)
        kick_force(p, f, 0.5 * h, thermo)
        tan_force(pa, f, 0.5 * h, thermo, tp, df, red)
        if gamma != 0.0:
            _copy(pa, p)
            s = kick_shear(p, 0.5 * h * gamma, thermo, wxy)
            tan_shear(pa, 0.5 * h * gamma, thermo, wxy, s, dw, tp, red)
        k2 = observe(p, f, wxy, gamma, thermo, vol, cur)
        stats[S_STEPS] += 1
        if not (math.isfinite(k2) and math.isfinite(cur[2]) and math.isfinite(wxy)):
            offa[0] = off
            return NONFINITE
        if st != OK:
            offa[0] = off
            return st
        for k in range(4):
            integ[k] += 0.5 * h * (prev[k] + cur[k])
            prev[k] = cur[k]
    offa[0] = off
    return OK


@njit(cache=True, nogil=True, parallel=True)
def tangent_batch_2d(x, p, off, prm, ints, t, integ, status, stats):
    """tangent_one_2d for every system (prange over systems). ints = (n_steps, thermostat, mode)."""
    ms = x.shape[0]
    for s in prange(ms):
        status[s] = tangent_one_2d(x[s], p[s], off[s:s + 1], prm, ints[0], ints[1], ints[2], t[s], integ[s],
                                   stats[s])
    return 0


@njit(cache=True, nogil=True, parallel=True)
def tangent_batch_3d(x, p, off, prm, ints, t, integ, status, stats):
    """tangent_one_3d for every system (prange over systems). ints = (n_steps, thermostat, mode)."""
    ms = x.shape[0]
    for s in prange(ms):
        status[s] = tangent_one_3d(x[s], p[s], off[s:s + 1], prm, ints[0], ints[1], ints[2], t[s], integ[s],
                                   stats[s])
    return 0


@njit(cache=True, nogil=True)
def tangent_serial_2d(x, p, off, prm, ints, t, integ, status, stats):
    """:func:`tangent_batch_2d` on the calling thread (a plain loop: no parallel region to
    compile, ~8 s of compile time measured, for callers that run one thread)."""
    for s in range(x.shape[0]):  # the loop of tangent_one_2d inlined: one layer less to compile
        status[s] = _tangent(x[s], p[s], off[s:s + 1], prm, ints[0], ints[1], ints[2], t[s], integ[s], stats[s], 2,
                             forces_pairs_2d, make_list_2d)
    return 0


@njit(cache=True, nogil=True)
def tangent_serial_3d(x, p, off, prm, ints, t, integ, status, stats):
    """:func:`tangent_batch_3d` on the calling thread."""
    for s in range(x.shape[0]):
        status[s] = _tangent(x[s], p[s], off[s:s + 1], prm, ints[0], ints[1], ints[2], t[s], integ[s], stats[s], 3,
                             forces_pairs_3d, make_list_3d)
    return 0


# (dim, parallel) -> kernel; every system's arithmetic is the same in all four
TANGENT_BATCH = {(2, True): tangent_batch_2d, (3, True): tangent_batch_3d,
                 (2, False): tangent_serial_2d, (3, False): tangent_serial_3d}
