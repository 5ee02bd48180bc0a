"""Pair forces: truncated-shifted LJ over half lists, serial and per spatial slab."""

from __future__ import annotations

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
