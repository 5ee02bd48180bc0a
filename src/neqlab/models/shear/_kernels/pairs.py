"""Pair geometry and WCA forces under Lees-Edwards boundaries (one system at a time).

Sliding-brick images: the copy of the box above (y + L_y) is shifted by ``off`` in x,
the copy below by -``off``; x and z are plainly periodic. The minimum image of a pair
takes the y image first (n_y in {-1, 0, 1}), shifts x by n_y * off, then wraps x.
Requires L_x, L_y (and L_z) >= 2 r_list, so the nearest image is unique.
"""

from __future__ import annotations

import numpy as np
from numba import njit

OK, NONFINITE, OVERLAP = 0, 1, 2
# scalar layout of ``prm`` (float64)
(P_DT, P_GAMMA, P_RC2, P_RLIST2, P_SKIN, P_SHIFT, P_R2MIN, P_RC, P_LX, P_LY, P_LZ, P_VOL) = range(12)
N_PRM = 12
# pair record of the tangent kernel: dx, dy, dz, ff, dff (ff = |F|/r, dff = d ff / d r^2)
N_PAIR = 5


@njit(cache=True, nogil=True, inline="always")
def min_image(x, i, j, off, lx, ly, lz, dim):
    """Separation r_i - r_j of the nearest Lees-Edwards image [length].

    Positions lie in [0, L) and off in [0, L_x), so |dy| < L_y and |dx| < 2 L_x:
    comparisons replace rint and divisions. Box lengths come as scalars: the callers
    read ``prm`` once before their loops (stores into the force array could alias it,
    so loads inside the loop would be repeated; 5x slower measured).
    """
    dy = x[i, 1] - x[j, 1]
    dx = x[i, 0] - x[j, 0]
    if dy > 0.5 * ly:
        dy -= ly
        dx -= off
    elif dy < -0.5 * ly:
        dy += ly
        dx += off
    if dx > 0.5 * lx:
        dx -= lx
        if dx > 0.5 * lx:
            dx -= lx
    elif dx < -0.5 * lx:
        dx += lx
        if dx < -0.5 * lx:
            dx += lx
    dz = 0.0
    if dim == 3:
        dz = x[i, 2] - x[j, 2]
        if dz > 0.5 * lz:
            dz -= lz
        elif dz < -0.5 * lz:
            dz += lz
    return dx, dy, dz


@njit(cache=True, nogil=True, inline="always")
def wca(r2, shift):
    """(ff, energy) of the WCA pair at r^2 (F = ff * r, energy shifted by ``shift``)."""
    r2i = 1.0 / r2
    r6i = r2i * r2i * r2i
    ff = r6i * r2i * (48.0 * r6i - 24.0)
    e = 4.0 * r6i * (r6i - 1.0) - shift
    return ff, e


@njit(cache=True, nogil=True, inline="always")
def wca_dff(r2):
    """d ff / d r^2 of the WCA pair."""
    r2i = 1.0 / r2
    r6i = r2i * r2i * r2i
    return r6i * r2i * r2i * (96.0 - 336.0 * r6i)


@njit(cache=True, nogil=True)
def build_pairs(x, off, prm, pi, pj):
    """Half list of every pair closer than r_list (all-pairs scan); returns the count,
    or -1 if ``pi``/``pj`` are too short (the caller grows them and retries)."""
    if x.shape[1] == 2:  # a literal dim lets the compiler drop the 3D branches (1.7x)
        return _build_pairs(x, off, prm, pi, pj, 2)
    return _build_pairs(x, off, prm, pi, pj, 3)


@njit(cache=True, nogil=True)
def _build_pairs(x, off, prm, pi, pj, dim):
    n = x.shape[0]
    rl2 = prm[P_RLIST2]
    lx, ly, lz = prm[P_LX], prm[P_LY], prm[P_LZ]
    cap = pi.shape[0]
    m = 0
    for i in range(n - 1):
        for j in range(i + 1, n):
            dx, dy, dz = min_image(x, i, j, off, lx, ly, lz, dim)
            if dx * dx + dy * dy + dz * dz < rl2:
                if m >= cap:
                    return -1
                pi[m] = i
                pj[m] = j
                m += 1
    return m


@njit(cache=True, nogil=True)
def all_pairs(n, pi, pj):
    """Every pair i < j (the list of the ``all_pairs`` neighbour mode); returns the count."""
    m = 0
    for i in range(n - 1):
        for j in range(i + 1, n):
            pi[m] = i
            pj[m] = j
            m += 1
    return m


@njit(cache=True, nogil=True)
def forces(x, off, prm, pi, pj, n_pairs, f, acc):
    """f = forces [energy/length] from the first ``n_pairs`` list pairs; acc = (potential
    energy, W_xy = sum_pairs x_ij F_y,ij, overlap flag). Returns the status.

    Branch-free cutoff (pairs beyond r_c add exact zeros, so the sums equal those of
    :func:`forces_pairs`, which skips them).
    """
    if x.shape[1] == 2:
        return _forces(x, off, prm, pi, pj, n_pairs, f, acc, 2)
    return _forces(x, off, prm, pi, pj, n_pairs, f, acc, 3)


@njit(cache=True, nogil=True, inline="always")
def _forces(x, off, prm, pi, pj, n_pairs, f, acc, dim):
    n = x.shape[0]
    for i in range(n):
        for k in range(dim):
            f[i, k] = 0.0
    rc2 = prm[P_RC2]
    r2min = prm[P_R2MIN]
    shift = prm[P_SHIFT]
    lx, ly, lz = prm[P_LX], prm[P_LY], prm[P_LZ]
    epot = 0.0
    wxy = 0.0
    bad = False
    for m in range(n_pairs):
        i, j = pi[m], pj[m]
        dx, dy, dz = min_image(x, i, j, off, lx, ly, lz, dim)
        r2 = dx * dx + dy * dy + dz * dz
        bad |= r2 < r2min
        inside = r2 < rc2
        ff, e = wca(r2, shift)
        ff = ff if inside else 0.0
        e = e if inside else 0.0
        epot += e
        wxy += ff * dx * dy
        f[i, 0] += ff * dx
        f[i, 1] += ff * dy
        f[j, 0] -= ff * dx
        f[j, 1] -= ff * dy
        if dim == 3:
            f[i, 2] += ff * dz
            f[j, 2] -= ff * dz
    acc[0] = epot
    acc[1] = wxy
    acc[2] = 1.0 if bad else 0.0
    return OVERLAP if bad else OK


@njit(cache=True, nogil=True)
def _energies(x, off, prm, out, dim):
    """out[s] = WCA potential energy [energy] of system s of the batch x (M, N, dim): every
    pair i < j in order, those inside r_c added. The same sum, bit for bit, as the
    potential energy of :func:`forces` over every pair (pairs beyond r_c add exact zeros
    there), without the forces."""
    n = x.shape[1]
    rc2 = prm[P_RC2]
    shift = prm[P_SHIFT]
    lx, ly, lz = prm[P_LX], prm[P_LY], prm[P_LZ]
    for s in range(x.shape[0]):
        xs = x[s]
        o = off[s]
        epot = 0.0
        for i in range(n - 1):
            for j in range(i + 1, n):
                dx, dy, dz = min_image(xs, i, j, o, lx, ly, lz, dim)
                r2 = dx * dx + dy * dy + dz * dz
                if r2 < rc2:
                    epot += wca(r2, shift)[1]
        out[s] = epot
    return OK


@njit(cache=True, nogil=True)
def potential_energies_2d(x, off, prm, out):
    """:func:`_energies` of a batch of 2D systems."""
    return _energies(x, off, prm, out, 2)


@njit(cache=True, nogil=True)
def potential_energies_3d(x, off, prm, out):
    """:func:`_energies` of a batch of 3D systems."""
    return _energies(x, off, prm, out, 3)


@njit(cache=True, nogil=True)
def forces_2d(x, off, prm, pi, pj, n_pairs, f, acc):
    """:func:`forces` of a 2D system (the run loops of one dimension call it: see
    :mod:`neqlab.models.shear._kernels`)."""
    return _forces(x, off, prm, pi, pj, n_pairs, f, acc, 2)


@njit(cache=True, nogil=True)
def forces_3d(x, off, prm, pi, pj, n_pairs, f, acc):
    """:func:`forces` of a 3D system."""
    return _forces(x, off, prm, pi, pj, n_pairs, f, acc, 3)


@njit(cache=True, nogil=True)
def forces_pairs(x, off, prm, pi, pj, n_pairs, f, acc, qi, qj, rec):
    """As :func:`forces`, and stores every interacting pair (r < r_c) for the tangent
    dynamics: qi, qj and rec[k] = (dx, dy, dz, ff, dff). Returns (status, count)."""
    if x.shape[1] == 2:
        return _forces_pairs(x, off, prm, pi, pj, n_pairs, f, acc, qi, qj, rec, 2)
    return _forces_pairs(x, off, prm, pi, pj, n_pairs, f, acc, qi, qj, rec, 3)


@njit(cache=True, nogil=True)
def _forces_pairs(x, off, prm, pi, pj, n_pairs, f, acc, qi, qj, rec, dim):
    n = x.shape[0]
    for i in range(n):
        for k in range(dim):
            f[i, k] = 0.0
    rc2 = prm[P_RC2]
    r2min = prm[P_R2MIN]
    shift = prm[P_SHIFT]
    lx, ly, lz = prm[P_LX], prm[P_LY], prm[P_LZ]
    epot = 0.0
    wxy = 0.0
    bad = False
    cnt = 0
    for m in range(n_pairs):
        a, b = pi[m], pj[m]
        dx, dy, dz = min_image(x, a, b, off, lx, ly, lz, dim)
        r2 = dx * dx + dy * dy + dz * dz
        bad |= r2 < r2min
        if r2 < rc2:
            ff, e = wca(r2, shift)
            dff = wca_dff(r2)
            epot += e
            wxy += ff * dx * dy
            f[a, 0] += ff * dx
            f[a, 1] += ff * dy
            f[b, 0] -= ff * dx
            f[b, 1] -= ff * dy
            if dim == 3:
                f[a, 2] += ff * dz
                f[b, 2] -= ff * dz
            qi[cnt] = a
            qj[cnt] = b
            rec[cnt, 0] = dx
            rec[cnt, 1] = dy
            rec[cnt, 2] = dz
            rec[cnt, 3] = ff
            rec[cnt, 4] = dff
            cnt += 1
    acc[0] = epot
    acc[1] = wxy
    acc[2] = 1.0 if bad else 0.0
    return (OVERLAP if bad else OK), cnt


@njit(cache=True, nogil=True)
def forces_pairs_2d(x, off, prm, pi, pj, n_pairs, f, acc, qi, qj, rec):
    """:func:`forces_pairs` of a 2D system."""
    return _forces_pairs(x, off, prm, pi, pj, n_pairs, f, acc, qi, qj, rec, 2)


@njit(cache=True, nogil=True)
def forces_pairs_3d(x, off, prm, pi, pj, n_pairs, f, acc, qi, qj, rec):
    """:func:`forces_pairs` of a 3D system."""
    return _forces_pairs(x, off, prm, pi, pj, n_pairs, f, acc, qi, qj, rec, 3)


@njit(cache=True, nogil=True)
def pressure_tensor_config(x, off, prm, out):
    """out[a, b] = sum over pairs of r_ij,a F_ij,b [energy] (all pairs, nearest image)."""
    n, dim = x.shape
    for a in range(dim):
        for b in range(dim):
            out[a, b] = 0.0
    r = np.zeros(3)
    lx, ly, lz = prm[P_LX], prm[P_LY], prm[P_LZ]
    for i in range(n - 1):
        for j in range(i + 1, n):
            dx, dy, dz = min_image(x, i, j, off, lx, ly, lz, dim)
            r2 = dx * dx + dy * dy + dz * dz
            if r2 < prm[P_RC2]:
                ff, _ = wca(r2, prm[P_SHIFT])
                r[0], r[1], r[2] = dx, dy, dz
                for a in range(dim):
                    for b in range(dim):
                        out[a, b] += r[a] * ff * r[b]
    return OK
