"""Coarse-grained cell counting: cells of side delta touched by a region (no Python loops).

Phase space (a torus of side ``period``, or a box ``[lo, lo + period)`` on the plane)
is cut into ``n_side`` x ``n_side`` cells. ``cg_entropy`` gives ln(touched cells)
(``kind="touched"``: the coarse-grained Boltzmann entropy of the region) or -sum p ln p
over cell occupancies (``kind="gibbs"``, optionally with the Miller-Madow correction
(M - 1)/(2N)). Points outside a non-periodic box are counted in one extra overflow cell.

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

__all__ = ["cell_index", "cell_counts", "touched_cells", "cg_entropy", "curve_cells", "curve_cg_entropy"]


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
