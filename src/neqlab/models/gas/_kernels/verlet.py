"""Velocity Verlet as phases of tasks (:mod:`.sched`): any number of workers, the same bits.

Per step: kick-drift (uniform particle ranges; walls, a piston, thermal walls), then,
if a particle moved more than skin/2 since the last build, a rebuild (bin, gather in
cell order, pair lists per slab), then the pair forces of the even slabs and of the
odd slabs (a slab's pairs reach into the next slab only, so each colour's tasks
write disjoint memory). Work and heat are summed per kick-drift task and then over
tasks in task order. The tasks and their order of summation depend on the particle
count and the cell grid only: 1, 2 or 16 workers give the same bits.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from neqlab.core.rng import splitmix64, uniform01
from neqlab.models.gas._kernels.cells import OK, P_DT, P_HALF, P_HSKIN2, P_RLIST2, bin_one, counting_sort
from neqlab.models.gas._kernels.pairs import force_task, list_task
from neqlab.models.gas._kernels.sched import (C_CUR, C_NEED, C_NSLAB, C_NTASK, C_STEP, C_WORD, GROW, K_DONE,
                                              MAX_TASKS, balance_slabs, claim, done, pace, pace_start, publish, stop,
                                              task_range)

K_BIN, K_GATHER, K_LIST, K_FORCE_A, K_FORCE_B, K_DRIFT, K_FINAL = 1, 2, 3, 4, 5, 6, 7


@njit(cache=True, nogil=True)
def _thermalise(x, v, i, pid, hit, inward, since, hi0, box, kT, key, step):
    """Diffuse (thermal) wall: particle i leaves with a fresh velocity at temperature kT.

    Normal component (axis ``hit``, sign ``inward``): flux-weighted Maxwell,
    |v_n| = sqrt(-2 kT ln(1 - u)); tangential components: Maxwell, by Box-Muller. The
    uniforms come from the counter-based stream (key, step, particle id), so the draw
    does not depend on the particle's place in memory. The particle hit the wall
    ``since`` [time] before the end of the drift: it is moved to where the new
    velocity takes it from the point of impact (unless that would leave the box).
    Returns the kinetic energy the particle gave to the wall [energy] (m = 1).
    """
    dim = v.shape[1]
    k_step = key ^ splitmix64(np.uint64(step))
    base = np.uint64(pid) * np.uint64(8)
    sig = math.sqrt(kT)
    inside = True
    # the new velocity and position, axis by axis (scalars: no allocation per hit)
    v0 = v1 = v2 = 0.0
    x0 = x1 = x2 = 0.0
    for k in range(dim):
        u1 = uniform01(k_step, base + np.uint64(2 * k))
        if k == hit:
            vk = inward * sig * math.sqrt(-2.0 * math.log1p(-u1))
        else:
            u2 = uniform01(k_step, base + np.uint64(2 * k + 1))
            vk = sig * math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)
        xk = float(x[i, k]) + (vk - float(v[i, k])) * since
        hi = hi0 if k == 0 else box[k]
        if not (0.0 <= xk <= hi):
            inside = False
        if k == 0:
            v0, x0 = vk, xk
        elif k == 1:
            v1, x1 = vk, xk
        else:
            v2, x2 = vk, xk
    ke_old = 0.0
    ke_new = 0.0
    for k in range(dim):
        ke_old += float(v[i, k]) * float(v[i, k])
        v[i, k] = v0 if k == 0 else (v1 if k == 1 else v2)
        ke_new += float(v[i, k]) * float(v[i, k])
        if inside:
            x[i, k] = x0 if k == 0 else (x1 if k == 1 else x2)
    return 0.5 * (ke_old - ke_new)


@njit(cache=True, nogil=True)
def _kick_drift(x, v, f, x0, box, periodic, dt, c, hi0, u0, pist, ids, bath, key, step, unrolled=True):
    """Every particle of the views x, v, f, x0, ids: v += f c; x += v dt with reflection at walls; f = 0.

    The upper wall of axis 0 sits at ``hi0``; with ``pist`` it is a piston moving at
    ``u0``: there v_x -> 2 u0 - v_x, and the kinetic energy it gives the particle is
    the work done on the gas. ``bath`` empty: every other wall is specular; ``bath =
    [kT]``: every wall but the piston is thermal (:func:`_thermalise`). Returns (max
    squared displacement since the last list build, NaN if any; work; heat given to the
    walls).
    """
    dim = x.shape[1]
    zero = dt - dt
    maxd = zero
    work = 0.0
    heat = 0.0
    thermal = bath.shape[0] > 0
    if dim == 2 and unrolled:  # the loop below with its axes written out
        p0, p1 = periodic[0], periodic[1]
        top1 = box[1]
        for i in range(x.shape[0]):
            hit = -1
            inward = 1.0
            since = 0.0
            vk = v[i, 0] + f[i, 0] * c
            xi = x[i, 0] + vk * dt
            if not p0:
                if xi < zero:
                    xi = -xi
                    vk = -vk
                    hit = 0
                    inward = 1.0
                    since = xi / vk
                elif xi > hi0:
                    xi = hi0 + hi0 - xi
                    if pist:
                        vn = u0 + u0 - vk
                        work += 0.5 * (vn * vn - vk * vk)
                        vk = vn
                    else:
                        vk = -vk
                        hit = 0
                        inward = -1.0
                        since = (xi - hi0) / vk
            v[i, 0] = vk
            x[i, 0] = xi
            f[i, 0] = zero
            dd = xi - x0[i, 0]
            d2 = zero
            d2 += dd * dd
            vk = v[i, 1] + f[i, 1] * c
            xi = x[i, 1] + vk * dt
            if not p1:
                if xi < zero:
                    xi = -xi
                    vk = -vk
                    if hit < 0:
                        hit = 1
                        inward = 1.0
                        since = xi / vk
                elif xi > top1:
                    xi = top1 + top1 - xi
                    vk = -vk
                    if hit < 0:
                        hit = 1
                        inward = -1.0
                        since = (xi - top1) / vk
            v[i, 1] = vk
            x[i, 1] = xi
            f[i, 1] = zero
            dd = xi - x0[i, 1]
            d2 += dd * dd
            if thermal and hit >= 0:
                heat += _thermalise(x, v, i, ids[i], hit, inward, since, hi0, box, bath[0], key, step)
                d2 = zero
                for k in range(dim):
                    dd = x[i, k] - x0[i, k]
                    d2 += dd * dd
            if d2 > maxd:
                maxd = d2
            elif not d2 == d2:  # NaN: force a rebuild, which reports it
                return d2, work, heat
        return maxd, work, heat
    for i in range(x.shape[0]):
        d2 = zero
        hit = -1
        inward = 1.0
        since = 0.0
        for k in range(dim):
            vk = v[i, k] + f[i, k] * c
            xi = x[i, k] + vk * dt
            if not periodic[k]:
                top = hi0 if k == 0 else box[k]
                if xi < zero:
                    xi = -xi
                    vk = -vk
                    if hit < 0:
                        hit = k
                        inward = 1.0
                        since = xi / vk
                elif xi > top:
                    xi = top + top - xi
                    if k == 0 and pist:
                        vn = u0 + u0 - vk
                        work += 0.5 * (vn * vn - vk * vk)
                        vk = vn
                    else:
                        vk = -vk
                        if hit < 0:
                            hit = k
                            inward = -1.0
                            since = (xi - top) / vk
            v[i, k] = vk
            x[i, k] = xi
            f[i, k] = zero
            dd = xi - x0[i, k]
            d2 += dd * dd
        if thermal and hit >= 0:
            heat += _thermalise(x, v, i, ids[i], hit, inward, since, hi0, box, bath[0], key, step)
            d2 = zero
            for k in range(dim):
                dd = x[i, k] - x0[i, k]
                d2 += dd * dd
        if d2 > maxd:
            maxd = d2
        elif not d2 == d2:  # NaN: force a rebuild, which reports it
            return d2, work, heat
    return maxd, work, heat


@njit(cache=True, nogil=True)
def _kick_drift_periodic(x, v, f, x0, dt, c):
    """:func:`_kick_drift` for a box without walls (the same arithmetic, the same bits):
    no reflections, straight-line code per particle that the compiler can vectorise.
    Returns (max squared displacement since the last build, whether any was NaN)."""
    n, dim = x.shape
    zero = dt - dt
    maxd = zero
    bad = False
    if dim == 2:
        for i in range(n):
            vx = v[i, 0] + f[i, 0] * c
            vy = v[i, 1] + f[i, 1] * c
            xx = x[i, 0] + vx * dt
            xy = x[i, 1] + vy * dt
            v[i, 0] = vx
            v[i, 1] = vy
            x[i, 0] = xx
            x[i, 1] = xy
            f[i, 0] = zero
            f[i, 1] = zero
            dx = xx - x0[i, 0]
            dy = xy - x0[i, 1]
            d2 = dx * dx + dy * dy
            maxd = d2 if d2 > maxd else maxd
            bad |= not d2 == d2
    else:
        for i in range(n):
            vx = v[i, 0] + f[i, 0] * c
            vy = v[i, 1] + f[i, 1] * c
            vz = v[i, 2] + f[i, 2] * c
            xx = x[i, 0] + vx * dt
            xy = x[i, 1] + vy * dt
            xz = x[i, 2] + vz * dt
            v[i, 0] = vx
            v[i, 1] = vy
            v[i, 2] = vz
            x[i, 0] = xx
            x[i, 1] = xy
            x[i, 2] = xz
            f[i, 0] = zero
            f[i, 1] = zero
            f[i, 2] = zero
            dx = xx - x0[i, 0]
            dy = xy - x0[i, 1]
            dz = xz - x0[i, 2]
            d2 = dx * dx + dy * dy + dz * dz
            maxd = d2 if d2 > maxd else maxd
            bad |= not d2 == d2
    return maxd, bad


@njit(cache=True, nogil=True)
def _drift_task(t, nt, s, x, v, f, x0, ids, box, periodic, prm, wall, bath, key, step0, resume, fscr):
    """Kick-drift of uniform task t of step s (views: loops from 0 let LLVM drop numba's
    negative-index fix-up on every access, a quarter of the cost)."""
    n, dim = x.shape
    lo, hi = task_range(n, t, nt)
    if nt > 1:  # views (a view costs ~10 ns: small systems run one task on the arrays)
        x, v, f, x0, ids = x[lo:hi], v[lo:hi], f[lo:hi], x0[lo:hi], ids[lo:hi]
    dt = prm[P_DT]
    c = dt if s > 0 or resume else prm[P_HALF] * dt
    pist = wall.shape[0] > 0
    walls = pist or bath.shape[0] > 0
    for a in range(dim):
        walls |= not periodic[a]
    if walls:
        hi0 = wall[s + 1] if pist else box[0]
        u0 = (wall[s + 1] - wall[s]) / dt if pist else dt - dt
        maxd, dw, dq = _kick_drift(x, v, f, x0, box, periodic, dt, c, hi0, u0, pist, ids, bath, key, step0 + s)
        fscr[t, 0] = maxd
        fscr[t, 1] += dw
        fscr[t, 2] += dq
    else:
        maxd, bad = _kick_drift_periodic(x, v, f, x0, dt, c)
        fscr[t, 0] = np.nan if bad else maxd


@njit(cache=True, nogil=True)
def _bin_task(t, nt, x, v, ids, box, periodic, ncell, cell_of, xt, vt, it):
    """Wrap and bin the particles of uniform task t, copying them for the gather;
    returns the status."""
    n, dim = x.shape
    lo, hi = task_range(n, t, nt)
    xs, vs, xts, vts, its, cs = x[lo:hi], v[lo:hi], xt[lo:hi], vt[lo:hi], it[lo:hi], cell_of[lo:hi]
    ids_s = ids[lo:hi]
    status = OK
    for i in range(hi - lo):
        s_i = bin_one(xs, i, box, periodic, ncell, cs)
        if s_i != OK:
            status = s_i
        for a in range(dim):
            xts[i, a] = xs[i, a]
            vts[i, a] = vs[i, a]
        its[i] = ids_s[i]
    return status


@njit(cache=True, nogil=True)
def _gather_task(t, nt, x, v, ids, x0, f, scell, order, xt, vt, it, cell_of):
    """Destinations of uniform task t take the particles ``order`` names; f = 0, x0 = x."""
    n, dim = x.shape
    lo, hi = task_range(n, t, nt)
    xs, vs, x0s, fs, ids_s, sc, od = x[lo:hi], v[lo:hi], x0[lo:hi], f[lo:hi], ids[lo:hi], scell[lo:hi], order[lo:hi]
    for p in range(hi - lo):
        o = np.uint64(od[p])
        for a in range(dim):
            xs[p, a] = xt[o, a]
            vs[p, a] = vt[o, a]
            x0s[p, a] = xt[o, a]
            fs[p, a] = 0.0
        ids_s[p] = it[o]
        sc[p] = cell_of[o]


@njit(cache=True, nogil=True)
def _final_task(t, nt, v, f, prm):
    """The closing half kick of uniform task t."""
    n, dim = v.shape
    lo, hi = task_range(n, t, nt)
    vs, fs = v[lo:hi], f[lo:hi]
    c = prm[P_HALF] * prm[P_DT]
    for i in range(hi - lo):
        for a in range(dim):
            vs[i, a] += fs[i, a] * c


@njit(cache=True, nogil=True)
def _next(kind, ctl, iscr, fscr, prm, cap, n_steps, resume):
    """The serial transition after the last task of a phase of ``kind``: returns the next
    phase (kind, tasks); :func:`.sched.stop` ends the run. After K_BIN the caller sorts
    (:func:`_sort`) when this returns K_GATHER. Few arguments: each array passed to a
    numba function costs a few nanoseconds a call, and small systems take ~10^8 calls."""
    nt = ctl[C_NTASK]
    ns = ctl[C_NSLAB]
    cur = ctl[C_CUR]
    at = cur - 1 if cur > 0 else 0
    if kind == K_DRIFT:
        ctl[C_CUR] = ctl[C_STEP] + 1
        maxd = fscr[0, 0]
        for t in range(1, nt):
            d = fscr[t, 0]
            if d > maxd or not d == d:
                maxd = d
        if not maxd <= prm[P_HSKIN2]:
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
        if n_steps > 0 or resume:
            return np.int64(K_FINAL), nt
        return stop(ctl, OK, 0)
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
def _sort(ctl, n, ncell, cell_of, order, cell_start, slab_row):
    """Counting sort by cell and the slab rows (serial, between K_BIN and K_GATHER)."""
    counting_sort(n, ncell, cell_of, order, cell_start)
    balance_slabs(n, ncell, cell_start, ctl[C_NSLAB], slab_row)


@njit(cache=True, nogil=True)
def _small_steps(ctl, x, v, f, x0, ids, box, periodic, prm, wall, bath, key, step0, resume, fscr, iscr, pi, pj, pend,
                 n_steps):
    """Steps of a one-task run (a small system on one worker) from an open K_DRIFT
    phase until one needs a rebuild or the run ends: the kick-drift and force tasks and
    the transitions of :func:`_next`, without the phase loop's four calls per step (an
    ensemble of small systems takes ~10^8 steps; each call costs tens of nanoseconds).
    Returns the next phase (kind, tasks)."""
    dt = prm[P_DT]
    pist = wall.shape[0] > 0
    walls = pist or bath.shape[0] > 0
    for a in range(x.shape[1]):
        walls |= not periodic[a]
    while True:
        s = ctl[C_STEP]
        c = dt if s > 0 or resume else prm[P_HALF] * dt
        if walls:
            hi0 = wall[s + 1] if pist else box[0]
            u0 = (wall[s + 1] - wall[s]) / dt if pist else dt - dt
            maxd, dw, dq = _kick_drift(x, v, f, x0, box, periodic, dt, c, hi0, u0, pist, ids, bath, key, step0 + s)
            fscr[0, 1] += dw
            fscr[0, 2] += dq
        else:
            maxd, bad = _kick_drift_periodic(x, v, f, x0, dt, c)
            if bad:
                maxd = maxd + np.nan
        fscr[0, 0] = maxd
        ctl[C_CUR] = s + 1
        if not maxd <= prm[P_HSKIN2]:
            return np.int64(K_BIN), np.int64(1)
        iscr[0] = force_task(x, f, box, periodic, prm, pi, pj, 0, pend[0])
        if iscr[0] != OK:
            return stop(ctl, iscr[0], s)
        if s + 1 >= n_steps:
            return np.int64(K_FINAL), np.int64(1)
        ctl[C_STEP] = s + 1


@njit(cache=True, nogil=True)
def verlet_worker(ctl, st, geo, buf, sl, run, back, helper):
    """One worker of a velocity Verlet run: claim tasks until the run is over.

    ``st = (x, v, ids)`` (updated in place, particles in cell order at the end),
    ``geo = (box, periodic, ncell, prm, grid)`` (``grid``: ``cells.grid3``), ``buf`` the shared work arrays, ``sl`` the
    slab rows and per-task results, ``run = (wall, bath, key, step0, n_steps,
    resume, final)``: ``wall`` the piston positions at steps 0..n_steps (or empty), ``bath``
    ``[kT]`` of thermal walls (or empty), ``resume`` True when the velocities are half
    a step behind (a run continued after its pair buffer grew, or a
    :class:`~neqlab.models.gas.Stepper` going on), ``final`` False to leave them half a
    step behind at the end (the closing half kick's phase does nothing); ``back``: take
    tasks from the back (:func:`.sched.claim`); ``helper``: a helper thread, which steps
    aside while the machine is crowded (:func:`.sched.pace`). The run starts with :func:`.sched.start`
    (phase K_BIN, or K_DRIFT when the forces and pair lists of the positions are kept
    from the run before). The task dispatch below is repeated in :func:`verlet_serial`: a
    function taking all these arrays would cost 250 ns a call.
    """
    x, v, ids = st
    box, periodic, ncell, prm, grid = geo
    f, x0, xt, vt, it, cell_of, order, cell_start, scell, pi, pj = buf
    slab_row, pend, iscr, fscr = sl
    wall, bath, key, step0, n_steps, resume, final = run
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
            _drift_task(t, nt, ctl[C_STEP], x, v, f, x0, ids, box, periodic, prm, wall, bath, key, step0, resume, fscr)
        elif kind == K_FORCE_A or kind == K_FORCE_B:
            k = 2 * t + (kind == K_FORCE_B)
            iscr[8 * k] = force_task(x, f, box, periodic, prm, pi, pj, k * cap, pend[8 * k])
        elif kind == K_BIN:
            iscr[8 * t] = _bin_task(t, nt, x, v, ids, box, periodic, ncell, cell_of, xt, vt, it)
        elif kind == K_GATHER:
            _gather_task(t, nt, x, v, ids, x0, f, scell, order, xt, vt, it, cell_of)
        elif kind == K_LIST:
            iscr[8 * t] = list_task(t, x, box, periodic, ncell, grid, cell_start, scell, prm[P_RLIST2], slab_row, pi, pj,
                                    cap, pend)
        elif final:
            _final_task(t, nt, v, f, prm)
        if done(ctl, nt):
            nxt, nt = _next(kind, ctl, iscr, fscr, prm, cap, n_steps, resume)
            if nxt == K_GATHER:
                _sort(ctl, x.shape[0], ncell, cell_of, order, cell_start, slab_row)
            publish(ctl, nxt, nt)


@njit(cache=True, nogil=True)
def verlet_serial(ctl, st, geo, buf, sl, run):
    """The run of :func:`verlet_worker` on the calling thread alone: the same tasks and
    transitions in a plain loop (no atomics, no waiting), hence the same bits."""
    x, v, ids = st
    box, periodic, ncell, prm, grid = geo
    f, x0, xt, vt, it, cell_of, order, cell_start, scell, pi, pj = buf
    slab_row, pend, iscr, fscr = sl
    wall, bath, key, step0, n_steps, resume, final = run
    cap = pi.shape[0] // MAX_TASKS
    kind = (ctl[C_WORD] >> 36) & 255  # the phase sched.start opened: K_BIN, or K_DRIFT (lists kept)
    nt = ctl[C_NTASK]
    while kind != K_DONE:
        if kind == K_DRIFT and nt == 1 and ctl[C_NSLAB] == 1:
            kind, nt = _small_steps(ctl, x, v, f, x0, ids, box, periodic, prm, wall, bath, key, step0, resume, fscr,
                                    iscr, pi, pj, pend, n_steps)
            continue
        for t in range(nt):
            if kind == K_DRIFT:
                _drift_task(t, nt, ctl[C_STEP], x, v, f, x0, ids, box, periodic, prm, wall, bath, key, step0, resume,
                            fscr)
            elif kind == K_FORCE_A or kind == K_FORCE_B:
                k = 2 * t + (kind == K_FORCE_B)
                iscr[8 * k] = force_task(x, f, box, periodic, prm, pi, pj, k * cap, pend[8 * k])
            elif kind == K_BIN:
                iscr[8 * t] = _bin_task(t, nt, x, v, ids, box, periodic, ncell, cell_of, xt, vt, it)
            elif kind == K_GATHER:
                _gather_task(t, nt, x, v, ids, x0, f, scell, order, xt, vt, it, cell_of)
            elif kind == K_LIST:
                iscr[8 * t] = list_task(t, x, box, periodic, ncell, grid, cell_start, scell, prm[P_RLIST2], slab_row, pi,
                                        pj, cap, pend)
            elif final:
                _final_task(t, nt, v, f, prm)
        nxt, nt = _next(kind, ctl, iscr, fscr, prm, cap, n_steps, resume)
        if nxt == K_GATHER:
            _sort(ctl, x.shape[0], ncell, cell_of, order, cell_start, slab_row)
        kind = nxt
