"""Numba kernels of the toy models (Ehrenfest urn, Kac ring). Not exported."""

from __future__ import annotations

import numpy as np
from numba import njit

from neqlab.core.rng import uniform01


@njit(cache=True, nogil=True)
def ehrenfest_walk(keys, n_particles, n_start, n_steps, stride, out):
    """Fill out[r, k] with n_left at step k*stride for replica r (stream keys[r])."""
    n_rep = keys.shape[0]
    for r in range(n_rep):
        key = keys[r]
        n = n_start
        out[r, 0] = n
        for t in range(1, n_steps + 1):
            # the chosen ball is in the left urn with probability n / N
            if uniform01(key, t) * n_particles < n:
                n -= 1
            else:
                n += 1
            if t % stride == 0:
                out[r, t // stride] = n
    return 0


@njit(cache=True, nogil=True)
def ehrenfest_return(keys, n_particles, n_start, max_steps, out):
    """out[r] = first return time of replica r to n_start, or -1 if beyond max_steps."""
    for r in range(keys.shape[0]):
        key = keys[r]
        n = n_start
        out[r] = -1
        for t in range(1, max_steps + 1):
            if uniform01(key, t) * n_particles < n:
                n -= 1
            else:
                n += 1
            if n == n_start:
                out[r] = t
                break
    return 0


@njit(cache=True, nogil=True)
def kac_steps(colour, sign, t_start, n_steps, direction, delta_out):
    """Advance the Kac ring n_steps from time t_start (direction +1) or back (-1).

    Balls are indexed by their starting site b; at time t ball b sits on site
    (b + t) mod n and crossing edge (b + t - 1) mod n multiplies its colour by
    sign[edge] (+1 or -1). Going back undoes the same flips, so the map is
    exactly reversible. delta_out[k] = sum(colour)/n after the k-th step.
    """
    n = colour.shape[0]
    t = t_start
    for k in range(n_steps):
        if direction > 0:
            t += 1
            edge_t = t
        else:
            edge_t = t
            t -= 1
        off = (edge_t - 1) % n
        total = 0
        m = n - off
        for b in range(m):
            c = colour[b] * sign[b + off]
            colour[b] = c
            total += c
        for b in range(m, n):
            c = colour[b] * sign[b + off - n]
            colour[b] = c
            total += c
        delta_out[k] = total / n
    return t


@njit(cache=True, nogil=True)
def kac_markers(key, marker_fraction, sign):
    """Draw the markers of one ring: sign[i] = -1 with probability marker_fraction."""
    count = 0
    for i in range(sign.shape[0]):
        if uniform01(key, i) < marker_fraction:
            sign[i] = -1
            count += 1
        else:
            sign[i] = 1
    return count
