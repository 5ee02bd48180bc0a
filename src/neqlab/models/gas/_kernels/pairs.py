"""Flat pair lists per slab and the pair forces over them.

After a rebuild, slab k's pairs (i in the slab, j a half-shell neighbour within
r_c + skin) are stored as two uint32 arrays ``pi``, ``pj`` in the region
[k cap, pend[8 k]) (unsigned: numba then skips its negative-index fix-up on x[i],
x[j], f[i], f[j], 13 % of the force loop). A flat loop over pairs has no inner loop whose trip count (0 to 4
neighbours per particle in a dilute gas) the branch predictor would miss at every
particle: measured 12 against 18 cycles per pair for the nested loop over a CSR list
(2D WCA, density 0.5, docs/engine.md).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from neqlab.models.gas._kernels.cells import (OK, OVERLAP, P_C4, P_C24, P_C48, P_HALF, P_ONE, P_R2MIN, P_RC2,
                                              P_SHIFT, _mi, _offsets)


@njit(cache=True, nogil=True)
def _search_half(i, first, end, n_runs, x, per, bx, hb, rlist2, pi, pj, m, cap):
    """Append the half-shell pairs (i, j) at [m, ...): j runs over the particle ranges
    [first[r], end[r]) (run 0 holds i's own cell and starts at i + 1); returns the new
    end (entries beyond cap are counted, not written)."""
    dim = x.shape[1]
    xi0 = x[i, 0]
    xi1 = x[i, 1]
    xi2 = x[i, 2] if dim == 3 else xi0
    for r in range(n_runs):
        # unsigned indices: no negative-index fix-up on the accesses x[j]
        j0 = first[r] if r > 0 else np.uint64(i + 1)
        for j in range(j0, end[r]):
            dx = _mi(xi0 - x[j, 0], per[0], bx[0], hb[0])
            dy = _mi(xi1 - x[j, 1], per[1], bx[1], hb[1])
            r2 = dx * dx + dy * dy
            if dim == 3:
                dz = _mi(xi2 - x[j, 2], per[2], bx[2], hb[2])
                r2 += dz * dz
            # branch-free append (about a third of the candidates are kept, an
            # unpredictable branch): write always, advance only when kept
            if m < cap:
                pi[m] = i
                pj[m] = j
            m += np.int64(r2 < rlist2)
    return m


@njit(cache=True, nogil=True)
def _runs(cells, n_cells, cell_start, first, end):
    """Merge the neighbour cells (in stencil order) into runs of consecutive cells, which
    are consecutive particle ranges after the cell sort: 2 runs instead of 5 cells in 2D,
    5 instead of 14 in 3D, so fewer short loops (each end of one is a missed branch)."""
    n_runs = 0
    q = 0
    while q < n_cells:
        a = cells[q]
        b = a
        while q + 1 < n_cells and cells[q + 1] == b + 1:
            q += 1
            b += 1
        first[n_runs] = np.uint64(cell_start[a])
        end[n_runs] = np.uint64(cell_start[b + 1])
        n_runs += 1
        q += 1
    return n_runs


@njit(cache=True, nogil=True)
def _search_all(i, x, box, periodic, ncell, cell_start, scell, rlist2, pi, pj, m, cap):
    """Pairs (i, j > i) over every neighbour cell, each cell once: for boxes with fewer
    than 3 cells along a periodic axis, where the half shell would visit a cell twice."""
    dim = x.shape[1]
    nc0 = ncell[0]
    nc1 = ncell[1]
    nc2 = ncell[2] if dim == 3 else 1
    c = scell[i]
    c2 = c % nc2
    c1 = (c // nc2) % nc1
    c0 = c // (nc2 * nc1)
    lo0, hi0 = _offsets(nc0, periodic[0])
    lo1, hi1 = _offsets(nc1, periodic[1])
    lo2, hi2 = _offsets(nc2, periodic[2]) if dim == 3 else (0, 0)
    for o0 in range(lo0, hi0 + 1):
        d0 = c0 + o0
        if d0 < 0 or d0 >= nc0:
            if not periodic[0]:
                continue
            d0 = (d0 + nc0) % nc0
        for o1 in range(lo1, hi1 + 1):
            d1 = c1 + o1
            if d1 < 0 or d1 >= nc1:
                if not periodic[1]:
                    continue
                d1 = (d1 + nc1) % nc1
            for o2 in range(lo2, hi2 + 1):
                d2 = c2 + o2
                if d2 < 0 or d2 >= nc2:
                    if not periodic[2]:
                        continue
                    d2 = (d2 + nc2) % nc2
                cc = (d0 * nc1 + d1) * nc2 + d2
                for j in range(max(cell_start[cc], i + 1), cell_start[cc + 1]):
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
                            pi[m] = i
                            pj[m] = j
                        m += 1
    return m


@njit(cache=True, nogil=True)
def list_task(k, x, box, periodic, ncell, grid, cell_start, scell, rlist2, slab_row, pi, pj, cap, pend):
    """Build the pairs of slab k (rows [slab_row[k], slab_row[k + 1]) of cells along
    axis 0) into [k cap, (k + 1) cap); pend[8 k] = end. ``grid`` = (stencil, cells,
    periodic flags, box, half box) padded to 3 axes (``cells.grid3``). Returns the
    number of pairs found (more than cap: the buffer must grow)."""
    base = k * cap
    m = base
    dim = x.shape[1]
    fast = True
    for a in range(dim):
        if periodic[a] and ncell[a] < 3:
            fast = False
    if not fast:
        for i in range(cell_start[slab_row[k] * (cell_start.shape[0] - 1) // ncell[0]],
                       cell_start[slab_row[k + 1] * (cell_start.shape[0] - 1) // ncell[0]]):
            m = _search_all(i, x, box, periodic, ncell, cell_start, scell, rlist2, pi, pj, m, base + cap)
        pend[8 * k] = min(m, base + cap)
        return m - base
    stn, nc, per, bx, hb = grid
    cells = np.empty(14, np.int64)
    first = np.empty(14, np.uint64)
    end = np.empty(14, np.uint64)
    nc0, nc1, nc2 = nc[0], nc[1], nc[2]
    # cells visited in order by their coordinates: no integer division per cell (four
    # of them per cell cost more than the whole search at ~1 particle per cell)
    for c0 in range(slab_row[k], slab_row[k + 1]):
        for c1 in range(nc1):
            for c2 in range(nc2):
                c = (c0 * nc1 + c1) * nc2 + c2
                if cell_start[c] == cell_start[c + 1]:
                    continue
                n_cells = 0
                for q in range(stn.shape[0]):
                    d0 = c0 + stn[q, 0]
                    d1 = c1 + stn[q, 1]
                    d2 = c2 + stn[q, 2]
                    if d0 < 0 or d0 >= nc0:
                        if not per[0]:
                            continue
                        d0 = d0 + nc0 if d0 < 0 else d0 - nc0
                    if d1 < 0 or d1 >= nc1:
                        if not per[1]:
                            continue
                        d1 = d1 + nc1 if d1 < 0 else d1 - nc1
                    if d2 < 0 or d2 >= nc2:
                        if not per[2]:
                            continue
                        d2 = d2 + nc2 if d2 < 0 else d2 - nc2
                    cells[n_cells] = (d0 * nc1 + d1) * nc2 + d2
                    n_cells += 1
                n_runs = _runs(cells, n_cells, cell_start, first, end)
                for i in range(cell_start[c], cell_start[c + 1]):
                    m = _search_half(i, first, end, n_runs, x, per, bx, hb, rlist2, pi, pj, m, base + cap)
    pend[8 * k] = min(m, base + cap)
    return m - base


@njit(cache=True, nogil=True)
def force_task(x, f, box, periodic, prm, pi, pj, lo, hi):
    """f += pair forces (accelerations, m = 1) over pairs [lo, hi), Newton's third law;
    returns OVERLAP if a pair is closer than r_min, else OK."""
    dim = x.shape[1]
    zero = prm[P_ONE] - prm[P_ONE]
    one = prm[P_ONE]
    c48 = prm[P_C48]
    c24 = prm[P_C24]
    rc2 = prm[P_RC2]
    r2min = prm[P_R2MIN]
    status = OK
    lx, ly = box[0], box[1]
    hx, hy = prm[P_HALF] * lx, prm[P_HALF] * ly
    px, py = periodic[0], periodic[1]
    if dim == 2:
        for p in range(lo, hi):
            i = pi[p]
            j = pj[p]
            dx = _mi(x[i, 0] - x[j, 0], px, lx, hx)
            dy = _mi(x[i, 1] - x[j, 1], py, ly, hy)
            r2 = dx * dx + dy * dy
            if r2 < r2min:
                status = OVERLAP
            # branch-free cutoff: ~40 % of list pairs lie beyond r_c, an unpredictable
            # branch costs more than computing and masking
            r2i = one / r2
            r6i = r2i * r2i * r2i
            ff = r6i * r2i * (c48 * r6i - c24)
            ff = ff if r2 < rc2 else zero
            fx = ff * dx
            fy = ff * dy
            f[i, 0] += fx
            f[i, 1] += fy
            f[j, 0] -= fx
            f[j, 1] -= fy
    else:
        lz = box[2]
        hz = prm[P_HALF] * lz
        pz = periodic[2]
        for p in range(lo, hi):
            i = pi[p]
            j = pj[p]
            dx = _mi(x[i, 0] - x[j, 0], px, lx, hx)
            dy = _mi(x[i, 1] - x[j, 1], py, ly, hy)
            dz = _mi(x[i, 2] - x[j, 2], pz, lz, hz)
            r2 = dx * dx + dy * dy + dz * dz
            if r2 < r2min:
                status = OVERLAP
            r2i = one / r2
            r6i = r2i * r2i * r2i
            ff = r6i * r2i * (c48 * r6i - c24)
            ff = ff if r2 < rc2 else zero
            fx = ff * dx
            fy = ff * dy
            fz = ff * dz
            f[i, 0] += fx
            f[i, 1] += fy
            f[i, 2] += fz
            f[j, 0] -= fx
            f[j, 1] -= fy
            f[j, 2] -= fz
    return status


@njit(cache=True, nogil=True)
def pair_energy(x, box, periodic, prm, pi, pj, lo, hi):
    """(potential energy, virial sum of r.F) [energy] over pairs [lo, hi)."""
    dim = x.shape[1]
    zero = prm[P_ONE] - prm[P_ONE]
    epot = 0.0
    vir = 0.0
    for p in range(lo, hi):
        i = pi[p]
        j = pj[p]
        r2 = zero
        for a in range(dim):
            d = _mi(x[i, a] - x[j, a], periodic[a], box[a], prm[P_HALF] * box[a])
            r2 += d * d
        if r2 < prm[P_RC2]:
            r2i = prm[P_ONE] / r2
            r6i = r2i * r2i * r2i
            epot += prm[P_C4] * r6i * (r6i - prm[P_ONE]) - prm[P_SHIFT]
            vir += r6i * r2i * (prm[P_C48] * r6i - prm[P_C24]) * r2
    return epot, vir
