"""The serial velocity Verlet step loop (half list, optional piston)."""

from __future__ import annotations

import numpy as np
from numba import njit

from neqlab.models.gas._kernels.cells import OK, P_DT, P_HALF, P_HSKIN2, P_RLIST2, _cell_grid, rebuild
from neqlab.models.gas._kernels.forces import half_list_forces


@njit(cache=True, nogil=True)
def _kick_drift(x, v, f, x0, box, periodic, dt, c, hi0, u0):
    """v += f c; x += v dt with specular reflection at walls; f = 0.

    The upper wall of axis 0 sits at ``hi0`` and moves at ``u0`` (a piston; hi0 =
    box[0], u0 = 0 for a fixed wall): there v_x -> 2 u0 - v_x, and the kinetic energy
    it gives the particle is the work done on the gas. Returns (max squared
    displacement since the last list build, NaN if any; work).
    """
    n, dim = x.shape
    zero = dt - dt
    maxd = zero
    work = 0.0
    for i in range(n):
        d2 = zero
        for k in range(dim):
            vk = v[i, k] + f[i, k] * c
            xi = x[i, k] + vk * dt
            if not periodic[k]:
                hi = hi0 if k == 0 else box[k]
                if xi < zero:
                    xi = -xi
                    vk = -vk
                elif xi > hi:
                    xi = hi + hi - xi
                    if k == 0:
                        vn = u0 + u0 - vk
                        work += 0.5 * (vn * vn - vk * vk)
                        vk = vn
                    else:
                        vk = -vk
            v[i, k] = vk
            x[i, k] = xi
            f[i, k] = zero
            dd = xi - x0[i, k]
            d2 += dd * dd
        if d2 > maxd:
            maxd = d2
        elif not d2 == d2:  # NaN: force a rebuild, which reports it
            return d2, work
    return maxd, work


@njit(cache=True, nogil=True)
def verlet_run(x, v, f, ids, box, periodic, prm, n_steps, wall):
    """Velocity Verlet, serial, half list; returns (status, steps done, wall work).

    ``wall``: positions of the upper wall of axis 0 at steps 0..n_steps (a piston;
    ``box`` then spans its largest position), or an empty array for a fixed box.
    """
    n, dim = x.shape
    ncell = _cell_grid(box, periodic, np.sqrt(prm[P_RLIST2]))
    nbr = np.empty(8 * n + 16, np.int32)
    st, nbr_start, nbr = rebuild(x, (v,), ids, box, periodic, ncell, prm[P_RLIST2], True, nbr)
    if st != OK:
        return st, 0, 0.0
    x0 = x.copy()
    st, e, w = half_list_forces(x, box, periodic, prm, nbr_start, nbr, f)
    if st != OK:
        return st, 0, 0.0
    dt = prm[P_DT]
    hdt = prm[P_HALF] * dt
    piston = wall.shape[0] > 0
    hi0 = box[0]
    u0 = dt - dt
    work = 0.0
    for s in range(n_steps):
        if piston:
            hi0 = wall[s + 1]
            u0 = (wall[s + 1] - wall[s]) / dt
        # kick by the previous force (half a step at the start), drift, zero f
        maxd, dw = _kick_drift(x, v, f, x0, box, periodic, dt, hdt if s == 0 else dt, hi0, u0)
        work += dw
        if not maxd <= prm[P_HSKIN2]:
            st, nbr_start, nbr = rebuild(x, (v,), ids, box, periodic, ncell, prm[P_RLIST2], True, nbr)
            if st != OK:
                return st, s, work
            x0[:] = x
        st, e, w = half_list_forces(x, box, periodic, prm, nbr_start, nbr, f, False)
        if st != OK:
            return st, s, work
    if n_steps > 0:
        for i in range(n):
            for k in range(dim):
                v[i, k] += f[i, k] * hdt
    return OK, n_steps, work
