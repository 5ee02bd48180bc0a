"""Status codes, the scalar layout, the cell grid, binning and the counting sort."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

OK, NONFINITE, OVERLAP, ESCAPE, LIST_FULL = 0, 1, 2, 3, 4
P_DT, P_RC2, P_RLIST2, P_HSKIN2, P_SHIFT, P_R2MIN, P_C48, P_C24, P_C4, P_ONE, P_HALF = range(11)


def cell_grid(box, rlist: float) -> np.ndarray:
    """Cells per axis (int64): the most cells of side >= ``rlist`` [length], at least 1."""
    return np.array([max(1, min(int(math.floor(float(b) / rlist)), 1 << 20)) for b in box], np.int64)


def half_stencil(dim: int) -> np.ndarray:
    """Neighbour-cell offsets (S, 3) of a half shell: the cell itself, then the offsets
    whose first non-zero component is positive, so each pair of cells is visited once.
    Their order puts cells that are neighbours along the last axis next to each other."""
    rows = [(0, 0, 0)]
    for o0 in (-1, 0, 1):
        for o1 in (-1, 0, 1):
            for o2 in ((-1, 0, 1) if dim == 3 else (0,)):
                first = o0 if o0 else (o1 if o1 else o2)
                if first > 0:
                    rows.append((o0, o1, o2))
    return np.array(rows, np.int64)


def grid3(box, periodic, ncell, dim: int) -> tuple:
    """(stencil, cells per axis, periodic flags, box, half box) padded to 3 axes, the
    arrays the pair search reads (the box as float64)."""
    nc = np.ones(3, np.int64)
    per = np.zeros(3, np.bool_)
    bx = np.ones(3)
    nc[:dim], per[:dim], bx[:dim] = ncell, periodic, np.asarray(box, np.float64)
    return half_stencil(dim), nc, per, bx, 0.5 * bx


@njit(cache=True, nogil=True)
def bin_one(x, i, box, periodic, ncell, cell_of):
    """Wrap particle i into periodic axes and store its cell index; returns status."""
    dim = x.shape[1]
    c = 0
    for k in range(dim):
        xi = x[i, k]
        if not np.isfinite(xi):
            return NONFINITE
        if periodic[k]:
            if xi >= box[k] or xi < 0:
                xi = xi - box[k] * np.floor(xi / box[k])
                if xi >= box[k]:
                    xi = xi - box[k]
                x[i, k] = xi
        elif xi < 0 or xi > box[k]:
            return ESCAPE
        ck = int(xi / box[k] * ncell[k])
        if ck >= ncell[k]:
            ck = ncell[k] - 1
        c = c * ncell[k] + ck
    cell_of[i] = c
    return OK


@njit(cache=True, nogil=True)
def counting_sort(n, ncell, cell_of, order, cell_start):
    """order = particles by cell (stable), cell_start = CSR offsets of the cells."""
    ncells = 1
    for k in range(ncell.shape[0]):
        ncells *= ncell[k]
    for c in range(ncells + 1):
        cell_start[c] = 0
    for i in range(n):
        cell_start[cell_of[i] + 1] += 1
    for c in range(ncells):
        cell_start[c + 1] += cell_start[c]
    fill = cell_start[:-1].copy()
    for i in range(n):
        c = cell_of[i]
        order[fill[c]] = i
        fill[c] += 1
    return OK


@njit(cache=True, nogil=True)
def _offsets(nc, per):
    """Distinct neighbour-cell offsets along one axis."""
    if nc >= 3 or not per:
        return -1, 1
    if nc == 2:
        return 0, 1
    return 0, 0


@njit(cache=True, nogil=True)
def _mi(dx, per, lk, hk):
    """Minimum image along one axis (dx within 1.5 L)."""
    if per:
        if dx > hk:
            dx -= lk
        elif dx < -hk:
            dx += lk
    return dx
