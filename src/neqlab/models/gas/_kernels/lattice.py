"""The bit-reversible integer leapfrog (Levesque & Verlet 1993) as phases of tasks.

Per step: drift (d += a in the unfolded frame, u += d, fold, displacement check),
a rebuild when needed (bin, gather, pair lists per slab, as for Verlet), then the
integer accelerations of the even slabs and of the odd slabs. Each pair term is
rounded to the lattice before it is added, and integer sums do not depend on their
order: any number of workers, any list order, gives the same bits as the serial
leapfrog, and forward and reversed runs see identical accelerations.

State: ``u`` unfolded lattice coordinates (periodic axes in [0, L), wall axes in
[0, 2 L), the mirror image of the box), ``d = u_n - u_{n-1}``, ``a`` the integer
acceleration (unfolded frame at the end of a run; the force phases accumulate it in
the box frame and the drift turns it with the fold sign ``sgn``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from neqlab.models.gas._kernels.cells import (ESCAPE, OK, OVERLAP, P_C24, P_C48, P_HSKIN2, P_ONE, P_R2MIN, P_RC2,
                                              P_RLIST2, _mi, bin_one)
from neqlab.models.gas._kernels.pairs import list_task
from neqlab.models.gas._kernels.sched import (C_CUR, C_NEED, C_NSLAB, C_NTASK, C_STEP, GROW, K_DONE, MAX_TASKS,
                                              claim, done, pace, pace_start, publish, stop, task_range)
from neqlab.models.gas._kernels.verlet import _sort

K_BIN, K_GATHER, K_LIST, K_FORCE_A, K_FORCE_B, K_DRIFT, K_FINAL = 1, 2, 3, 4, 5, 6, 7


@njit(cache=True, nogil=True)
def _fold(u, lbox, periodic, scale, p, sgn, xf):
    """Unfolded lattice coordinates (views) -> folded positions p, fold signs, floats."""
    n, dim = u.shape
    for i in range(n):
        for k in range(dim):
            ui = u[i, k]
            if periodic[k] or ui < lbox[k]:
                p[i, k] = ui
                sgn[i, k] = 1
            else:
                p[i, k] = 2 * lbox[k] - ui
                sgn[i, k] = -1
            xf[i, k] = p[i, k] * scale


@njit(cache=True, nogil=True)
def _lattice_pairs(p, a, lbox, periodic, prm, lat, pi, pj, lo, hi):
    """a += the rounded pair accelerations over pairs [lo, hi) (box frame, Newton's
    third law); returns OVERLAP for a pair closer than r_min or a term too large to
    round exactly, else OK."""
    dim = p.shape[1]
    scale, cacc = lat[0], lat[1]
    big = 2.0**52
    status = OK
    one = prm[P_ONE]
    c48 = prm[P_C48]
    c24 = prm[P_C24]
    rc2 = prm[P_RC2]
    r2min = prm[P_R2MIN]
    h0 = lbox[0] // 2
    h1 = lbox[1] // 2
    h2 = lbox[2] // 2 if dim == 3 else h0
    for q in range(lo, hi):
        i = pi[q]
        j = pj[q]
        dxi0 = _mi(p[i, 0] - p[j, 0], periodic[0], lbox[0], h0)
        dxi1 = _mi(p[i, 1] - p[j, 1], periodic[1], lbox[1], h1)
        dxi2 = _mi(p[i, 2] - p[j, 2], periodic[2], lbox[2], h2) if dim == 3 else 0
        dx = dxi0 * scale
        dy = dxi1 * scale
        dz = dxi2 * scale
        r2 = dx * dx + dy * dy + dz * dz
        if r2 < r2min:
            status = OVERLAP
        # branch-free cutoff (as in the float kernels): pairs beyond r_c get g = 0,
        # hence exactly 0 after rounding
        r2i = one / r2
        r6i = r2i * r2i * r2i
        ff = r6i * r2i * (c48 * r6i - c24)
        g = ff * cacc if r2 < rc2 else 0.0
        ax = g * dx
        ay = g * dy
        az = g * dz
        if not (abs(ax) < big and abs(ay) < big and abs(az) < big):
            status = OVERLAP
            continue
        iax = np.int64(np.rint(ax))
        iay = np.int64(np.rint(ay))
        a[i, 0] += iax
        a[j, 0] -= iax
        a[i, 1] += iay
        a[j, 1] -= iay
        if dim == 3:
            iaz = np.int64(np.rint(az))
            a[i, 2] += iaz
            a[j, 2] -= iaz
    return status


@njit(cache=True, nogil=True)
def _drift(u, d, a, p, sgn, xf, x0, lbox, periodic, box, scale):
    """Views: d += sgn a (then a = 0), u += d (wrapped), fold; returns (status, max
    squared displacement since the last list build)."""
    n, dim = u.shape
    maxd = 0.0
    for i in range(n):
        d2 = 0.0
        for k in range(dim):
            dk = d[i, k] + sgn[i, k] * a[i, k]
            a[i, k] = 0
            if not abs(dk) < lbox[k] // 4:
                return ESCAPE, maxd
            d[i, k] = dk
            ui = u[i, k] + dk
            period = lbox[k] if periodic[k] else 2 * lbox[k]
            if ui >= period:
                ui -= period
            elif ui < 0:
                ui += period
            u[i, k] = ui
            if periodic[k] or ui < lbox[k]:
                pk = ui
                sgn[i, k] = 1
            else:
                pk = 2 * lbox[k] - ui
                sgn[i, k] = -1
            p[i, k] = pk
            xf[i, k] = pk * scale
            dd = _mi(xf[i, k] - x0[i, k], periodic[k], box[k], 0.5 * box[k])
            d2 += dd * dd
        if d2 > maxd:
            maxd = d2
    return OK, maxd


@njit(cache=True, nogil=True)
def _drift_task(t, nt, u, d, a, p, sgn, xf, x0, lbox, periodic, box, scale, iscr, fscr):
    n = u.shape[0]
    lo, hi = task_range(n, t, nt)
    iscr[8 * t], fscr[t, 0] = _drift(u[lo:hi], d[lo:hi], a[lo:hi], p[lo:hi], sgn[lo:hi], xf[lo:hi], x0[lo:hi], lbox,
                                     periodic, box, scale)


@njit(cache=True, nogil=True)
def _bin_task(t, nt, u, d, ids, p, sgn, xf, lbox, periodic, box, ncell, scale, cell_of, ut, dt_, it):
    """Fold (a run's first phase: not yet done), wrap and bin the particles of uniform
    task t, copying them for the gather; returns the status."""
    n, dim = u.shape
    lo, hi = task_range(n, t, nt)
    _fold(u[lo:hi], lbox, periodic, scale, p[lo:hi], sgn[lo:hi], xf[lo:hi])
    xs, cs, us, ds, uts, dts, ids_s, its = xf[lo:hi], cell_of[lo:hi], u[lo:hi], d[lo:hi], ut[lo:hi], dt_[lo:hi], \
        ids[lo:hi], it[lo:hi]
    status = OK
    for i in range(hi - lo):
        s_i = bin_one(xs, i, box, periodic, ncell, cs)
        if s_i != OK:
            status = s_i
        for k in range(dim):
            uts[i, k] = us[i, k]
            dts[i, k] = ds[i, k]
        its[i] = ids_s[i]
    return status


@njit(cache=True, nogil=True)
def _gather_task(t, nt, u, d, a, ids, p, sgn, xf, x0, scell, order, ut, dt_, it, cell_of, lbox, periodic, scale):
    """Destinations of uniform task t take the particles ``order`` names; a = 0, folded
    positions recomputed, x0 = xf."""
    n, dim = u.shape
    lo, hi = task_range(n, t, nt)
    uu, dd, aa, ids_s, sc, od = u[lo:hi], d[lo:hi], a[lo:hi], ids[lo:hi], scell[lo:hi], order[lo:hi]
    for q in range(hi - lo):
        o = np.uint64(od[q])
        for k in range(dim):
            uu[q, k] = ut[o, k]
            dd[q, k] = dt_[o, k]
            aa[q, k] = 0
        ids_s[q] = it[o]
        sc[q] = cell_of[o]
    xs, x0s = xf[lo:hi], x0[lo:hi]
    _fold(uu, lbox, periodic, scale, p[lo:hi], sgn[lo:hi], xs)
    for q in range(hi - lo):
        for k in range(dim):
            x0s[q, k] = xs[q, k]


@njit(cache=True, nogil=True)
def _final_task(t, nt, a, sgn):
    """The acceleration of the state is in the unfolded frame."""
    n, dim = a.shape
    lo, hi = task_range(n, t, nt)
    aa, ss = a[lo:hi], sgn[lo:hi]
    for i in range(hi - lo):
        for k in range(dim):
            aa[i, k] *= ss[i, k]


@njit(cache=True, nogil=True)
def _next(kind, ctl, iscr, fscr, prm, cap, n_steps):
    """The serial transition after the last task of a phase of ``kind``: the next phase
    (kind, tasks); :func:`.sched.stop` ends the run. After K_BIN the caller sorts
    (``verlet._sort``) when this returns K_GATHER."""
    nt = ctl[C_NTASK]
    ns = ctl[C_NSLAB]
    cur = ctl[C_CUR]
    at = cur - 1 if cur > 0 else 0
    if kind == K_DRIFT:
        ctl[C_CUR] = ctl[C_STEP] + 1
        maxd = 0.0
        for t in range(nt):
            if iscr[8 * t] != OK:
                return stop(ctl, iscr[8 * t], ctl[C_STEP])
            maxd = max(maxd, fscr[t, 0])
        if maxd > prm[P_HSKIN2]:
            return np.int64(K_BIN), nt
        return np.int64(K_FORCE_A), (ns + 1) // 2
    if kind == K_FORCE_A and ns // 2 > 0:
        return np.int64(K_FORCE_B), ns // 2
    if kind == K_FORCE_A or kind == K_FORCE_B:
        for k in range(ns):
            if iscr[8 * k] != OK:
                return stop(ctl, iscr[8 * k], at)
        if cur < n_steps:
            ctl[C_STEP] = cur
            return np.int64(K_DRIFT), nt
        return np.int64(K_FINAL), nt
    if kind == K_BIN:
        for t in range(nt):
            if iscr[8 * t] != OK:
                return stop(ctl, iscr[8 * t], at)
        return np.int64(K_GATHER), nt
    if kind == K_GATHER:
        return np.int64(K_LIST), ns
    if kind == K_LIST:
        need = 0
        for k in range(ns):
            need = max(need, iscr[8 * k])
        if need > cap:
            ctl[C_NEED] = need
            return stop(ctl, GROW, cur)
        return np.int64(K_FORCE_A), (ns + 1) // 2
    return stop(ctl, OK, n_steps)  # after K_FINAL


@njit(cache=True, nogil=True)
def lattice_worker(ctl, st, geo, buf, sl, n_steps, back, helper):
    """One worker of a fixed-point leapfrog run of ``n_steps``: claim tasks until it is over.

    ``st = (u, d, a, ids)`` (in place, particles in cell order at the end), ``geo =
    (lbox, periodic, box, ncell, prm, lat, grid)`` with ``lat = [spacing, dt^2 2^bits]``
    and ``grid`` of ``cells.grid3``; ``buf``, ``sl`` the shared work arrays; ``back``:
    take tasks from the back (:func:`.sched.claim`); ``helper``: a helper thread, which
    steps aside while the machine is crowded (:func:`.sched.pace`). A run starts with
    :func:`.sched.start` (phase K_BIN); its forces are those of the starting positions,
    so a run that stopped to grow its pair buffer restarts where it stopped with the
    same bits. The dispatch is repeated in :func:`lattice_serial` (see ``verlet``).
    """
    u, d, a, ids = st
    lbox, periodic, box, ncell, prm, lat, grid = geo
    p, sgn, xf, x0, ut, dt_, it, cell_of, order, cell_start, scell, pi, pj = buf
    slab_row, pend, iscr, fscr = sl
    cap = pi.shape[0] // MAX_TASKS
    spins = np.int64(0)
    pc = pace_start()
    while True:
        if helper:
            pace(pc)
        kind, t, nt, spins = claim(ctl, spins, back)
        if kind == K_DONE:
            return
        if kind == K_DRIFT:
            _drift_task(t, nt, u, d, a, p, sgn, xf, x0, lbox, periodic, box, lat[0], iscr, fscr)
        elif kind == K_FORCE_A or kind == K_FORCE_B:
            k = 2 * t + (kind == K_FORCE_B)
            iscr[8 * k] = _lattice_pairs(p, a, lbox, periodic, prm, lat, pi, pj, k * cap, pend[8 * k])
        elif kind == K_BIN:
            iscr[8 * t] = _bin_task(t, nt, u, d, ids, p, sgn, xf, lbox, periodic, box, ncell, lat[0], cell_of, ut, dt_,
                                    it)
        elif kind == K_GATHER:
            _gather_task(t, nt, u, d, a, ids, p, sgn, xf, x0, scell, order, ut, dt_, it, cell_of, lbox, periodic,
                         lat[0])
        elif kind == K_LIST:
            iscr[8 * t] = list_task(t, xf, box, periodic, ncell, grid, cell_start, scell, prm[P_RLIST2], slab_row,
                                    pi, pj, cap, pend)
        else:
            _final_task(t, nt, a, sgn)
        if done(ctl, nt):
            nxt, nt = _next(kind, ctl, iscr, fscr, prm, cap, n_steps)
            if nxt == K_GATHER:
                _sort(ctl, u.shape[0], ncell, cell_of, order, cell_start, slab_row)
            publish(ctl, nxt, nt)


@njit(cache=True, nogil=True)
def lattice_serial(ctl, st, geo, buf, sl, n_steps):
    """The run of :func:`lattice_worker` on the calling thread alone, without atomics."""
    u, d, a, ids = st
    lbox, periodic, box, ncell, prm, lat, grid = geo
    p, sgn, xf, x0, ut, dt_, it, cell_of, order, cell_start, scell, pi, pj = buf
    slab_row, pend, iscr, fscr = sl
    cap = pi.shape[0] // MAX_TASKS
    kind = np.int64(K_BIN)
    nt = ctl[C_NTASK]
    while kind != K_DONE:
        for t in range(nt):
            if kind == K_DRIFT:
                _drift_task(t, nt, u, d, a, p, sgn, xf, x0, lbox, periodic, box, lat[0], iscr, fscr)
            elif kind == K_FORCE_A or kind == K_FORCE_B:
                k = 2 * t + (kind == K_FORCE_B)
                iscr[8 * k] = _lattice_pairs(p, a, lbox, periodic, prm, lat, pi, pj, k * cap, pend[8 * k])
            elif kind == K_BIN:
                iscr[8 * t] = _bin_task(t, nt, u, d, ids, p, sgn, xf, lbox, periodic, box, ncell, lat[0], cell_of, ut,
                                        dt_, it)
            elif kind == K_GATHER:
                _gather_task(t, nt, u, d, a, ids, p, sgn, xf, x0, scell, order, ut, dt_, it, cell_of, lbox, periodic,
                             lat[0])
            elif kind == K_LIST:
                iscr[8 * t] = list_task(t, xf, box, periodic, ncell, grid, cell_start, scell, prm[P_RLIST2], slab_row,
                                        pi, pj, cap, pend)
            else:
                _final_task(t, nt, a, sgn)
        nxt, nt = _next(kind, ctl, iscr, fscr, prm, cap, n_steps)
        if nxt == K_GATHER:
            _sort(ctl, u.shape[0], ncell, cell_of, order, cell_start, slab_row)
        kind = nxt
