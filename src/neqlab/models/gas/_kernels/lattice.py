"""The bit-reversible integer leapfrog (Levesque & Verlet 1993)."""

from __future__ import annotations

import numpy as np
from numba import njit

from neqlab.models.gas._kernels.cells import ESCAPE, OK, OVERLAP, P_HSKIN2, P_R2MIN, P_RC2, P_RLIST2, _cell_grid, _mi, rebuild
from neqlab.models.gas._kernels.forces import _pair


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
            if r2 < prm[P_R2MIN]:
                status = OVERLAP
            # branch-free cutoff (as in the float kernels): pairs beyond r_c get g = 0,
            # hence exactly 0 after rounding; pairs inside are computed as always
            inside = r2 < prm[P_RC2]
            ff, e = _pair(r2, prm)
            g = ff * cacc if inside else 0.0
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
