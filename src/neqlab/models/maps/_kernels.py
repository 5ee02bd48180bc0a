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


# sin for the standard map, branch-free so that LLVM vectorises the block loop (numba's
# libm sin is a scalar call): Cody-Waite reduction by pi/2 (fdlibm's 33-bit split, exact
# for |x| < 1e5), Taylor polynomials to r^17 / r^18 on |r| <= pi/4 (truncation < 1e-19).
# Agrees with libm to 1 ulp (tested).
PIO2_HI = 1.57079632673412561417e00
PIO2_LO = 6.07710050650619224932e-11
TWO_OVER_PI = 0.63661977236758134308
_S = [(-1.0) ** n / math.factorial(2 * n + 1) for n in range(1, 9)]
_C = [(-1.0) ** n / math.factorial(2 * n) for n in range(1, 10)]
S1, S2, S3, S4, S5, S6, S7, S8 = _S
C1, C2, C3, C4, C5, C6, C7, C8, C9 = _C


@njit(cache=True, nogil=True, inline="always")
def fast_sin(x):
    k = np.floor(x * TWO_OVER_PI + 0.5)
    r = (x - k * PIO2_HI) - k * PIO2_LO
    z = r * r
    s = r + r * z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * (S6 + z * (S7 + z * S8)))))))
    c = 1.0 + z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * (C6 + z * (C7 + z * (C8 + z * C9))))))))
    q = k - 4.0 * np.floor(k * 0.25)
    v = c if (q == 1.0 or q == 3.0) else s
    return -v if q >= 2.0 else v


@njit(cache=True, nogil=True)
def standard_run(pts, k, n_steps, inverse, wrap):
    """Chirikov standard map p' = p + K sin x, x' = x + p' [mod 2 pi], or its inverse.

    Blocked and vectorised like :func:`cat_run`, with :func:`fast_sin`.
    """
    n = pts.shape[0]
    xb = np.empty(BLOCK)
    pb = np.empty(BLOCK)
    inv_two_pi = 1.0 / TWO_PI
    for lo in range(0, n, BLOCK):
        m = min(BLOCK, n - lo)
        for j in range(m):
            xb[j] = pts[lo + j, 0]
            pb[j] = pts[lo + j, 1]
        for _ in range(n_steps):
            if not inverse:
                for j in range(m):
                    p = pb[j] + k * fast_sin(xb[j])
                    x = xb[j] + p
                    if wrap:
                        p = p - TWO_PI * np.floor(p * inv_two_pi)
                        x = x - TWO_PI * np.floor(x * inv_two_pi)
                    xb[j] = x
                    pb[j] = p
            else:
                for j in range(m):
                    x = xb[j] - pb[j]
                    p = pb[j] - k * fast_sin(x)
                    if wrap:
                        p = p - TWO_PI * np.floor(p * inv_two_pi)
                        x = x - TWO_PI * np.floor(x * inv_two_pi)
                    xb[j] = x
                    pb[j] = p
        for j in range(m):
            pts[lo + j, 0] = xb[j]
            pts[lo + j, 1] = pb[j]
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

