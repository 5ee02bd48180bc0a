"""The serial velocity Verlet step loop (half list, optional piston, optional thermal walls)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from neqlab.core.rng import splitmix64, uniform01
from neqlab.models.gas._kernels.cells import OK, P_DT, P_HALF, P_HSKIN2, P_RLIST2, _cell_grid, rebuild
from neqlab.models.gas._kernels.forces import half_list_forces


@njit(cache=True, nogil=True)
def _thermalise(x, v, i, pid, hit, inward, since, hi0, box, kT, key, step):
    """Diffuse (thermal) wall: particle i leaves with a fresh velocity at temperature kT.

    Normal component (axis ``hit``, sign ``inward``): flux-weighted Maxwell,
    |v_n| = sqrt(-2 kT ln(1 - u)); tangential components: Maxwell, by Box-Muller. The
    uniforms come from the counter-based stream (key, step, particle id), so the draw
    does not depend on the particle's place in memory. The particle hit the wall
    ``since`` [time] before the end of the drift: it is moved to where the new
    velocity takes it from the point of impact (unless that would leave the box).
    Returns the kinetic energy the particle gave to the wall [energy] (m = 1).
    """
    dim = v.shape[1]
    k_step = key ^ splitmix64(np.uint64(step))
    base = np.uint64(pid) * np.uint64(8)
    sig = math.sqrt(kT)
    ke_old = 0.0
    ke_new = 0.0
    inside = True
    vnew = np.empty(3)
    xnew = np.empty(3)
    for k in range(dim):
        u1 = uniform01(k_step, base + np.uint64(2 * k))
        if k == hit:
            vk = inward * sig * math.sqrt(-2.0 * math.log1p(-u1))
        else:
            u2 = uniform01(k_step, base + np.uint64(2 * k + 1))
            vk = sig * math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)
        vnew[k] = vk
        xnew[k] = float(x[i, k]) + (vk - float(v[i, k])) * since
        hi = hi0 if k == 0 else box[k]
        if not (0.0 <= xnew[k] <= hi):
            inside = False
    for k in range(dim):
        ke_old += float(v[i, k]) * float(v[i, k])
        v[i, k] = vnew[k]
        ke_new += float(v[i, k]) * float(v[i, k])
        if inside:
            x[i, k] = xnew[k]
    return 0.5 * (ke_old - ke_new)


@njit(cache=True, nogil=True, inline="always")
def _kick_drift(x, v, f, x0, box, periodic, dt, c, hi0, u0, pist, ids, bath, key, step):
    """v += f c; x += v dt with reflection at walls; f = 0.

    The upper wall of axis 0 sits at ``hi0``; with ``pist`` it is a piston moving at
    ``u0``: there v_x -> 2 u0 - v_x, and the kinetic energy it gives the particle is
    the work done on the gas. ``bath`` empty: every other wall is specular; ``bath =
    [kT]``: every wall but the piston is thermal (:func:`_thermalise`). Returns (max
    squared displacement since the last list build, NaN if any; work; heat given to the
    walls).
    """
    n, dim = x.shape
    zero = dt - dt
    maxd = zero
    work = 0.0
    heat = 0.0
    thermal = bath.shape[0] > 0
    for i in range(n):
        d2 = zero
        hit = -1
        inward = 1.0
        since = 0.0
        for k in range(dim):
            vk = v[i, k] + f[i, k] * c
            xi = x[i, k] + vk * dt
            if not periodic[k]:
                hi = hi0 if k == 0 else box[k]
                if xi < zero:
                    xi = -xi
                    vk = -vk
                    if hit < 0:
                        hit = k
                        inward = 1.0
                        since = xi / vk
                elif xi > hi:
                    xi = hi + hi - xi
                    if k == 0 and pist:
                        vn = u0 + u0 - vk
                        work += 0.5 * (vn * vn - vk * vk)
                        vk = vn
                    else:
                        vk = -vk
                        if hit < 0:
                            hit = k
                            inward = -1.0
                            since = (xi - hi) / vk
            v[i, k] = vk
            x[i, k] = xi
            f[i, k] = zero
            dd = xi - x0[i, k]
            d2 += dd * dd
        if thermal and hit >= 0:
            heat += _thermalise(x, v, i, ids[i], hit, inward, since, hi0, box, bath[0], key, step)
            d2 = zero
            for k in range(dim):
                dd = x[i, k] - x0[i, k]
                d2 += dd * dd
        if d2 > maxd:
            maxd = d2
        elif not d2 == d2:  # NaN: force a rebuild, which reports it
            return d2, work, heat
    return maxd, work, heat


@njit(cache=True, nogil=True)
def verlet_run(x, v, f, ids, box, periodic, prm, n_steps, wall, bath, key, step0):
    """Velocity Verlet, serial, half list; returns (status, steps done, wall work, heat).

    ``wall``: positions of the upper wall of axis 0 at steps 0..n_steps (a piston;
    ``box`` then spans its largest position), or an empty array for a fixed box.
    ``bath``: ``[kT]`` for thermal walls (noise stream ``key``, counted from the
    absolute step ``step0``) or empty for specular walls.
    """
    n, dim = x.shape
    ncell = _cell_grid(box, periodic, np.sqrt(prm[P_RLIST2]))
    nbr = np.empty(8 * n + 16, np.int32)
    st, nbr_start, nbr = rebuild(x, (v,), ids, box, periodic, ncell, prm[P_RLIST2], True, nbr)
    if st != OK:
        return st, 0, 0.0, 0.0
    x0 = x.copy()
    st, e, w = half_list_forces(x, box, periodic, prm, nbr_start, nbr, f)
    if st != OK:
        return st, 0, 0.0, 0.0
    dt = prm[P_DT]
    hdt = prm[P_HALF] * dt
    piston = wall.shape[0] > 0
    hi0 = box[0]
    u0 = dt - dt
    work = 0.0
    heat = 0.0
    for s in range(n_steps):
        if piston:
            hi0 = wall[s + 1]
            u0 = (wall[s + 1] - wall[s]) / dt
        # kick by the previous force (half a step at the start), drift, zero f
        maxd, dw, dq = _kick_drift(x, v, f, x0, box, periodic, dt, hdt if s == 0 else dt, hi0, u0,
                                   piston, ids, bath, key, step0 + s)
        work += dw
        heat += dq
        if not maxd <= prm[P_HSKIN2]:
            st, nbr_start, nbr = rebuild(x, (v,), ids, box, periodic, ncell, prm[P_RLIST2], True, nbr)
            if st != OK:
                return st, s, work, heat
            x0[:] = x
        st, e, w = half_list_forces(x, box, periodic, prm, nbr_start, nbr, f, False)
        if st != OK:
            return st, s, work, heat
    if n_steps > 0:
        for i in range(n):
            for k in range(dim):
                v[i, k] += f[i, k] * hdt
    return OK, n_steps, work, heat
