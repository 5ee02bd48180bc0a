"""Numba kernels of the area-preserving (and one dissipative) maps.

Points are an (n, 2) float64 array updated in place; each kernel loops over points and
over steps inside, so a point stays in registers. Kernels are serial and release the GIL
(``nogil``): parallelism comes from the runner's threads over regions/replicas (numba's
default workqueue layer must not be entered from several threads at once). Status 0 is success,
1 means a coordinate became non-finite (Henon orbits escaping to infinity).
No fastmath: the cat map on dyadic points must stay bit-exact and reversible.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

TWO_PI = 2.0 * math.pi


BLOCK = 256


@njit(cache=True, nogil=True)
def cat_run(pts, n_steps, inverse, wrap):
    """Arnold cat map (x, y) -> (x + y, x + 2y) [mod 1], or its inverse.

    Points are processed in blocks of BLOCK kept in L1 cache, all steps per block, with a
    branch-free inner loop over the block that LLVM vectorises (np.floor -> vroundpd).
    """
    n = pts.shape[0]
    xb = np.empty(BLOCK)
    yb = np.empty(BLOCK)
    for lo in range(0, n, BLOCK):
        m = min(BLOCK, n - lo)
        for j in range(m):
            xb[j] = pts[lo + j, 0]
            yb[j] = pts[lo + j, 1]
        if wrap and not inverse:
            for _ in range(n_steps):
                for j in range(m):
                    x = xb[j] + yb[j]
                    x = x - np.floor(x)
                    y = x + yb[j]
                    xb[j] = x
                    yb[j] = y - np.floor(y)
        elif wrap:
            for _ in range(n_steps):
                for j in range(m):
                    y = yb[j] - xb[j]
                    y = y - np.floor(y)
                    x = xb[j] - y
                    xb[j] = x - np.floor(x)
                    yb[j] = y
        elif not inverse:
            for _ in range(n_steps):
                for j in range(m):
                    x = xb[j] + yb[j]
                    xb[j] = x
                    yb[j] = x + yb[j]
        else:
            for _ in range(n_steps):
                for j in range(m):
                    y = yb[j] - xb[j]
                    xb[j] = xb[j] - y
                    yb[j] = y
        for j in range(m):
            pts[lo + j, 0] = xb[j]
            pts[lo + j, 1] = yb[j]
    return 0


@njit(cache=True, nogil=True)
def baker_run(pts, n_steps, inverse):
    """Baker's map on the unit square: (2x mod 1, (y + floor(2x))/2), or its inverse."""
    n = pts.shape[0]
    for i in range(n):
        x = pts[i, 0]
        y = pts[i, 1]
        if not inverse:
            for _ in range(n_steps):
                b = math.floor(2.0 * x)
                x = 2.0 * x - b
                y = 0.5 * (y + b)
        else:
            for _ in range(n_steps):
                b = math.floor(2.0 * y)
                y = 2.0 * y - b
                x = 0.5 * (x + b)
        pts[i, 0] = x
        pts[i, 1] = y
    return 0


@njit(cache=True, nogil=True)
def standard_run(pts, k, n_steps, inverse, wrap):
    """Chirikov standard map p' = p + K sin x, x' = x + p' [mod 2 pi], or its inverse."""
    n = pts.shape[0]
    for i in range(n):
        x = pts[i, 0]
        p = pts[i, 1]
        if not inverse:
            for _ in range(n_steps):
                p = p + k * math.sin(x)
                x = x + p
                if wrap:
                    p = p - TWO_PI * math.floor(p / TWO_PI)
                    x = x - TWO_PI * math.floor(x / TWO_PI)
        else:
            for _ in range(n_steps):
                x = x - p
                p = p - k * math.sin(x)
                if wrap:
                    p = p - TWO_PI * math.floor(p / TWO_PI)
                    x = x - TWO_PI * math.floor(x / TWO_PI)
        pts[i, 0] = x
        pts[i, 1] = p
    return 0


@njit(cache=True, nogil=True)
def henon_run(pts, a, b, n_steps, inverse, status):
    """Henon map (x, y) -> (1 - a x^2 + y, b x) (|det J| = |b|), or its inverse."""
    n = pts.shape[0]
    for i in range(n):
        x = pts[i, 0]
        y = pts[i, 1]
        if not inverse:
            for _ in range(n_steps):
                xn = 1.0 - a * x * x + y
                y = b * x
                x = xn
        else:
            for _ in range(n_steps):
                xo = y / b
                y = x - 1.0 + a * xo * xo
                x = xo
        if not (math.isfinite(x) and math.isfinite(y)):
            status[i] = 1
        pts[i, 0] = x
        pts[i, 1] = y
    return 0

