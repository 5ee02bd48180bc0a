"""The threaded velocity Verlet step: fixed spatial slabs, parallel list builds."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from neqlab.models.gas._kernels.cells import (LIST_FULL, OK, OVERLAP, P_DT, P_HALF, P_HSKIN2, P_ONE, P_R2MIN,
                                              P_RC2, P_RLIST2, _cell_grid, _mi, _search, bin_one, cell_neighbours,
                                              counting_sort, grid3, rebuild)
from neqlab.models.gas._kernels.forces import _pair, half_list_forces


N_CHUNKS = 16  # fixed, so the summation order (and the result) is independent of threads


@njit(cache=True, nogil=True)
def split_list(n, nbr_start, nbr, mid, cross):
    """Partition each particle's half-list segment into [same chunk..., other chunk...].

    Chunk ch holds the cell-sorted particles [ch n // N_CHUNKS, (ch + 1) n // N_CHUNKS)
    (a slab of space), exactly the ranges the threaded loop uses; mid[i] marks where
    the cross-chunk neighbours of i begin. ``cross`` receives the particles that have
    cross-chunk neighbours; returns their number.
    """
    cid = np.empty(n, np.int64)
    for ch in range(N_CHUNKS):
        for i in range(ch * n // N_CHUNKS, (ch + 1) * n // N_CHUNKS):
            cid[i] = ch
    n_cross = 0
    for i in range(n):
        ci = cid[i]
        lo = nbr_start[i]
        hi = nbr_start[i + 1]
        while lo < hi:
            j = nbr[lo]
            if cid[j] == ci:
                lo += 1
            else:
                hi -= 1
                nbr[lo] = nbr[hi]
                nbr[hi] = j
        mid[i] = lo
        if lo < nbr_start[i + 1]:
            cross[n_cross] = i
            n_cross += 1
    return n_cross


@njit(cache=True, nogil=True)
def pair_segments(x, box, periodic, prm, nbr, lo_of, hi_of, idx, n_idx, f):
    """Add to f the pairs (i, nbr[m]), m in [lo_of[i], hi_of[i]), for i in idx[:n_idx]
    (Newton's third law); returns the status. Constants hoisted, 2D specialised."""
    dim = x.shape[1]
    zero = prm[P_ONE] - prm[P_ONE]
    rc2 = prm[P_RC2]
    r2min = prm[P_R2MIN]
    status = OK
    lx, ly = box[0], box[1]
    hx, hy = prm[P_HALF] * lx, prm[P_HALF] * ly
    px, py = periodic[0], periodic[1]
    lz = box[2] if dim == 3 else lx
    hz = prm[P_HALF] * lz
    pz = periodic[2] if dim == 3 else False
    for q in range(n_idx):
        i = idx[q]
        xi, yi = x[i, 0], x[i, 1]
        zi = x[i, 2] if dim == 3 else zero
        fxi = zero
        fyi = zero
        fzi = zero
        for m in range(lo_of[i], hi_of[i]):
            j = nbr[m]
            dx = _mi(xi - x[j, 0], px, lx, hx)
            dy = _mi(yi - x[j, 1], py, ly, hy)
            r2 = dx * dx + dy * dy
            dz = zero
            if dim == 3:
                dz = _mi(zi - x[j, 2], pz, lz, hz)
                r2 += dz * dz
            if r2 < r2min:
                status = OVERLAP
            inside = r2 < rc2
            ff, e = _pair(r2, prm)
            ff = ff if inside else zero
            fxi += ff * dx
            fyi += ff * dy
            f[j, 0] -= ff * dx
            f[j, 1] -= ff * dy
            if dim == 3:
                fzi += ff * dz
                f[j, 2] -= ff * dz
        f[i, 0] += fxi
        f[i, 1] += fyi
        if dim == 3:
            f[i, 2] += fzi
    return status


@njit(cache=True, nogil=True, parallel=True)
def rebuild_threaded(x, v, ids, box, periodic, ncell, rlist2, nbr):
    """As :func:`rebuild` (serial sort), but the half list is built by N_CHUNKS slabs in
    parallel, each into its own region of nbr, then compacted: the same list as the
    serial build. Falls back to the serial rebuild for boxes of < 3 cells per axis."""
    n, dim = x.shape
    for k in range(dim):
        if periodic[k] and ncell[k] < 3:
            return rebuild(x, (v,), ids, box, periodic, ncell, rlist2, True, nbr)
    ncells = 1
    for k in range(dim):
        ncells *= ncell[k]
    cell_of = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    cell_start = np.empty(ncells + 1, np.int64)
    nbr_start = np.empty(n + 1, np.int64)
    stat = np.zeros(n, np.int64)
    for i in prange(n):  # wrap and bin in parallel, count and scatter serially
        stat[i] = bin_one(x, i, box, periodic, ncell, cell_of)
    st = stat.max()
    if st != OK:
        return st, nbr_start, nbr
    counting_sort(n, ncell, cell_of, order, cell_start)
    xt = x.copy()
    vt = v.copy()
    it = ids.copy()
    scell = np.empty(n, np.int64)
    for p in prange(n):
        o = order[p]
        for k in range(dim):
            x[p, k] = xt[o, k]
            v[p, k] = vt[o, k]
        ids[p] = it[o]
        scell[p] = cell_of[o]
    stn, nc, per, bx, hb = grid3(x, box, periodic, ncell)
    used = np.zeros(N_CHUNKS, np.int64)
    for attempt in range(2):
        per_chunk = nbr.shape[0] // N_CHUNKS
        for ch in prange(N_CHUNKS):
            base = ch * per_chunk
            m = base
            cells = np.empty(14, np.int64)
            last = -1
            k = 0
            for i in range(ch * n // N_CHUNKS, (ch + 1) * n // N_CHUNKS):
                if scell[i] != last:  # sorted by cell: recompute at each new cell only
                    last = scell[i]
                    k = cell_neighbours(last, stn, nc, per, cells)
                nbr_start[i] = m
                m = _search(i, cells, k, x, per, bx, hb, cell_start, rlist2, nbr, m, base + per_chunk)
            used[ch] = m - base
        if used.max() <= per_chunk:
            break
        if attempt == 1 or used.max() > 1000 * n:
            return LIST_FULL, nbr_start, nbr
        nbr = np.empty(N_CHUNKS * (used.max() + used.max() // 4 + 16), np.int32)
    # compact the chunk regions (forward copies: the destination never passes the source)
    offset = 0
    for ch in range(N_CHUNKS):
        base = ch * per_chunk
        shift = base - offset
        for i in range(ch * n // N_CHUNKS, (ch + 1) * n // N_CHUNKS):
            nbr_start[i] -= shift
        if shift > 0:
            for q in range(used[ch]):
                nbr[offset + q] = nbr[base + q]
        offset += used[ch]
    nbr_start[n] = offset
    return OK, nbr_start, nbr


@njit(cache=True, nogil=True, parallel=True)
def verlet_run_threaded(x, v, f, ids, box, periodic, prm, n_steps):
    """Velocity Verlet with N_CHUNKS spatial slabs run in parallel, half list.

    Per step, one parallel loop over slabs: kick and drift the slab's particles, then
    its same-slab pairs (Newton's third law stays inside the slab); then, serially, the
    few cross-slab pairs. Chunking is fixed, so results do not depend on the number of
    threads (they differ from the serial kernel by summation order only). A step that
    needs a list rebuild recomputes its forces serially after the rebuild.
    """
    n, dim = x.shape
    ncell = _cell_grid(box, periodic, np.sqrt(prm[P_RLIST2]))
    nbr = np.empty(8 * n + 16, np.int32)
    mid = np.empty(n, np.int64)
    st, nbr_start, nbr = rebuild_threaded(x, v, ids, box, periodic, ncell, prm[P_RLIST2], nbr)
    if st != OK:
        return st, 0
    cross = np.empty(n, np.int64)
    order = np.arange(n)  # identity: particle ranges of the slabs
    n_cross = split_list(n, nbr_start, nbr, mid, cross)
    x0 = x.copy()
    st, e, w = half_list_forces(x, box, periodic, prm, nbr_start, nbr, f)
    if st != OK:
        return st, 0
    dt = prm[P_DT]
    hdt = prm[P_HALF] * dt
    zero = dt - dt
    cmax = np.zeros(N_CHUNKS, x.dtype)
    cstat = np.zeros(N_CHUNKS, np.int64)
    for s in range(n_steps):
        c = hdt if s == 0 else dt
        for ch in prange(N_CHUNKS):
            lo = ch * n // N_CHUNKS
            hi = (ch + 1) * n // N_CHUNKS
            maxd = zero
            for i in range(lo, hi):
                d2 = zero
                for k in range(dim):
                    vk = v[i, k] + f[i, k] * c
                    xi = x[i, k] + vk * dt
                    if not periodic[k]:
                        if xi < zero:
                            xi = -xi
                            vk = -vk
                        elif xi > box[k]:
                            xi = box[k] + box[k] - xi
                            vk = -vk
                    v[i, k] = vk
                    x[i, k] = xi
                    f[i, k] = zero
                    dd = xi - x0[i, k]
                    d2 += dd * dd
                if d2 > maxd or not d2 == d2:
                    maxd = d2
            cmax[ch] = maxd
            cstat[ch] = pair_segments(x, box, periodic, prm, nbr, nbr_start, mid, order[lo:hi], hi - lo, f)
        maxd = cmax.max()
        if not maxd <= prm[P_HSKIN2]:
            st, nbr_start, nbr = rebuild_threaded(x, v, ids, box, periodic, ncell, prm[P_RLIST2], nbr)
            if st != OK:
                return st, s
            n_cross = split_list(n, nbr_start, nbr, mid, cross)
            x0[:] = x
            st, e, w = half_list_forces(x, box, periodic, prm, nbr_start, nbr, f)
            if st != OK:
                return st, s
        else:
            for ch in range(N_CHUNKS):
                if cstat[ch] != OK:
                    return cstat[ch], s
            st = pair_segments(x, box, periodic, prm, nbr, mid, nbr_start[1:], cross, n_cross, f)
            if st != OK:
                return st, s
    if n_steps > 0:
        for i in range(n):
            for k in range(dim):
                v[i, k] += f[i, k] * hdt
    return OK, n_steps
