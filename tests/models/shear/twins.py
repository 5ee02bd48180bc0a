"""Naive NumPy twins of the sheared-fluid kernels (no pair list, no nearest-image shortcut)."""

from __future__ import annotations

import numpy as np

RC = 2.0 ** (1.0 / 6.0)
SHIFT = 4.0 * RC ** -6 * (RC ** -6 - 1.0)


def image_sum(x, box, off):
    """Forces (N, d), energy and the pair virial tensor sum r_ij F_ij (d, d) of one system,
    summing every pair over the sliding-brick images j + n_x L_x e_x + n_y (L_y e_y + off e_x)
    (+ n_z L_z e_z), |n| <= 2: no nearest-image convention."""
    n, d = x.shape
    f = np.zeros((n, d))
    e = 0.0
    vir = np.zeros((d, d))
    ranges = [range(-2, 3)] * d
    shifts = []
    for nx in ranges[0]:
        for ny in ranges[1]:
            for nz in (ranges[2] if d == 3 else [0]):
                s = np.zeros(d)
                s[0] = nx * box[0] + ny * off
                s[1] = ny * box[1]
                if d == 3:
                    s[2] = nz * box[2]
                shifts.append(s)
    shifts = np.array(shifts)
    for i in range(n):
        for j in range(i + 1, n):
            r = x[i] - x[j] - shifts          # every image of j
            r2 = np.sum(r * r, axis=1)
            for k in np.flatnonzero(r2 < RC * RC):
                r6i = r2[k] ** -3
                ff = r6i / r2[k] * (48.0 * r6i - 24.0)
                e += 4.0 * r6i * (r6i - 1.0) - SHIFT
                f[i] += ff * r[k]
                f[j] -= ff * r[k]
                vir += ff * np.outer(r[k], r[k])
    return f, e, vir


def random_config(rng, n, density, dim, r_min=0.8):
    """Uniform positions in the box with no pair (nearest image, offset 0) closer than r_min."""
    box = np.full(dim, (n / density) ** (1.0 / dim))
    x = np.empty((0, dim))
    while x.shape[0] < n:
        c = rng.random(dim) * box
        d = x - c
        d -= box * np.rint(d / box)
        if x.shape[0] == 0 or np.min(np.sum(d * d, axis=1)) > r_min ** 2:
            x = np.vstack([x, c])
    return x, box
