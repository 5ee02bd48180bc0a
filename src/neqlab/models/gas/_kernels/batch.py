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


# numba links the machine code of every jitted callee into its caller and optimises it
# again there, so each layer of jitted helpers above verlet_serial would compile the
# whole Verlet run once more (~1.6 s a layer); the four runs of a system are therefore
# one loop over phases in one function, with one call of verlet_serial.
RELAX, START, DRIVE, END = 0, 1, 2, 3  # the phases of a system: relaxation, start energy, drive, end energy


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
    the number that failed: status[r] = (code, phase, step), phase 0 relaxation, 1 start
    energy, 2 drive, 3 end energy.

    Each phase is one Verlet run of ``_workers.verlet_run`` on one worker (fresh work
    arrays, the pair buffer grown and the run resumed when it overflows, work and heat
    summed in task order), on a copy of the system in id order, put back in id order
    after a dynamics phase. An energy phase is ``0.5 * np.sum(v**2) + potential_energy``:
    a zero-step run from zero velocities (list and forces; an overlap is a state to
    evaluate, not an error), then the energy per slab in slab order.
    """
    x, v, keys = systems
    wall, bath, counts = drive
    n_relax, n_drive = counts[0], counts[1]
    n, dim = x.shape[1], x.shape[2]
    empty = np.empty(0)
    xs = np.empty((n, dim))  # the system in id order between phases
    vs = np.empty((n, dim))
    xr = np.empty((n, dim))  # the run's copy (cell order after it)
    vr = np.empty((n, dim))
    ids = np.empty(n, np.int64)
    sq = np.empty(n * dim)
    for r in range(out.shape[0]):
        for i in range(n):  # (loops: an array assignment would compile numba's shape-error message)
            for a in range(dim):
                xs[i, a] = x[r, i, a]
                vs[i, a] = v[r, i, a]
        work = 0.0
        heat = 0.0
        e_start = 0.0  # the energies at the start and at the end of the drive
        e_end = 0.0
        ok = True
        for phase in range(4):
            dynamics = phase == RELAX or phase == DRIVE
            geo = geos[0]
            if phase == DRIVE:
                geo = geos[1]
            elif phase == END:
                geo = geos[2]
            box, periodic, ncell, grid, nt, ns, cap = geo
            kinetic = 0.0
            if dynamics:
                wall_r = wall[:0] if phase == RELAX else wall
                bath_r = bath
                key = keys[r]
                step0 = np.int64(0) if phase == RELAX else n_relax
                n_steps = n_relax if phase == RELAX else n_drive
            else:
                for i in range(n):
                    for a in range(dim):
                        sq[i * dim + a] = vs[i, a] * vs[i, a]
                kinetic = 0.5 * (0.0 + pairwise_sum(sq, np.int64(0), n * dim))
                wall_r = empty
                bath_r = empty
                key = np.uint64(0)
                step0 = np.int64(0)
                n_steps = np.int64(0)
            for i in range(n):
                ids[i] = i
                for a in range(dim):
                    xr[i, a] = xs[i, a]
                    vr[i, a] = vs[i, a] if dynamics else 0.0
            # the Verlet run
            ncells = 1
            for a in range(ncell.shape[0]):
                ncells *= ncell[a]
            buf = (np.zeros((n, dim)), np.empty((n, dim)), np.empty((n, dim)), np.empty((n, dim)),
                   np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64), np.empty(ncells + 1, np.int64),
                   np.empty(n, np.int64))
            pi = np.empty(MAX_TASKS * cap, np.uint32)
            pj = np.empty(MAX_TASKS * cap, np.uint32)
            pend = np.zeros(8 * MAX_TASKS, np.int64)
            sl = (np.zeros(MAX_TASKS + 1, np.int64), pend, np.zeros(8 * MAX_TASKS, np.int64), np.zeros((MAX_TASKS, 8)))
            fscr = sl[3]
            ctl = np.zeros(CTL_SIZE, np.int64)
            geo_k = (box, periodic, ncell, prm, grid)
            done = 0
            st = OK
            while True:
                start(ctl, K_BIN, nt)
                ctl[C_NTASK] = nt
                ctl[C_NSLAB] = ns
                w = wall_r[done:] if wall_r.shape[0] else wall_r
                final = done >= 0  # True, typed as a plain bool: the literal True would compile verlet_serial again
                verlet_serial(ctl, (xr, vr, ids), geo_k, buf + (pi, pj), sl,
                              (w, bath_r, key, np.int64(step0 + done), np.int64(n_steps - done), done > 0, final))
                st = ctl[C_STATUS]
                if st != GROW:
                    break
                need = ctl[C_NEED]
                if need > 1000 * max(1, n // ns):
                    st = LIST_FULL
                    break
                grown = need + need // 4 + 16
                pi = np.empty(MAX_TASKS * grown, np.uint32)
                pj = np.empty(MAX_TASKS * grown, np.uint32)
                done += ctl[C_AT]
            steps = done + ctl[C_AT]
            if dynamics:
                if st != OK:
                    status[r, 0], status[r, 1], status[r, 2] = st, phase, step0 + steps
                    ok = False
                    break
                if phase == DRIVE:
                    for t in range(nt):  # in task order, as the wrapper sums them
                        work += fscr[t, 1]
                        heat += fscr[t, 2]
                for i in range(n):  # back in id order
                    for a in range(dim):
                        xs[ids[i], a] = xr[i, a]
                        vs[ids[i], a] = vr[i, a]
            else:
                if st == OVERLAP:
                    st = OK
                if st != OK:
                    status[r, 0], status[r, 1], status[r, 2] = st, phase, n_relax + (n_drive if phase == END else 0)
                    ok = False
                    break
                cap_now = pi.shape[0] // MAX_TASKS
                epot = 0.0
                for k in range(ctl[C_NSLAB]):
                    e, _ = pair_energy(xr, box, periodic, prm, pi, pj, k * cap_now, pend[8 * k])
                    epot += e
                if phase == START:
                    e_start = kinetic + epot
                else:
                    e_end = kinetic + epot
            if phase == START:
                for i in range(n):
                    if xs[i, 0] > wall[0]:
                        status[r, 0], status[r, 1], status[r, 2] = BEYOND, DRIVE, n_relax
                        ok = False
                        break
                if not ok:
                    break
        if ok:
            out[r, 0] = 0.0 + work
            out[r, 1] = 0.0 + heat
            out[r, 2] = e_start
            out[r, 3] = e_end
            status[r, 0] = OK
    bad = 0
    for r in range(out.shape[0]):
        if status[r, 0] != OK:
            bad += 1
    return bad
