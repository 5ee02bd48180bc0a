"""Numba kernels of the gas engine: cell lists, Verlet lists, pair forces, step loops.

Never exported: the Python API in :mod:`neqlab.models.gas.integrators` and
:mod:`neqlab.models.gas.potentials` wraps them, allocates, and turns the int status
into an exception.

Conventions
- ``x``: positions (N, dim), ``v`` velocities, ``f`` accelerations (m = 1), all in
  the precision of the state (float64 or float32). Scalars come in ``prm`` (an array
  of that same dtype, so float32 code never promotes to float64):
  ``prm = [dt, rc2, rlist2, half_skin2, shift, r2min, 48, 24, 4, 1, 0.5]``.
- ``box`` (dim,) and ``periodic`` (dim,) bool; hard reflecting walls on the other axes
  (positions in [0, L], specular reflection).
- ``ids``: the original particle index; particles are re-sorted by cell at every
  neighbour-list rebuild and the wrapper puts them back in id order.
- Neighbour list: CSR, ``nbr_start`` (N+1) and ``nbr`` (capacity); half list (j > i
  in sorted order) for the serial kernels, full list for the threaded one.
- Status: 0 ok, 1 non-finite, 2 overlap, 3 escape, 4 neighbour list full (resumable:
  ``done`` holds the steps completed, the arrays are a valid state at that step).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from neqlab.core.rng import uniform01

OK, NONFINITE, OVERLAP, ESCAPE, LIST_FULL = 0, 1, 2, 3, 4
P_DT, P_RC2, P_RLIST2, P_HSKIN2, P_SHIFT, P_R2MIN, P_C48, P_C24, P_C4, P_ONE, P_HALF = range(11)


@njit(cache=True, nogil=True)
def _cell_grid(box, periodic, rlist):
    dim = box.shape[0]
    ncell = np.empty(dim, np.int64)
    for k in range(dim):
        n = int(np.floor(box[k] / rlist))
        ncell[k] = max(1, min(n, 1 << 20))
    return ncell


@njit(cache=True, nogil=True)
def sort_by_cell(x, box, periodic, ncell, cell_of, order, cell_start):
    """Wrap periodic axes, bin into cells, counting-sort; returns status."""
    n, dim = x.shape
    ncells = 1
    for k in range(dim):
        ncells *= ncell[k]
    for c in range(ncells + 1):
        cell_start[c] = 0
    for i in range(n):
        c = 0
        for k in range(dim):
            xi = x[i, k]
            if not np.isfinite(xi):
                return NONFINITE
            if periodic[k]:
                if xi >= box[k] or xi < 0:
                    xi = xi - box[k] * np.floor(xi / box[k])
                    if xi >= box[k]:
                        xi = xi - box[k]
                    x[i, k] = xi
            elif xi < 0 or xi > box[k]:
                return ESCAPE
            ck = int(xi / box[k] * ncell[k])
            if ck >= ncell[k]:
                ck = ncell[k] - 1
            c = c * ncell[k] + ck
        cell_of[i] = c
        cell_start[c + 1] += 1
    for c in range(ncells):
        cell_start[c + 1] += cell_start[c]
    fill = cell_start[:-1].copy()
    for i in range(n):
        c = cell_of[i]
        order[fill[c]] = i
        fill[c] += 1
    return OK


@njit(cache=True, nogil=True)
def permute_rows(a, order):
    """a[:] = a[order] in place (any dtype)."""
    tmp = a.copy()
    for i in range(order.shape[0]):
        a[i] = tmp[order[i]]


@njit(cache=True, nogil=True)
def _offsets(nc, per):
    """Distinct neighbour-cell offsets along one axis."""
    if nc >= 3 or not per:
        return -1, 1
    if nc == 2:
        return 0, 1
    return 0, 0


@njit(cache=True, nogil=True)
def build_list(x, box, periodic, ncell, cell_start, rlist2, half, nbr_start, nbr):
    """Verlet list from cell-sorted positions; returns (status, pairs needed)."""
    n, dim = x.shape
    cap = nbr.shape[0]
    m = 0
    lo = np.empty(3, np.int64)
    hi = np.empty(3, np.int64)
    for k in range(3):
        lo[k] = 0
        hi[k] = 0
    for k in range(dim):
        lo[k], hi[k] = _offsets(ncell[k], periodic[k])
    nc0 = ncell[0]
    nc1 = ncell[1] if dim > 1 else 1
    nc2 = ncell[2] if dim > 2 else 1
    i = 0
    for c in range(cell_start.shape[0] - 1):
        c2 = c % nc2 if dim > 2 else 0
        rest = c // nc2 if dim > 2 else c
        c1 = rest % nc1
        c0 = rest // nc1
        for i in range(cell_start[c], cell_start[c + 1]):
            nbr_start[i] = m
            for o0 in range(lo[0], hi[0] + 1):
                d0 = c0 + o0
                if d0 < 0 or d0 >= nc0:
                    if not periodic[0]:
                        continue
                    d0 = (d0 + nc0) % nc0
                for o1 in range(lo[1], hi[1] + 1):
                    d1 = c1 + o1
                    if d1 < 0 or d1 >= nc1:
                        if not periodic[1]:
                            continue
                        d1 = (d1 + nc1) % nc1
                    for o2 in range(lo[2], hi[2] + 1):
                        d2 = c2 + o2
                        if d2 < 0 or d2 >= nc2:
                            if not periodic[2]:
                                continue
                            d2 = (d2 + nc2) % nc2
                        cc = (d0 * nc1 + d1) * nc2 + d2
                        for j in range(cell_start[cc], cell_start[cc + 1]):
                            if j == i or (half and j < i):
                                continue
                            r2 = 0.0
                            for k in range(dim):
                                dx = x[i, k] - x[j, k]
                                if periodic[k]:
                                    if dx > 0.5 * box[k]:
                                        dx -= box[k]
                                    elif dx < -0.5 * box[k]:
                                        dx += box[k]
                                r2 += dx * dx
                            if r2 < rlist2:
                                if m < cap:
                                    nbr[m] = j
                                m += 1
    nbr_start[n] = m
    if m > cap:
        return LIST_FULL, m
    return OK, m


@njit(cache=True, nogil=True, inline="always")
def _mi(dx, per, lk, hk):
    """Minimum image along one axis (dx within 1.5 L)."""
    if per:
        if dx > hk:
            dx -= lk
        elif dx < -hk:
            dx += lk
    return dx


@njit(cache=True, nogil=True)
def half_stencil(dim):
    """Neighbour-cell offsets (S, 3) of a half shell: self plus the lexicographically
    positive offsets, so each pair of distinct cells is visited once."""
    out = np.zeros((14, 3), np.int64)
    m = 1  # row 0: the cell itself
    for o0 in range(-1, 2):
        for o1 in range(-1, 2):
            for o2 in range(-1, 2):
                if dim == 2 and o2 != 0:
                    continue
                first = o0 if o0 != 0 else (o1 if o1 != 0 else o2)
                if first > 0:
                    out[m, 0] = o0
                    out[m, 1] = o1
                    out[m, 2] = o2
                    m += 1
    return out[:m]


@njit(cache=True, nogil=True)
def build_half_list(x, box, periodic, ncell, cell_start, rlist2, nbr_start, nbr):
    """Half Verlet list by a half-shell cell stencil (needs >= 3 cells on periodic
    axes); half the distance checks of the full stencil. Returns (status, pairs)."""
    n, dim = x.shape
    cap = nbr.shape[0]
    st = half_stencil(dim)
    nc = np.ones(3, np.int64)
    per = np.zeros(3, np.bool_)
    bx = np.ones(3)
    for k in range(dim):
        nc[k] = ncell[k]
        per[k] = periodic[k]
        bx[k] = box[k]
    hb = 0.5 * bx
    m = 0
    for c in range(cell_start.shape[0] - 1):
        c2 = c % nc[2]
        rest = c // nc[2]
        c1 = rest % nc[1]
        c0 = rest // nc[1]
        for i in range(cell_start[c], cell_start[c + 1]):
            nbr_start[i] = m
            xi0 = x[i, 0]
            xi1 = x[i, 1]
            xi2 = x[i, 2] if dim == 3 else 0.0
            for q in range(st.shape[0]):
                d0 = c0 + st[q, 0]
                d1 = c1 + st[q, 1]
                d2 = c2 + st[q, 2]
                if d0 < 0 or d0 >= nc[0]:
                    if not per[0]:
                        continue
                    d0 = (d0 + nc[0]) % nc[0]
                if d1 < 0 or d1 >= nc[1]:
                    if not per[1]:
                        continue
                    d1 = (d1 + nc[1]) % nc[1]
                if d2 < 0 or d2 >= nc[2]:
                    if not per[2]:
                        continue
                    d2 = (d2 + nc[2]) % nc[2]
                cc = (d0 * nc[1] + d1) * nc[2] + d2
                j0 = cell_start[cc] if q > 0 else i + 1
                for j in range(j0, cell_start[cc + 1]):
                    dx = xi0 - x[j, 0]
                    dy = xi1 - x[j, 1]
                    dx = _mi(dx, per[0], bx[0], hb[0])
                    dy = _mi(dy, per[1], bx[1], hb[1])
                    r2 = dx * dx + dy * dy
                    if dim == 3:
                        dz = _mi(xi2 - x[j, 2], per[2], bx[2], hb[2])
                        r2 += dz * dz
                    if r2 < rlist2:
                        if m < cap:
                            nbr[m] = j
                        m += 1
    nbr_start[n] = m
    if m > cap:
        return LIST_FULL, m
    return OK, m


@njit(cache=True, nogil=True, inline="always")
def _pair(r2, prm):
    """Force/r and energy of the truncated-shifted LJ pair (sigma = epsilon = 1)."""
    r2i = prm[P_ONE] / r2
    r6i = r2i * r2i * r2i
    ff = r6i * r2i * (prm[P_C48] * r6i - prm[P_C24])
    e = prm[P_C4] * r6i * (r6i - prm[P_ONE]) - prm[P_SHIFT]
    return ff, e


@njit(cache=True, nogil=True)
def half_list_forces(x, box, periodic, prm, nbr_start, nbr, f, zero_first=True):
    """f (+)= accelerations from a half list; returns (status, potential energy, virial).

    ``box`` must have the dtype of ``x``. Energy and virial sum r.F over pairs. With
    ``zero_first`` False the forces are added to f (the step loop zeroes f while
    drifting, saving a pass over memory).
    """
    n, dim = x.shape
    zero = prm[P_ONE] - prm[P_ONE]
    rc2 = prm[P_RC2]
    r2min = prm[P_R2MIN]
    status = OK
    epot = 0.0
    vir = 0.0
    if zero_first:
        for i in range(n):
            for k in range(dim):
                f[i, k] = zero
    lx, ly = box[0], box[1]
    hx, hy = prm[P_HALF] * lx, prm[P_HALF] * ly
    px, py = periodic[0], periodic[1]
    if dim == 2:
        for i in range(n):
            xi, yi = x[i, 0], x[i, 1]
            fxi = zero
            fyi = zero
            for m in range(nbr_start[i], nbr_start[i + 1]):
                j = nbr[m]
                dx = _mi(xi - x[j, 0], px, lx, hx)
                dy = _mi(yi - x[j, 1], py, ly, hy)
                r2 = dx * dx + dy * dy
                if r2 < r2min:
                    status = OVERLAP
                # branch-free cutoff: ~40 % of list pairs lie outside r_c, an
                # unpredictable branch costs more than computing and masking
                inside = r2 < rc2
                ff, e = _pair(r2, prm)
                ff = ff if inside else zero
                e = e if inside else zero
                epot += e
                vir += ff * r2
                fxi += ff * dx
                fyi += ff * dy
                f[j, 0] -= ff * dx
                f[j, 1] -= ff * dy
            f[i, 0] += fxi
            f[i, 1] += fyi
    else:
        lz = box[2]
        hz = prm[P_HALF] * lz
        pz = periodic[2]
        for i in range(n):
            xi, yi, zi = x[i, 0], x[i, 1], x[i, 2]
            fxi = zero
            fyi = zero
            fzi = zero
            for m in range(nbr_start[i], nbr_start[i + 1]):
                j = nbr[m]
                dx = _mi(xi - x[j, 0], px, lx, hx)
                dy = _mi(yi - x[j, 1], py, ly, hy)
                dz = _mi(zi - x[j, 2], pz, lz, hz)
                r2 = dx * dx + dy * dy + dz * dz
                if r2 < r2min:
                    status = OVERLAP
                inside = r2 < rc2
                ff, e = _pair(r2, prm)
                ff = ff if inside else zero
                e = e if inside else zero
                epot += e
                vir += ff * r2
                fxi += ff * dx
                fyi += ff * dy
                fzi += ff * dz
                f[j, 0] -= ff * dx
                f[j, 1] -= ff * dy
                f[j, 2] -= ff * dz
            f[i, 0] += fxi
            f[i, 1] += fyi
            f[i, 2] += fzi
    return status, epot, vir


@njit(cache=True, nogil=True)
def rebuild(x, others, ids, box, periodic, ncell, rlist2, half, nbr):
    """Sort particles by cell (x, each array in ``others`` and ids follow), rebuild the list.

    Returns (status, nbr_start, nbr); nbr is reallocated when too small.
    """
    n = x.shape[0]
    ncells = 1
    for k in range(ncell.shape[0]):
        ncells *= ncell[k]
    cell_of = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    cell_start = np.empty(ncells + 1, np.int64)
    st = sort_by_cell(x, box, periodic, ncell, cell_of, order, cell_start)
    nbr_start = np.empty(n + 1, np.int64)
    if st != OK:
        return st, nbr_start, nbr
    permute_rows(x, order)
    for a in others:
        permute_rows(a, order)
    permute_rows(ids, order)
    fast = half
    for k in range(ncell.shape[0]):
        if periodic[k] and ncell[k] < 3:
            fast = False
    for attempt in range(2):
        if fast:
            st, m = build_half_list(x, box, periodic, ncell, cell_start, rlist2, nbr_start, nbr)
        else:
            st, m = build_list(x, box, periodic, ncell, cell_start, rlist2, half, nbr_start, nbr)
        if st != LIST_FULL or attempt == 1:
            break
        if m > 1000 * n:
            return LIST_FULL, nbr_start, nbr
        nbr = np.empty(m + m // 4 + 16, np.int32)
    return st, nbr_start, nbr


@njit(cache=True, nogil=True)
def _kick_drift(x, v, f, x0, box, periodic, dt, c):
    """v += f c; x += v dt with specular reflection at walls; f = 0.

    Returns the max squared displacement since the last list build (NaN if any).
    """
    n, dim = x.shape
    zero = dt - dt
    maxd = zero
    for i in range(n):
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
        if d2 > maxd:
            maxd = d2
        elif not d2 == d2:  # NaN: force a rebuild, which reports it
            return d2
    return maxd


@njit(cache=True, nogil=True)
def verlet_run(x, v, f, ids, box, periodic, prm, n_steps):
    """Velocity Verlet, serial, half list; returns (status, steps done)."""
    n, dim = x.shape
    ncell = _cell_grid(box, periodic, np.sqrt(prm[P_RLIST2]))
    nbr = np.empty(8 * n + 16, np.int32)
    st, nbr_start, nbr = rebuild(x, (v,), ids, box, periodic, ncell, prm[P_RLIST2], True, nbr)
    if st != OK:
        return st, 0
    x0 = x.copy()
    st, e, w = half_list_forces(x, box, periodic, prm, nbr_start, nbr, f)
    if st != OK:
        return st, 0
    dt = prm[P_DT]
    hdt = prm[P_HALF] * dt
    for s in range(n_steps):
        # kick by the previous force (half a step at the start), drift, zero f
        maxd = _kick_drift(x, v, f, x0, box, periodic, dt, hdt if s == 0 else dt)
        if not maxd <= prm[P_HSKIN2]:
            st, nbr_start, nbr = rebuild(x, (v,), ids, box, periodic, ncell, prm[P_RLIST2], True, nbr)
            if st != OK:
                return st, s
            x0[:] = x
        st, e, w = half_list_forces(x, box, periodic, prm, nbr_start, nbr, f, False)
        if st != OK:
            return st, s
    if n_steps > 0:
        for i in range(n):
            for k in range(dim):
                v[i, k] += f[i, k] * hdt
    return OK, n_steps


N_CHUNKS = 16  # fixed, so the summation order (and the result) is independent of threads


@njit(cache=True, nogil=True)
def split_list(n, nbr_start, nbr, mid):
    """Partition each particle's half-list segment into [same chunk..., other chunk...].

    Chunks are N_CHUNKS contiguous index ranges of the cell-sorted particles (slabs
    of space); mid[i] marks where the cross-chunk neighbours of i begin.
    """
    for i in range(n):
        ci = i * N_CHUNKS // n
        lo = nbr_start[i]
        hi = nbr_start[i + 1]
        while lo < hi:
            j = nbr[lo]
            if (j * N_CHUNKS // n) == ci:
                lo += 1
            else:
                hi -= 1
                nbr[lo] = nbr[hi]
                nbr[hi] = j
        mid[i] = lo


@njit(cache=True, nogil=True, inline="always")
def _pair_block(x, box, periodic, prm, nbr, m_lo, m_hi, i, f):
    """Add the pairs (i, nbr[m]) for m in [m_lo, m_hi) to f (Newton's third law)."""
    dim = x.shape[1]
    zero = prm[P_ONE] - prm[P_ONE]
    status = OK
    xi, yi = x[i, 0], x[i, 1]
    zi = x[i, 2] if dim == 3 else zero
    lz = box[2] if dim == 3 else box[0]
    pz = periodic[2] if dim == 3 else False
    fxi = zero
    fyi = zero
    fzi = zero
    for m in range(m_lo, m_hi):
        j = nbr[m]
        dx = _mi(xi - x[j, 0], periodic[0], box[0], prm[P_HALF] * box[0])
        dy = _mi(yi - x[j, 1], periodic[1], box[1], prm[P_HALF] * box[1])
        dz = _mi(zi - x[j, 2], pz, lz, prm[P_HALF] * lz) if dim == 3 else zero
        r2 = dx * dx + dy * dy + dz * dz
        if r2 < prm[P_R2MIN]:
            status = OVERLAP
        inside = r2 < prm[P_RC2]
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
    st, nbr_start, nbr = rebuild(x, (v,), ids, box, periodic, ncell, prm[P_RLIST2], True, nbr)
    if st != OK:
        return st, 0
    split_list(n, nbr_start, nbr, mid)
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
            stc = OK
            for i in range(lo, hi):
                sti = _pair_block(x, box, periodic, prm, nbr, nbr_start[i], mid[i], i, f)
                if sti != OK:
                    stc = sti
            cstat[ch] = stc
        maxd = cmax.max()
        if not maxd <= prm[P_HSKIN2]:
            st, nbr_start, nbr = rebuild(x, (v,), ids, box, periodic, ncell, prm[P_RLIST2], True, nbr)
            if st != OK:
                return st, s
            split_list(n, nbr_start, nbr, mid)
            x0[:] = x
            st, e, w = half_list_forces(x, box, periodic, prm, nbr_start, nbr, f)
            if st != OK:
                return st, s
        else:
            for ch in range(N_CHUNKS):
                if cstat[ch] != OK:
                    return cstat[ch], s
            for i in range(n):
                if mid[i] < nbr_start[i + 1]:
                    st = _pair_block(x, box, periodic, prm, nbr, mid[i], nbr_start[i + 1], i, f)
                    if st != OK:
                        return st, s
    if n_steps > 0:
        for i in range(n):
            for k in range(dim):
                v[i, k] += f[i, k] * hdt
    return OK, n_steps


@njit(cache=True, nogil=True)
def _fold(u, lbox, periodic, scale, p, sgn, xf):
    """Unfolded lattice coordinates -> folded lattice positions p, fold signs, floats."""
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
def lattice_forces(p, sgn, lbox, periodic, prm, lat, nbr_start, nbr, a):
    """Integer accelerations: each pair force rounded to the lattice, then summed.

    The per-pair value rint(F dt^2 / m / spacing) is an exactly antisymmetric function
    of the pair's integer separation, so the integer sum does not depend on the list
    order or on which particle of the pair comes first: forward and reversed runs get
    identical accelerations whatever their neighbour lists.
    """
    n, dim = p.shape
    scale, cacc = lat[0], lat[1]
    big = 2.0**52
    status = OK
    for i in range(n):
        for k in range(dim):
            a[i, k] = 0
    for i in range(n):
        for m in range(nbr_start[i], nbr_start[i + 1]):
            j = nbr[m]
            dxi0 = p[i, 0] - p[j, 0]
            dxi1 = p[i, 1] - p[j, 1]
            dxi2 = p[i, 2] - p[j, 2] if dim == 3 else 0
            if periodic[0]:
                dxi0 = _mi(dxi0, True, lbox[0], lbox[0] // 2)
            if periodic[1]:
                dxi1 = _mi(dxi1, True, lbox[1], lbox[1] // 2)
            if dim == 3 and periodic[2]:
                dxi2 = _mi(dxi2, True, lbox[2], lbox[2] // 2)
            dx = dxi0 * scale
            dy = dxi1 * scale
            dz = dxi2 * scale
            r2 = dx * dx + dy * dy + dz * dz
            if r2 < prm[P_RC2]:
                if r2 < prm[P_R2MIN]:
                    status = OVERLAP
                ff, e = _pair(r2, prm)
                g = ff * cacc
                ax = g * dx
                ay = g * dy
                az = g * dz
                if not (abs(ax) < big and abs(ay) < big and abs(az) < big):
                    return OVERLAP
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
    for i in range(n):
        for k in range(dim):
            if sgn[i, k] < 0:
                a[i, k] = -a[i, k]
    return status


@njit(cache=True, nogil=True)
def lattice_run(u, d, a, ids, lbox, periodic, prm, lat, n_steps):
    """Bit-reversible leapfrog on the integer lattice (Levesque & Verlet 1993).

    d += a; u += d; a = round(F(u)) per pair. Periodic axes wrap u into [0, L);
    wall axes keep the unfolded coordinate in [0, 2L) (the mirror image of the box),
    so a specular reflection is exact integer arithmetic too.
    """
    n, dim = u.shape
    scale = lat[0]
    period = np.empty(dim, np.int64)
    box = np.empty(dim, np.float64)
    for k in range(dim):
        period[k] = lbox[k] if periodic[k] else 2 * lbox[k]
        box[k] = lbox[k] * scale
    p = np.empty_like(u)
    sgn = np.empty_like(u)
    xf = np.empty(u.shape, np.float64)
    ncell = _cell_grid(box, periodic, np.sqrt(prm[P_RLIST2]))
    nbr = np.empty(8 * n + 16, np.int32)
    _fold(u, lbox, periodic, scale, p, sgn, xf)
    st, nbr_start, nbr = rebuild(xf, (u, d), ids, box, periodic, ncell, prm[P_RLIST2], True, nbr)
    if st != OK:
        return st, 0
    _fold(u, lbox, periodic, scale, p, sgn, xf)
    x0 = xf.copy()
    st = lattice_forces(p, sgn, lbox, periodic, prm, lat, nbr_start, nbr, a)
    if st != OK:
        return st, 0
    for s in range(n_steps):
        maxd = 0.0
        for i in range(n):
            d2 = 0.0
            for k in range(dim):
                d[i, k] += a[i, k]
                if not abs(d[i, k]) < lbox[k] // 4:
                    return ESCAPE, s
                ui = u[i, k] + d[i, k]
                if ui >= period[k]:
                    ui -= period[k]
                elif ui < 0:
                    ui += period[k]
                u[i, k] = ui
                if periodic[k] or ui < lbox[k]:
                    pi = ui
                    sgn[i, k] = 1
                else:
                    pi = 2 * lbox[k] - ui
                    sgn[i, k] = -1
                p[i, k] = pi
                xf[i, k] = pi * scale
                dd = _mi(xf[i, k] - x0[i, k], periodic[k], box[k], 0.5 * box[k])
                d2 += dd * dd
            if d2 > maxd:
                maxd = d2
        if maxd > prm[P_HSKIN2]:
            st, nbr_start, nbr = rebuild(xf, (u, d), ids, box, periodic, ncell, prm[P_RLIST2], True, nbr)
            if st != OK:
                return st, s
            _fold(u, lbox, periodic, scale, p, sgn, xf)
            x0[:] = xf
        st = lattice_forces(p, sgn, lbox, periodic, prm, lat, nbr_start, nbr, a)
        if st != OK:
            return st, s
    return OK, n_steps


@njit(cache=True, nogil=True)
def random_sequential_addition(x, box, periodic, r_min, key, max_tries):
    """Fill x (N, dim) with uniform positions no two closer than r_min; returns status.

    Counter-based randomness (key, counter): the same key gives the same packing.
    ESCAPE (3) if a particle could not be placed within max_tries attempts.
    """
    n, dim = x.shape
    ncell = np.empty(3, np.int64)
    for k in range(3):
        ncell[k] = 1
    for k in range(dim):
        ncell[k] = max(1, int(np.floor(box[k] / r_min)))
    head = -np.ones(ncell[0] * ncell[1] * ncell[2], np.int64)
    nxt = -np.ones(n, np.int64)
    cc = np.zeros(3, np.int64)
    pos = np.zeros(3)
    counter = np.uint64(0)
    r2min = r_min * r_min
    for i in range(n):
        placed = False
        for _ in range(max_tries):
            for k in range(dim):
                pos[k] = uniform01(key, counter) * box[k]
                counter += np.uint64(1)
                cc[k] = min(int(pos[k] / box[k] * ncell[k]), ncell[k] - 1)
            ok = True
            for o0 in range(-1, 2):
                for o1 in range(-1, 2):
                    for o2 in range(-1, 2):
                        if dim == 2 and o2 != 0:
                            continue
                        c = 0
                        inside = True
                        for k, o in ((0, o0), (1, o1), (2, o2)):
                            d = cc[k] + o
                            if d < 0 or d >= ncell[k]:
                                if k < dim and periodic[k]:
                                    d = (d + ncell[k]) % ncell[k]
                                else:
                                    inside = False
                            c = c * ncell[k] + d
                        if not inside:
                            continue
                        j = head[c]
                        while j >= 0 and ok:
                            r2 = 0.0
                            for k in range(dim):
                                dx = pos[k] - x[j, k]
                                if periodic[k]:
                                    dx -= box[k] * np.rint(dx / box[k])
                                r2 += dx * dx
                            if r2 < r2min:
                                ok = False
                            j = nxt[j]
            if ok:
                c = (cc[0] * ncell[1] + cc[1]) * ncell[2] + cc[2]
                for k in range(dim):
                    x[i, k] = pos[k]
                nxt[i] = head[c]
                head[c] = i
                placed = True
                break
        if not placed:
            return ESCAPE
    return OK
