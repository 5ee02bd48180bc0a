"""Numba kernels of the cell and histogram observables (cells, hydro, entropy).

One pass over the points instead of NumPy's chain of temporaries (floor, cast, modulo,
bincount), with the same integers and the same floats as that chain, bit for bit:

* the same float expression per point, in the same order of operations (no fastmath,
  no contraction into FMA);
* NumPy's float64 -> int64 cast on x86: a value outside the int64 range, inf or NaN
  gives INT64_MIN (:func:`to_int64`), which a Python-style modulo or a clip then maps
  the way NumPy does;
* sums per cell added one particle after the other, in particle order, as
  ``np.bincount(idx, weights=...)`` adds them.

Sums over cells (-sum p ln p, means) stay in NumPy: its pairwise summation order is not
reproduced here. Kernels are serial and release the GIL (the runner's threads run
regions side by side). Status 0 is success; the callers turn other values into errors.
"""

from __future__ import annotations

import numpy as np
from numba import njit

INT64_MIN = np.iinfo(np.int64).min
TWO_63 = 9.223372036854775808e18  # 2^63


def frozen(a) -> np.ndarray:
    """A read-only C-contiguous view of ``a`` (a copy only if it is not contiguous).

    The kernels' input arrays are passed read-only whatever the caller's flags, so each
    kernel compiles once: numba compiles a separate specialisation for read-only arrays.
    """
    view = np.ascontiguousarray(a).view()
    view.flags.writeable = False
    return view


@njit(inline="always")
def to_int64(f):
    """int64 of a floored float64, as NumPy's cast gives it on x86 (INT64_MIN when out of range or NaN)."""
    if f >= -TWO_63 and f < TWO_63:
        return np.int64(f)
    return INT64_MIN


@njit(inline="always")
def _torus_cell(x0, x1, lo, scale, n_side, wrap):
    """Flat cell (ix * n_side + iy) of a point; n_side^2 (the overflow cell) outside a box."""
    i0 = to_int64(np.floor((x0 - lo) * scale))
    i1 = to_int64(np.floor((x1 - lo) * scale))
    if wrap:  # Python's modulo, skipped inside [0, n_side) where it changes nothing
        if i0 < 0 or i0 >= n_side:
            i0 = i0 % n_side
        if i1 < 0 or i1 >= n_side:
            i1 = i1 % n_side
        return i0 * n_side + i1
    if i0 >= 0 and i0 < n_side and i1 >= 0 and i1 < n_side:
        return i0 * n_side + i1
    return n_side * n_side


@njit(cache=True, nogil=True, error_model="numpy")
def index_cells(x, lo, scale, n_side, wrap, out):
    """Flat cell index of each point (first two columns of ``x``) into ``out``; cells scaled by ``scale`` [1/length]."""
    for i in range(x.shape[0]):
        out[i] = _torus_cell(x[i, 0], x[i, 1], lo, scale, n_side, wrap)
    return 0


@njit(cache=True, nogil=True, error_model="numpy")
def count_cells(x, lo, scale, n_side, wrap, counts):
    """Add each point to ``counts[cell]`` (length n_side^2 + 1, zeroed by the caller); returns the occupied cells."""
    for i in range(x.shape[0]):
        counts[_torus_cell(x[i, 0], x[i, 1], lo, scale, n_side, wrap)] += 1
    n_occupied = 0
    for c in range(counts.shape[0]):
        if counts[c] > 0:
            n_occupied += 1
    return n_occupied


@njit(cache=True, nogil=True, error_model="numpy")
def count_segment_cells(v, d, k, lo, scale, n_side, wrap, counts):
    """Add the samples v_s + (j / k_s) d_s, j < k_s, of each segment s to ``counts[cell]``
    (as :func:`count_cells`; ``counts`` zeroed by the caller)."""
    for s in range(v.shape[0]):
        ks = np.float64(k[s])
        for j in range(k[s]):
            f = np.float64(j) / ks
            counts[_torus_cell(v[s, 0] + f * d[s, 0], v[s, 1] + f * d[s, 1], lo, scale, n_side, wrap)] += 1
    return 0


@njit(inline="always")
def _clipped(f, n):
    i = to_int64(np.floor(f))
    return 0 if i < 0 else (n - 1 if i > n - 1 else i)


@njit(cache=True, nogil=True, error_model="numpy")
def grid_counts(x, box, m, v, width, offset, cell_counts, bin_counts):
    """Histograms of points on a grid of cells and of their velocity components per cell.

    Cell of a point: axis k at clip(floor(x_k / box_k * m_k), 0, m_k - 1), row-major
    over ``m``; ``cell_counts[cell] += 1``. For each component k < bin_counts.shape[0]:
    bin clip(floor(v_k / width + offset), 0, n_bins - 1), ``bin_counts[k, cell, bin] += 1``.
    Output arrays are zeroed by the caller.
    """
    dim = x.shape[1]
    n_bins = bin_counts.shape[2]
    for i in range(x.shape[0]):
        cell = 0
        for k in range(dim):
            cell = cell * m[k] + _clipped(x[i, k] / box[k] * m[k], m[k])
        cell_counts[cell] += 1
        for k in range(bin_counts.shape[0]):
            bin_counts[k, cell, _clipped(v[i, k] / width + offset, n_bins)] += 1
    return 0


@njit(cache=True, nogil=True, error_model="numpy")
def check_gas(x, v, box):
    """Status of a gas's arrays: 0 fine, bit 1 a velocity is not finite, bit 2 a position
    is outside [0, box] or NaN."""
    status = 0
    for i in range(x.shape[0]):
        for k in range(x.shape[1]):
            if not np.isfinite(v[i, k]):
                status |= 1
            if not (x[i, k] >= 0.0 and x[i, k] <= box[k]):
                status |= 2
    return status


@njit(cache=True, nogil=True, error_model="numpy")
def rest_frame(x, v, box, m, idx, counts, u, w):
    """Cells of a gas, their mean velocity and the velocities in their rest frame.

    ``idx`` (N,) the flat cell of each particle (axis k: min(floor(x_k / box_k * m_k),
    m_k - 1), row-major); ``counts`` (n_cells,) particles per cell; ``u`` (n_cells,
    dim) the sum of the velocities per cell (added in particle order) divided by the
    count (NaN in an empty cell); ``w`` (N, dim) = v - u[idx]. ``counts`` and ``u``
    are zeroed by the caller, positions checked by :func:`check_gas` (status 2 if one
    is outside [0, box] all the same, with the cells filled so far).
    """
    n, dim = x.shape
    for i in range(n):
        c = 0
        for k in range(dim):
            if not (x[i, k] >= 0.0 and x[i, k] <= box[k]):
                return 2
            ik = np.int64(np.floor(x[i, k] / box[k] * m[k]))  # in [0, m_k]
            c = c * m[k] + min(ik, m[k] - 1)  # x = box goes to the last cell
        idx[i] = c
        counts[c] += 1
        for k in range(dim):
            u[c, k] += v[i, k]
    for c in range(u.shape[0]):
        for k in range(dim):
            u[c, k] = u[c, k] / np.float64(counts[c])
    for i in range(n):
        for k in range(dim):
            w[i, k] = v[i, k] - u[idx[i], k]
    return 0


@njit(cache=True, nogil=True, error_model="numpy")
def square_sums(v, w, idx, w2, s2, ke):
    """Per particle ``w2[i]`` = sum_k w_ik^2; per cell ``s2[c]`` the sum of w2 and ``ke[c]`` the
    sum of 0.5 sum_k (v_ik - w_ik)^2, added in particle order (``s2``, ``ke`` zeroed by the caller)."""
    dim = v.shape[1]
    for i in range(v.shape[0]):
        a = 0.0
        b = 0.0
        for k in range(dim):
            a += w[i, k] * w[i, k]
            d = v[i, k] - w[i, k]
            b += d * d
        w2[i] = a
        s2[idx[i]] += a
        ke[idx[i]] += 0.5 * b
    return 0


@njit(cache=True, nogil=True, error_model="numpy")
def cell_sums(idx, a, out):
    """``out[idx[i], j] += a[i, j]`` in particle order (``np.bincount`` with weights, column by column)."""
    for i in range(a.shape[0]):
        c = idx[i]
        for j in range(a.shape[1]):
            out[c, j] += a[i, j]
    return 0
