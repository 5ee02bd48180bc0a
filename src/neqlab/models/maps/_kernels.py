"""Numba kernels of the area-preserving (and one dissipative) maps.

Points are an (n, 2) float64 array updated in place; each kernel loops over points in
parallel and over steps inside, so a point stays in registers. Status 0 is success,
1 means a coordinate became non-finite (Henon orbits escaping to infinity).
No fastmath: the cat map on dyadic points must stay bit-exact and reversible.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

TWO_PI = 2.0 * math.pi


@njit(cache=True, nogil=True, parallel=True)
def cat_run(pts, n_steps, inverse, wrap):
    """Arnold cat map (x, y) -> (x + y, x + 2y) [mod 1], or its inverse."""
    n = pts.shape[0]
    for i in prange(n):
        x = pts[i, 0]
        y = pts[i, 1]
        if wrap:
            if not inverse:
                for _ in range(n_steps):
                    x = x + y
                    x = x - math.floor(x)
                    y = x + y
                    y = y - math.floor(y)
            else:
                for _ in range(n_steps):
                    y = y - x
                    y = y - math.floor(y)
                    x = x - y
                    x = x - math.floor(x)
        else:
            if not inverse:
                for _ in range(n_steps):
                    x = x + y
                    y = x + y
            else:
                for _ in range(n_steps):
                    y = y - x
                    x = x - y
        pts[i, 0] = x
        pts[i, 1] = y
    return 0


@njit(cache=True, nogil=True, parallel=True)
def baker_run(pts, n_steps, inverse):
    """Baker's map on the unit square: (2x mod 1, (y + floor(2x))/2), or its inverse."""
    n = pts.shape[0]
    for i in prange(n):
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


@njit(cache=True, nogil=True, parallel=True)
def standard_run(pts, k, n_steps, inverse, wrap):
    """Chirikov standard map p' = p + K sin x, x' = x + p' [mod 2 pi], or its inverse."""
    n = pts.shape[0]
    for i in prange(n):
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


@njit(cache=True, nogil=True, parallel=True)
def henon_run(pts, a, b, n_steps, inverse, status):
    """Henon map (x, y) -> (1 - a x^2 + y, b x) (|det J| = |b|), or its inverse."""
    n = pts.shape[0]
    for i in prange(n):
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

