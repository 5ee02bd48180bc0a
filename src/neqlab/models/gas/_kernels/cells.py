"""Status codes, scalar layout, cell lists, cell sorting and Verlet-list builds."""

from __future__ import annotations

import numpy as np
from numba import njit

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
    n = x.shape[0]
    for i in range(n):
        st = bin_one(x, i, box, periodic, ncell, cell_of)
        if st != OK:
            return st
    return counting_sort(n, ncell, cell_of, order, cell_start)


@njit(cache=True, nogil=True, inline="always")
def bin_one(x, i, box, periodic, ncell, cell_of):
    """Wrap particle i into periodic axes and store its cell index; returns status."""
    dim = x.shape[1]
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
    return OK


@njit(cache=True, nogil=True)
def counting_sort(n, ncell, cell_of, order, cell_start):
    """order = particles by cell (stable), cell_start = CSR offsets of the cells."""
    ncells = 1
    for k in range(ncell.shape[0]):
        ncells *= ncell[k]
    for c in range(ncells + 1):
        cell_start[c] = 0
    for i in range(n):
        cell_start[cell_of[i] + 1] += 1
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


@njit(cache=True, nogil=True, inline="always")
def cell_neighbours(c, st, nc, per, out):
    """Indices of the half-shell neighbour cells of cell c (itself first) into out;
    returns their number (cells beyond a wall are skipped)."""
    c2 = c % nc[2]
    rest = c // nc[2]
    c1 = rest % nc[1]
    c0 = rest // nc[1]
    k = 0
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
        out[k] = (d0 * nc[1] + d1) * nc[2] + d2
        k += 1
    return k


@njit(cache=True, nogil=True, inline="always")
def _search(i, cells, n_cells, x, per, bx, hb, cell_start, rlist2, nbr, m, cap):
    """Append the half-shell neighbours of particle i at nbr[m:] (cells[0] is its own
    cell, searched from i + 1 on); returns the new end (entries beyond cap are
    counted, not written)."""
    dim = x.shape[1]
    xi0 = x[i, 0]
    xi1 = x[i, 1]
    xi2 = x[i, 2] if dim == 3 else 0.0
    for q in range(n_cells):
        cc = cells[q]
        j0 = cell_start[cc] if q > 0 else i + 1
        for j in range(j0, cell_start[cc + 1]):
            dx = _mi(xi0 - x[j, 0], per[0], bx[0], hb[0])
            dy = _mi(xi1 - x[j, 1], per[1], bx[1], hb[1])
            r2 = dx * dx + dy * dy
            if dim == 3:
                dz = _mi(xi2 - x[j, 2], per[2], bx[2], hb[2])
                r2 += dz * dz
            # branch-free append (about a third of the candidates are kept, an
            # unpredictable branch): write j always, advance only when kept
            if m < cap:
                nbr[m] = j
            m += np.int64(r2 < rlist2)
    return m


@njit(cache=True, nogil=True)
def grid3(x, box, periodic, ncell):
    """(stencil, cells per axis, periodic flags, box, half box) padded to 3 axes."""
    dim = x.shape[1]
    nc = np.ones(3, np.int64)
    per = np.zeros(3, np.bool_)
    bx = np.ones(3)
    for k in range(dim):
        nc[k] = ncell[k]
        per[k] = periodic[k]
        bx[k] = box[k]
    return half_stencil(dim), nc, per, bx, 0.5 * bx


@njit(cache=True, nogil=True)
def build_half_list(x, box, periodic, ncell, cell_start, rlist2, nbr_start, nbr):
    """Half Verlet list by a half-shell cell stencil (needs >= 3 cells on periodic
    axes); half the distance checks of the full stencil. Returns (status, pairs)."""
    n = x.shape[0]
    cap = nbr.shape[0]
    st, nc, per, bx, hb = grid3(x, box, periodic, ncell)
    cells = np.empty(14, np.int64)
    m = 0
    for c in range(cell_start.shape[0] - 1):
        if cell_start[c] == cell_start[c + 1]:
            continue
        k = cell_neighbours(c, st, nc, per, cells)
        for i in range(cell_start[c], cell_start[c + 1]):
            nbr_start[i] = m
            m = _search(i, cells, k, x, per, bx, hb, cell_start, rlist2, nbr, m, cap)
    nbr_start[n] = m
    if m > cap:
        return LIST_FULL, m
    return OK, m


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
