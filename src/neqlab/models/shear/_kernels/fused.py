"""The splitting step of :mod:`.step` with its momentum sub-steps fused (the production run loop).

Within one step, B_F(h/2) B_gamma(h/2) [end] and B_gamma(h/2) B_F(h/2) [next start] act
at fixed positions and forces, so together they are one linear map per particle,

    p <- A L(p) + B L(F) + C F,    L(v) = (v_x - sigma v_y, v_y, v_z),

whose scalars (the thermostat's rescalings, Zhang's u) follow exactly from ten sums over
(p, F) taken once after the force pass. A step is then: the map fused with the drift,
the forces, the sums: three passes over the particles instead of about eleven. The
momenta at the step boundary are never stored, except at the end of the run; the
observables there (P_xy, alpha, Lambda, K) come from the same sums. Mathematically the
same map as :func:`.step.run_one` (tested equal to round-off).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from neqlab.models.shear._kernels.pairs import (NONFINITE, OK, P_DT, P_GAMMA, P_LX, P_LY, P_LZ, P_VOL, forces_2d,
                                                forces_3d)
from neqlab.models.shear._kernels.step import (ISOENERGETIC, ISOKINETIC, LIST, S_REBUILDS, S_STEPS, coshc,
                                               list_is_stale, make_list_2d, make_list_3d, sinhc, wrap_offset)


@njit(cache=True, nogil=True, inline="always")
def _sums(p, f, dim):
    """(k2, g, f2, spp, syy, pxfy, pyfx, fxfy, fyfy, pyfy) over the particles."""
    k2 = g = f2 = spp = syy = pxfy = pyfx = fxfy = fyfy = pyfy = 0.0
    for i in range(p.shape[0]):
        px, py, fx, fy = p[i, 0], p[i, 1], f[i, 0], f[i, 1]
        k2 += px * px + py * py
        g += fx * px + fy * py
        f2 += fx * fx + fy * fy
        spp += px * py
        syy += py * py
        pxfy += px * fy
        pyfx += py * fx
        fxfy += fx * fy
        fyfy += fy * fy
        pyfy += py * fy
        if dim == 3:
            pz, fz = p[i, 2], f[i, 2]
            k2 += pz * pz
            g += fz * pz
            f2 += fz * fz
    return k2, g, f2, spp, syy, pxfy, pyfx, fxfy, fyfy, pyfy


@njit(cache=True, nogil=True)
def _force_kick(tau, thermo, c2, g, f2):
    """B_F(tau) as p' = r (p + u F) for |p|^2 = c2, F.p = g, |F|^2 = f2: (r, u)."""
    if thermo != ISOKINETIC:
        return 1.0, tau
    phi = tau * math.sqrt(f2 / c2)
    u = tau * sinhc(phi) + g * tau * tau / c2 * coshc(phi)
    return math.sqrt(c2 / (c2 + 2.0 * u * g + u * u * f2)), u


@njit(cache=True, nogil=True)
def _shear_kick(gt, thermo, k2, spp, syy, wxy):
    """B_gamma as p' = s L(p) (sigma = gt) for sums k2, spp, syy: (s, |L p|^2)."""
    kt2 = k2 - 2.0 * gt * spp + gt * gt * syy
    if thermo == ISOKINETIC:
        return math.sqrt(k2 / kt2), kt2
    if thermo == ISOENERGETIC:
        return math.sqrt((k2 + 2.0 * gt * wxy) / kt2), kt2
    return 1.0, kt2


@njit(cache=True, nogil=True)
def _observe(k2, fp, spp, wxy, gamma, thermo, vol, n, dim, out):
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


@njit(cache=True, nogil=True, inline="always")
def _map_drift(x, p, f, a, b, c, sig, h, gamma, off, lx, ly, lz, disp, dim):
    """p <- a L(p) + b L(F) + c F, then the drift A(h) (see :func:`.step.drift`)."""
    hh = 0.5 * gamma * h * h
    dmax = 0.0
    for i in range(x.shape[0]):
        fx, fy = f[i, 0], f[i, 1]
        px = a * (p[i, 0] - sig * p[i, 1]) + b * (fx - sig * fy) + c * fx
        py = a * p[i, 1] + (b + c) * fy
        p[i, 0] = px
        p[i, 1] = py
        y = x[i, 1]
        xi = x[i, 0] + (px + gamma * y) * h + hh * py
        y = y + py * h
        if y >= ly:
            y -= ly
            xi -= off
        elif y < 0.0:
            y += ly
            xi += off
        if xi >= lx or xi < 0.0:
            xi -= lx * math.floor(xi / lx)
            if xi >= lx:
                xi -= lx
        x[i, 0] = xi
        x[i, 1] = y
        d0 = disp[i, 0] + px * h
        d1 = disp[i, 1] + py * h
        disp[i, 0] = d0
        disp[i, 1] = d1
        d2 = d0 * d0 + d1 * d1
        if dim == 3:
            pz = a * p[i, 2] + (b + c) * f[i, 2]
            p[i, 2] = pz
            z = x[i, 2] + pz * h
            if z >= lz or z < 0.0:
                z -= lz * math.floor(z / lz)
                if z >= lz:
                    z -= lz
            x[i, 2] = z
            d3 = disp[i, 2] + pz * h
            disp[i, 2] = d3
            d2 += d3 * d3
        dmax = max(dmax, d2)
    return dmax


@njit(cache=True, nogil=True)
def run_one_2d(x, p, offa, prm, n_steps, every, thermo, mode, rec, stats):
    """Advance one 2D system ``n_steps`` (records every ``every`` steps); returns a status."""
    return _run(x, p, offa, prm, n_steps, every, thermo, mode, rec, stats, 2, forces_2d, make_list_2d)


@njit(cache=True, nogil=True)
def run_one_3d(x, p, offa, prm, n_steps, every, thermo, mode, rec, stats):
    """Advance one 3D system ``n_steps`` (records every ``every`` steps); returns a status."""
    return _run(x, p, offa, prm, n_steps, every, thermo, mode, rec, stats, 3, forces_3d, make_list_3d)


@njit(cache=True, nogil=True, inline="always")
def _run(x, p, offa, prm, n_steps, every, thermo, mode, rec, stats, dim, forces, make_list):
    # dim a literal; forces, make_list the kernels of that dimension (forces_2d, make_list_2d...)
    n = x.shape[0]
    h = prm[P_DT]
    gamma = prm[P_GAMMA]
    lx, ly, lz, vol = prm[P_LX], prm[P_LY], prm[P_LZ], prm[P_VOL]
    gt = 0.5 * h * gamma
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
    # sums of the momenta at the step boundary and the forces (start of the run)
    k2e, fpe, f2, sppe, syye, _, fxpye, _, _, _ = _sums(p, f, dim)
    _observe(k2e, fpe, sppe, wxy, gamma, thermo, vol, n, dim, prev)
    # the map of the first start: B_gamma(h/2) then B_F(h/2)
    s0, kt0 = _shear_kick(gt, thermo, k2e, sppe, syye, wxy)
    r0, u0 = _force_kick(0.5 * h, thermo, s0 * s0 * kt0, s0 * (fpe - gt * fxpye), f2)
    a, b, c, sig = r0 * s0, 0.0, r0 * u0, gt
    s1 = r1 = u1 = 1.0
    dmax2 = 0.0
    t_since = 0.0
    k_in = 0
    r = 0
    for _ in range(n_steps):
        off = wrap_offset(off + gamma * ly * h, lx)
        dmax2 = max(dmax2, _map_drift(x, p, f, a, b, c, sig, h, gamma, off, lx, ly, lz, disp, dim))
        t_since += h
        if mode == LIST and list_is_stale(dmax2, t_since, gamma, prm):
            n_pairs, pi, pj = make_list(x, off, prm, mode, pi, pj)
            disp[:] = 0.0
            dmax2 = 0.0
            t_since = 0.0
            stats[S_REBUILDS] += 1
        st = forces(x, off, prm, pi, pj, n_pairs, f, acc)
        wxy = acc[1]
        k2, g, f2, spp, syy, pxfy, pyfx, fxfy, fyfy, pyfy = _sums(p, f, dim)
        # end of the step: B_F(h/2) then B_gamma(h/2), as sums
        r1, u1 = _force_kick(0.5 * h, thermo, k2, g, f2)
        rr = r1 * r1
        k21 = rr * (k2 + 2.0 * u1 * g + u1 * u1 * f2)
        spp1 = rr * (spp + u1 * (pxfy + pyfx) + u1 * u1 * fxfy)
        syy1 = rr * (syy + 2.0 * u1 * pyfy + u1 * u1 * fyfy)
        fp1 = r1 * (g + u1 * f2)
        fxpy1 = r1 * (pyfx + u1 * fxfy)
        s1, kt1 = _shear_kick(gt, thermo, k21, spp1, syy1, wxy)
        k2e = s1 * s1 * kt1
        sppe = s1 * s1 * (spp1 - gt * syy1)
        syye = s1 * s1 * syy1
        fpe = s1 * (fp1 - gt * fxpy1)
        fxpye = s1 * fxpy1
        _observe(k2e, fpe, sppe, wxy, gamma, thermo, vol, n, dim, cur)
        stats[S_STEPS] += 1
        if not (math.isfinite(k2e) and math.isfinite(cur[2]) and math.isfinite(wxy)):
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
            rec[r, 5] = 0.5 * k2e
            r += 1
            k_in = 0
        # the next start: B_gamma(h/2) then B_F(h/2); composed with the end above
        s2, kt2 = _shear_kick(gt, thermo, k2e, sppe, syye, wxy)
        r2, u2 = _force_kick(0.5 * h, thermo, s2 * s2 * kt2, s2 * (fpe - gt * fxpye), f2)
        a = r2 * s2 * s1 * r1
        b = a * u1
        c = r2 * u2
        sig = 2.0 * gt
    if n_steps > 0:  # store the momenta of the step boundary: s1 L(r1 (p + u1 F))
        a = s1 * r1
        for i in range(n):
            fx, fy = f[i, 0], f[i, 1]
            p[i, 0] = a * (p[i, 0] - gt * p[i, 1]) + a * u1 * (fx - gt * fy)
            p[i, 1] = a * (p[i, 1] + u1 * fy)
            if dim == 3:
                p[i, 2] = a * (p[i, 2] + u1 * f[i, 2])
    offa[0] = off
    return OK


@njit(cache=True, nogil=True, parallel=True)
def run_batch_2d(x, p, off, prm, ints, rec, status, stats):
    """Advance every system of a 2D batch (prange over systems; each system's arithmetic
    is the same whatever the thread count). ints = (n_steps, every, thermostat, mode)."""
    m = x.shape[0]
    for s in prange(m):
        status[s] = run_one_2d(x[s], p[s], off[s:s + 1], prm, ints[0], ints[1], ints[2], ints[3], rec[s], stats[s])
    return 0


@njit(cache=True, nogil=True, parallel=True)
def run_batch_3d(x, p, off, prm, ints, rec, status, stats):
    """:func:`run_batch_2d` for a 3D batch (one kernel per dimension: a run compiles only
    the loop of its own dimension)."""
    m = x.shape[0]
    for s in prange(m):
        status[s] = run_one_3d(x[s], p[s], off[s:s + 1], prm, ints[0], ints[1], ints[2], ints[3], rec[s], stats[s])
    return 0


@njit(cache=True, nogil=True)
def run_serial_2d(x, p, off, prm, ints, rec, status, stats):
    """:func:`run_batch_2d` on the calling thread (a plain loop: no parallel region to
    compile, for callers that run one thread, as the experiments' work items do)."""
    for s in range(x.shape[0]):  # the loop of run_one_2d inlined: one layer less to compile
        status[s] = _run(x[s], p[s], off[s:s + 1], prm, ints[0], ints[1], ints[2], ints[3], rec[s], stats[s], 2,
                         forces_2d, make_list_2d)
    return 0


@njit(cache=True, nogil=True)
def run_serial_3d(x, p, off, prm, ints, rec, status, stats):
    """:func:`run_batch_3d` on the calling thread."""
    for s in range(x.shape[0]):
        status[s] = _run(x[s], p[s], off[s:s + 1], prm, ints[0], ints[1], ints[2], ints[3], rec[s], stats[s], 3,
                         forces_3d, make_list_3d)
    return 0


# (dim, parallel) -> kernel; every system's arithmetic is the same in all four
RUN_BATCH = {(2, True): run_batch_2d, (3, True): run_batch_3d, (2, False): run_serial_2d, (3, False): run_serial_3d}
