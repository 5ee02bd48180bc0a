"""Many small walled gases in one call: the serial Verlet run of each, one after
another, and the random insertion of their disks.

A system here runs exactly the calls of one ``advance`` (and of one ``potential_energy``)
of :mod:`neqlab.models.gas.integrators`: fresh work arrays, :func:`.sched.start`, the
serial driver :func:`.verlet.verlet_serial`, the pair buffer grown and the run resumed
when it overflows, work and heat summed over tasks in task order, the particles put
back in id order. Only the Python around those calls is gone (a few tens of
microseconds per call, against milliseconds of kernel for a whole ensemble of small
systems), so every system ends on the same bits as through ``advance``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from neqlab.models.gas._kernels.cells import LIST_FULL, OK, OVERLAP
from neqlab.models.gas._kernels.pairs import pair_energy
from neqlab.models.gas._kernels.sched import (C_AT, C_NEED, C_NSLAB, C_NTASK, C_STATUS, CTL_SIZE, GROW, MAX_TASKS,
                                              start)
from neqlab.models.gas._kernels.verlet import K_BIN, verlet_serial

BEYOND = -1  # status: a particle lies beyond the piston's start (the wrapper raises ConfigError)
FULL = 1  # status of insert_disks: no room left for the next disk


@njit(cache=True, nogil=True)
def insert_disks(lx, ly, gap2, max_tries, rng, out):
    """Random sequential insertion in [0, lx) x [0, ly): each candidate is two uniform
    draws of the NumPy Generator ``rng`` (x, then y: the draws of
    ``rng.uniform((0, 0), (lx, ly))``), kept if no disk already placed lies closer than
    sqrt(gap2) [length]. Fills ``out`` (n, 2); returns OK, or FULL after ``max_tries``
    candidates in all."""
    n = out.shape[0]
    k = 0
    tries = 0
    while k < n:
        tries += 1
        if tries > max_tries:
            return FULL
        p0 = 0.0 + lx * rng.random()
        p1 = 0.0 + ly * rng.random()
        free = True
        for j in range(k):
            d0 = out[j, 0] - p0
            d1 = out[j, 1] - p1
            if d0 * d0 + d1 * d1 < gap2:
                free = False
                break
        if free:
            out[k, 0] = p0
            out[k, 1] = p1
            k += 1
    return OK


@njit(cache=True, nogil=True)
def _block_sum(a, lo, n):
    """NumPy's sum of a block of at most 128 values: 8 partial sums, then the rest."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    m = n - n % 8
    i = 8
    while i < m:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def _left(n):
    """Size of the first half of a split block (a multiple of 8)."""
    h = n // 2
    return h - h % 8


@njit(cache=True, nogil=True)
def pairwise_sum(a, lo, n):
    """Sum of a[lo:lo + n] in NumPy's order (blocks above 128 values split in two
    halves, the first a multiple of 8; each block by :func:`_block_sum`), so that
    0.0 + pairwise_sum(a, 0, a.size) is bitwise ``np.sum(a)`` of a contiguous float64
    array. An explicit stack stands in for the recursion (numba's cache cannot hold a
    recursive function)."""
    if n <= 128:
        return _block_sum(a, lo, n)
    los = np.empty(64, np.int64)  # frames: block start, size, left half done, its sum
    ns = np.empty(64, np.int64)
    left_done = np.zeros(64, np.bool_)
    left_sum = np.empty(64)
    sp = 0
    los[0], ns[0], left_done[0] = lo, n, False
    while True:
        m = ns[sp]
        if m > 128:  # descend into the first half
            h = _left(m)
            sp += 1
            los[sp], ns[sp], left_done[sp] = los[sp - 1], h, False
            continue
        ret = _block_sum(a, los[sp], m)
        sp -= 1
        while sp >= 0:  # hand the sum up: a first half waits for its second, a second half completes its block
            if not left_done[sp]:
                left_sum[sp] = ret
                left_done[sp] = True
                h = _left(ns[sp])
                sp += 1
                los[sp], ns[sp], left_done[sp] = los[sp - 1] + h, ns[sp - 1] - h, False
                break
            ret = left_sum[sp] + ret
            sp -= 1
        if sp < 0:
            return ret


@njit(cache=True, nogil=True, inline="always")
def _run(x, v, ids, geo, prm, run):
    """One Verlet run of ``_workers.verlet_run`` on one worker: x, v, ids in place
    (cell order at the end). ``geo = (box, periodic, ncell, grid, n_tasks, n_slabs,
    cap)``, ``run = (wall, bath, key, step0, n_steps)``. Returns (status, steps done,
    work, heat, pair buffer i, pair buffer j, pair ends, control words)."""
    box, periodic, ncell, grid, nt, ns, cap = geo
    wall, bath, key, step0, n_steps = run
    n, dim = x.shape
    ncells = 1
    for a in range(ncell.shape[0]):
        ncells *= ncell[a]
    f = np.zeros((n, dim))
    buf = (f, np.empty((n, dim)), np.empty((n, dim)), np.empty((n, dim)), np.empty(n, np.int64),
           np.empty(n, np.int64), np.empty(n, np.int64), np.empty(ncells + 1, np.int64), np.empty(n, np.int64))
    pi = np.empty(MAX_TASKS * cap, np.uint32)
    pj = np.empty(MAX_TASKS * cap, np.uint32)
    pend = np.zeros(8 * MAX_TASKS, np.int64)
    sl = (np.zeros(MAX_TASKS + 1, np.int64), pend, np.zeros(8 * MAX_TASKS, np.int64), np.zeros((MAX_TASKS, 8)))
    fscr = sl[3]
    ctl = np.zeros(CTL_SIZE, np.int64)
    geo_k = (box, periodic, ncell, prm, grid)
    done = 0
    status = OK
    while True:
        start(ctl, K_BIN, nt)
        ctl[C_NTASK] = nt
        ctl[C_NSLAB] = ns
        w = wall[done:] if wall.shape[0] else wall
        verlet_serial(ctl, (x, v, ids), geo_k, buf + (pi, pj), sl,
                      (w, bath, key, np.int64(step0 + done), np.int64(n_steps - done), done > 0, True))
        status = ctl[C_STATUS]
        if status != GROW:
            break
        need = ctl[C_NEED]
        if need > 1000 * max(1, n // ns):
            status = LIST_FULL
            break
        grown = need + need // 4 + 16
        pi = np.empty(MAX_TASKS * grown, np.uint32)
        pj = np.empty(MAX_TASKS * grown, np.uint32)
        done += ctl[C_AT]
    work = 0.0
    heat = 0.0
    for t in range(nt):  # in task order, as the wrapper sums them
        work += fscr[t, 1]
        heat += fscr[t, 2]
    return status, done + ctl[C_AT], work, heat, pi, pj, pend, ctl


@njit(cache=True, nogil=True, inline="always")
def _id_order(x, v, ids, xo, vo):
    for i in range(ids.shape[0]):
        for a in range(x.shape[1]):
            xo[ids[i], a] = x[i, a]
            vo[ids[i], a] = v[i, a]


@njit(cache=True, nogil=True, inline="always")
def _energy(x, v, geo, prm):
    """(status, kinetic plus potential energy [energy]) of a configuration in id order,
    as ``0.5 * np.sum(v**2) + potential_energy``: a zero-step run (list and forces; an
    overlap is a state to evaluate, not an error), then the energy per slab in slab order."""
    n, dim = x.shape
    sq = np.empty(n * dim)
    for i in range(n):
        for a in range(dim):
            sq[i * dim + a] = v[i, a] * v[i, a]
    kinetic = 0.5 * (0.0 + pairwise_sum(sq, 0, n * dim))
    xc = x.copy()
    empty = np.empty(0)
    status, _, _, _, pi, pj, pend, ctl = _run(xc, np.zeros((n, dim)), np.arange(n), geo, prm,
                                              (empty, empty, np.uint64(0), np.int64(0), np.int64(0)))
    if status == OVERLAP:
        status = OK
    box, periodic = geo[0], geo[1]
    cap = pi.shape[0] // MAX_TASKS
    epot = 0.0
    for k in range(ctl[C_NSLAB]):
        e, _ = pair_energy(xc, box, periodic, prm, pi, pj, k * cap, pend[8 * k])
        epot += e
    return status, kinetic + epot


@njit(cache=True, nogil=True, inline="always")
def _drive_one(r, systems, geos, prm, drive, out, status):
    """System r of :func:`piston_drives_run`; its status in status[r] = (code, phase,
    step), phase 0 relaxation, 1 start energy, 2 drive, 3 end energy."""
    x, v, keys = systems
    wall, bath, counts = drive
    geo_relax, geo_drive, geo_end = geos
    n_relax, n_drive = counts[0], counts[1]
    n, dim = x.shape[1], x.shape[2]
    key = keys[r]
    xa = x[r].copy()
    va = v[r].copy()
    ids = np.arange(n)
    st, steps, _, _, _, _, _, _ = _run(xa, va, ids, geo_relax, prm, (wall[:0], bath, key, np.int64(0), n_relax))
    if st != OK:
        status[r, 0], status[r, 1], status[r, 2] = st, 0, steps
        return
    xs = np.empty((n, dim))
    vs = np.empty((n, dim))
    _id_order(xa, va, ids, xs, vs)
    st, e0 = _energy(xs, vs, geo_relax, prm)
    if st != OK:
        status[r, 0], status[r, 1], status[r, 2] = st, 1, n_relax
        return
    for i in range(n):
        if xs[i, 0] > wall[0]:
            status[r, 0], status[r, 1], status[r, 2] = BEYOND, 2, n_relax
            return
    for i in range(n):
        ids[i] = i
    st, steps, work, heat, _, _, _, _ = _run(xs, vs, ids, geo_drive, prm, (wall, bath, key, n_relax, n_drive))
    if st != OK:
        status[r, 0], status[r, 1], status[r, 2] = st, 2, n_relax + steps
        return
    xe = np.empty((n, dim))
    ve = np.empty((n, dim))
    _id_order(xs, vs, ids, xe, ve)
    st, e1 = _energy(xe, ve, geo_end, prm)
    if st != OK:
        status[r, 0], status[r, 1], status[r, 2] = st, 3, n_relax + n_drive
        return
    out[r, 0] = 0.0 + work
    out[r, 1] = 0.0 + heat
    out[r, 2] = e0
    out[r, 3] = e1
    status[r, 0] = OK


@njit(cache=True, nogil=True)
def piston_drives_run(systems, geos, prm, drive, out, status):
    """Relax every system of ``systems = (x, v, keys)`` (x, v: (R, N, dim) in id order,
    keys[r] the thermal walls' noise key of system r) for counts[0] steps with thermal
    walls, then drive it for counts[1] steps by the piston (``drive = (wall, bath,
    counts)``: piston positions at steps 0..counts[1], bath = [kT]; the step count runs
    on from counts[0]); out[r] = (work, heat, energy at the start of the drive, at its
    end). ``geos`` = the geometries (box, periodic, ncell, grid, tasks, slabs, pair
    capacity) of the relaxation box, of the drive (axis 0 spanning every piston
    position) and of the end box. One system after another on the calling thread (the
    GIL released: the wrapper runs slices of an ensemble on several threads); returns
    the number that failed (see ``status``)."""
    for r in range(out.shape[0]):
        _drive_one(r, systems, geos, prm, drive, out, status)
    bad = 0
    for r in range(out.shape[0]):
        if status[r, 0] != OK:
            bad += 1
    return bad
