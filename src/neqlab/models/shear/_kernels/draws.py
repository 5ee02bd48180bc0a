"""Counter-based draws for initial states: one stream per system, keyed by (seed, id)."""

from __future__ import annotations

import math

from numba import njit, prange

from neqlab.core.rng import uniform01

# counters: momenta use 2 per component from 0 on; the Lees-Edwards offset uses C_OFFSET
C_OFFSET = 1 << 40


@njit(cache=True, nogil=True, parallel=True)
def draw_momenta(keys, p, u_off):
    """p[s] ~ N(0, 1) per component (Box-Muller on uniform01(keys[s], counter)); u_off[s]
    a uniform number in [0, 1) for the offset. Depends only on the key, never on threads."""
    ms, n, dim = p.shape
    for s in prange(ms):
        key = keys[s]
        c = 0
        for i in range(n):
            for k in range(dim):
                u1 = uniform01(key, c)
                u2 = uniform01(key, c + 1)
                c += 2
                p[s, i, k] = math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)
        u_off[s] = uniform01(key, C_OFFSET)
    return 0
