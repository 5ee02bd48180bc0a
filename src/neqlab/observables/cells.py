"""Coarse-grained cell counting: cells of side delta touched by a region (no Python loops).

Phase space (a torus of side ``period``, or a box ``[lo, lo + period)`` on the plane)
is cut into ``n_side`` x ``n_side`` cells. ``cg_entropy`` gives ln(touched cells)
(``kind="touched"``: the coarse-grained Boltzmann entropy of the region) or -sum p ln p
over cell occupancies (``kind="gibbs"``, optionally with the Miller-Madow correction
(M - 1)/(2N)). Points outside a non-periodic box are counted in one extra overflow cell.

How S_cg(t) grows, from a recorded curve: :func:`linear_stage` (the window
S(0) + 1 <= S <= ln M - 1), :func:`growth_rate` (mean slope over independent regions in
that window, with a standard error), :func:`saturation_time`, and :func:`largest_drop`
(the largest fall below the running maximum: zero for a monotone curve).

>>> import numpy as np
>>> pts = np.array([[0.1, 0.1], [0.15, 0.12], [0.6, 0.9]])
>>> touched_cells(pts, 4, 1.0).tolist()
[0, 11]
>>> bool(abs(cg_entropy(pts, 4, 1.0) - np.log(2)) < 1e-15)
True
"""

from __future__ import annotations

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.observables._kernels import count_cells, count_segment_cells, frozen, index_cells

__all__ = ["cell_index", "cell_counts", "touched_cells", "cg_entropy", "cg_entropy_of_counts", "curve_cells",
           "curve_cg_entropy", "linear_stage", "growth_rate", "saturation_time", "largest_drop"]


MAX_COUNTED_CELLS = 1 << 24  # above this many cells, counts come from sorting the indices instead of an array


def _points(points, n_side) -> np.ndarray:
    if n_side < 1:
        raise ConfigError(f"n_side must be an integer in [1, inf), got {n_side!r}")
    x = np.ascontiguousarray(points, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ConfigError(f"points must have shape (N, 2) or (N, 3), got {x.shape}")
    return x


def cell_index(points, n_side: int, period: float, lo: float = 0.0, wrap: bool = True) -> np.ndarray:
    """Flat cell index (row-major: ix * n_side + iy) of each point; overflow = n_side^2.

    ``points`` (N, 2 or more) [length]; the cell of a coordinate is
    floor((x - lo) * (n_side / period)), taken modulo n_side when ``wrap`` (Python's
    modulo: negative coordinates wrap too). NaN and inf, like NumPy's cast on x86,
    give the integer -2^63: its cell modulo n_side on the torus, the overflow cell
    on the plane.
    """
    x = _points(points, n_side)
    out = np.empty(x.shape[0], dtype=np.int64)
    index_cells(frozen(x), float(lo), n_side / period, int(n_side), bool(wrap), out)
    return out


def _cell_count_array(x, n_side, period, lo, wrap) -> np.ndarray:
    """Counts of all n_side^2 + 1 cells (the last one the overflow cell)."""
    counts = np.zeros(int(n_side) * int(n_side) + 1, dtype=np.int64)
    count_cells(frozen(x), float(lo), n_side / period, int(n_side), bool(wrap), counts)
    return counts


def cell_counts(points, n_side: int, period: float, lo: float = 0.0, wrap: bool = True) -> np.ndarray:
    """Occupancy counts of the touched cells (zeros dropped), in the order of the cell index."""
    x = _points(points, n_side)
    if n_side * n_side <= MAX_COUNTED_CELLS:
        counts = _cell_count_array(x, n_side, period, lo, wrap)
        return counts[counts > 0]
    return np.unique(cell_index(x, n_side, period, lo, wrap), return_counts=True)[1]


def touched_cells(points, n_side: int, period: float, lo: float = 0.0, wrap: bool = True) -> np.ndarray:
    """Sorted flat indices of the cells that contain at least one point."""
    x = _points(points, n_side)
    if n_side * n_side <= MAX_COUNTED_CELLS:
        return np.flatnonzero(_cell_count_array(x, n_side, period, lo, wrap))
    return np.unique(cell_index(x, n_side, period, lo, wrap))


def cg_entropy_of_counts(counts, *, kind: str = "touched", miller_madow: bool = False) -> float:
    """ln(number of cells) or -sum p ln p of the occupancy counts of the touched cells
    (as :func:`cell_counts` returns them; the sum in NumPy's order over that array)."""
    counts = np.asarray(counts)
    if kind == "touched":
        return float(np.log(counts.size))
    if kind != "gibbs":
        raise ConfigError(f"kind must be one of 'touched', 'gibbs', got {kind!r}")
    n = counts.sum()
    p = counts / n
    s = float(-(p * np.log(p)).sum())
    return s + (counts.size - 1) / (2.0 * n) if miller_madow else s


def cg_entropy(points, n_side: int, period: float, *, kind: str = "touched", lo: float = 0.0,
               wrap: bool = True, miller_madow: bool = False) -> float:
    """Coarse-grained entropy of a point cloud: ln(touched cells) or -sum p ln p."""
    if kind not in ("touched", "gibbs"):
        raise ConfigError(f"kind must be one of 'touched', 'gibbs', got {kind!r}")
    x = _points(points, n_side)
    if kind == "touched" and n_side * n_side <= MAX_COUNTED_CELLS:
        counts = np.zeros(int(n_side) * int(n_side) + 1, dtype=np.int64)
        n_touched = count_cells(frozen(x), float(lo), n_side / period, int(n_side), bool(wrap), counts)
        return float(np.log(n_touched))
    return cg_entropy_of_counts(cell_counts(x, n_side, period, lo, wrap), kind=kind, miller_madow=miller_madow)


def curve_cells(vertices, n_side: int, period: float, lo: float = 0.0, wrap: bool = True,
                max_samples: int = 50_000_000) -> np.ndarray:
    """Cells crossed by a closed polyline (lifted coordinates are wrapped on the torus).

    Each segment is sampled at spacing <= cell/4, which finds every cell it crosses
    except possibly corner clips shorter than cell/4. The samples of segment s are
    v_s + (j / k_s) d_s, j = 0 .. k_s - 1 (counted as they are made, not stored).
    """
    v = np.ascontiguousarray(np.asarray(vertices, dtype=np.float64)[:, :2])
    d = np.roll(v, -1, axis=0) - v
    step = period / n_side / 4.0
    k = np.maximum(1, np.ceil(np.linalg.norm(d, axis=1) / step).astype(np.int64))
    total = int(k.sum())
    if total > max_samples:
        raise ConfigError(f"curve needs {total} samples, more than max_samples={max_samples}; use coarser cells")
    if n_side < 1:
        raise ConfigError(f"n_side must be an integer in [1, inf), got {n_side!r}")
    if n_side * n_side <= MAX_COUNTED_CELLS:
        counts = np.zeros(int(n_side) * int(n_side) + 1, dtype=np.int64)
        count_segment_cells(frozen(v), frozen(d), frozen(k), float(lo), n_side / period, int(n_side), bool(wrap),
                            counts)
        return np.flatnonzero(counts)
    seg = np.repeat(np.arange(v.shape[0]), k)
    start = np.repeat(np.cumsum(k) - k, k)
    frac = (np.arange(total) - start) / k[seg]
    pts = v[seg] + frac[:, None] * d[seg]
    return touched_cells(pts, n_side, period, lo, wrap)


def curve_cg_entropy(vertices, n_side: int, period: float, lo: float = 0.0, wrap: bool = True) -> float:
    """ln(number of cells crossed by the boundary curve)."""
    return float(np.log(curve_cells(vertices, n_side, period, lo, wrap).size))


# -- how S_cg(t) grows ---------------------------------------------------------------------


def linear_stage(s, ln_m: float) -> np.ndarray:
    """Indices of the linear stage of a growing S_cg(t): the first stretch with
    S(0) + 1 <= S <= ln M - 1 (past the grid-dependent start, short of saturation).

    >>> linear_stage(np.array([0.0, 0.5, 1.2, 2.1, 3.0, 3.9, 4.1, 4.1]), 4.16).tolist()
    [2, 3, 4]
    """
    s = np.asarray(s, dtype=np.float64)
    inside = (s >= s[0] + 1.0) & (s <= ln_m - 1.0)
    idx = np.flatnonzero(inside)
    if idx.size == 0:
        return idx
    stop = np.flatnonzero(~inside[idx[0]:])
    return idx[0] + np.arange(stop[0] if stop.size else inside.size - idx[0])


def _slope(t, s) -> float:
    return float(np.polyfit(t, s, 1)[0])


def growth_rate(t, s_regions, ln_m: float) -> tuple[float, float]:
    """Growth rate of S_cg [1/time] in the linear stage, and its standard error.

    ``s_regions`` has shape (n_regions, n_t): one curve per independent region. Each
    region with at least 3 points in its :func:`linear_stage` gives a slope; the rate is
    their mean. The error combines the standard error of that mean (nan with fewer than
    two slopes: the spread is then unknown) with the fit-window systematic, the mean
    over regions of half the difference between the slopes fitted on the two halves of
    the window (regions with at least 4 points). Returns (nan, nan) without a slope.
    """
    t = np.asarray(t, dtype=np.float64)
    slopes, sys = [], []
    for s in np.asarray(s_regions, dtype=np.float64):
        w = linear_stage(s, ln_m)
        if w.size >= 3:
            slopes.append(_slope(t[w], s[w]))
        if w.size >= 4:
            h = w.size // 2
            sys.append(abs(_slope(t[w[:h + 1]], s[w[:h + 1]]) - _slope(t[w[h:]], s[w[h:]])) / 2)
    if not slopes:
        return float("nan"), float("nan")
    rate = float(np.mean(slopes))
    if len(slopes) < 2 or not sys:
        return rate, float("nan")
    se = float(np.std(slopes, ddof=1) / np.sqrt(len(slopes)))
    return rate, float(np.hypot(se, np.mean(sys)))


def saturation_time(t, s, ln_m: float, margin: float = 0.5) -> float:
    """First time with S_cg >= ln M - ``margin`` (0.5: about 60 % of the cells touched); nan if never."""
    hit = np.flatnonzero(np.asarray(s) >= ln_m - margin)
    return float(np.asarray(t)[hit[0]]) if hit.size else float("nan")


def largest_drop(s) -> tuple[float, int]:
    """Largest fall of a curve below its running maximum, and the index where it is reached.

    Zero for a non-decreasing curve (NaN values are not allowed).

    >>> largest_drop(np.array([0.0, 1.0, 3.0, 2.0, 2.5, 0.5]))
    (2.5, 5)
    """
    s = np.asarray(s, dtype=np.float64)
    d = np.maximum.accumulate(s) - s
    j = int(np.argmax(d))
    return float(d[j]), j
