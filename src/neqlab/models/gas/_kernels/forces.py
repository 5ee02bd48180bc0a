"""Pair forces: truncated-shifted LJ over half lists, serial and per spatial slab."""

from __future__ import annotations

import numpy as np
from numba import njit

from neqlab.models.gas._kernels.cells import OK, OVERLAP, P_C4, P_C24, P_C48, P_HALF, P_ONE, P_R2MIN, P_RC2, P_SHIFT, _mi


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
