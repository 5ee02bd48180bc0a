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

__all__ = ["cell_index", "cell_counts", "touched_cells", "cg_entropy", "curve_cells", "curve_cg_entropy",
           "linear_stage", "growth_rate", "saturation_time", "largest_drop"]


def cell_index(points, n_side: int, period: float, lo: float = 0.0, wrap: bool = True) -> np.ndarray:
    """Flat cell index (row-major: ix * n_side + iy) of each point; overflow = n_side^2."""
    if n_side < 1:
        raise ConfigError(f"n_side must be an integer in [1, inf), got {n_side!r}")
    x = np.asarray(points, dtype=np.float64)
    u = (x[:, :2] - lo) * (n_side / period)
    iu = np.floor(u).astype(np.int64)
    if wrap:
        iu %= n_side
        return iu[:, 0] * n_side + iu[:, 1]
    inside = np.all((iu >= 0) & (iu < n_side), axis=1)
    return np.where(inside, iu[:, 0] * n_side + iu[:, 1], n_side * n_side)


def cell_counts(points, n_side: int, period: float, lo: float = 0.0, wrap: bool = True) -> np.ndarray:
    """Occupancy counts of the touched cells (zeros dropped)."""
    idx = cell_index(points, n_side, period, lo, wrap)
    if n_side * n_side <= 1 << 24:
        counts = np.bincount(idx, minlength=n_side * n_side + 1)
        return counts[counts > 0]
    return np.unique(idx, return_counts=True)[1]


def touched_cells(points, n_side: int, period: float, lo: float = 0.0, wrap: bool = True) -> np.ndarray:
    """Sorted flat indices of the cells that contain at least one point."""
    return np.unique(cell_index(points, n_side, period, lo, wrap))


def cg_entropy(points, n_side: int, period: float, *, kind: str = "touched", lo: float = 0.0,
               wrap: bool = True, miller_madow: bool = False) -> float:
    """Coarse-grained entropy of a point cloud: ln(touched cells) or -sum p ln p."""
    counts = cell_counts(points, n_side, period, lo, wrap)
    if kind == "touched":
        return float(np.log(counts.size))
    if kind != "gibbs":
        raise ConfigError(f"kind must be one of 'touched', 'gibbs', got {kind!r}")
    n = counts.sum()
    p = counts / n
    s = float(-(p * np.log(p)).sum())
    return s + (counts.size - 1) / (2.0 * n) if miller_madow else s


def curve_cells(vertices, n_side: int, period: float, lo: float = 0.0, wrap: bool = True,
                max_samples: int = 50_000_000) -> np.ndarray:
    """Cells crossed by a closed polyline (lifted coordinates are wrapped on the torus).

    Each segment is sampled at spacing <= cell/4, which finds every cell it crosses
    except possibly corner clips shorter than cell/4.
    """
    v = np.asarray(vertices, dtype=np.float64)[:, :2]
    d = np.roll(v, -1, axis=0) - v
    step = period / n_side / 4.0
    k = np.maximum(1, np.ceil(np.linalg.norm(d, axis=1) / step).astype(np.int64))
    total = int(k.sum())
    if total > max_samples:
        raise ConfigError(f"curve needs {total} samples, more than max_samples={max_samples}; use coarser cells")
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
