"""Random sequential addition of non-overlapping particles (counter-based RNG)."""

from __future__ import annotations

import numpy as np
from numba import njit

from neqlab.core.rng import uniform01
from neqlab.models.gas._kernels.cells import ESCAPE, OK


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
