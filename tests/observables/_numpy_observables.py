"""NumPy twins of the observables' numba kernels: the code the observables ran before them.

Kept verbatim (floor, cast, modulo, clip, bincount with weights), with the public
signatures of the functions they stand for, so that ``tests/observables/test_observable_kernels.py``
can demand the same bits and ``benchmarks/bench_observables.py`` can time the NumPy path
in the same run (it loads this file by path: no test dependency here).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.special import digamma

from neqlab.core.errors import ConfigError
from neqlab.observables import entropy, hydro, wca_eos
from neqlab.observables.entropy import EntropyEstimate, MU_BIN_WIDTH, V_MAX

# -- cells.py ------------------------------------------------------------------------------


def cell_index(points, n_side, period, lo=0.0, wrap=True):
    x = np.asarray(points, dtype=np.float64)
    u = (x[:, :2] - lo) * (n_side / period)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NaN/inf cast to int64
        iu = np.floor(u).astype(np.int64)
    if wrap:
        iu %= n_side
        return iu[:, 0] * n_side + iu[:, 1]
    inside = np.all((iu >= 0) & (iu < n_side), axis=1)
    return np.where(inside, iu[:, 0] * n_side + iu[:, 1], n_side * n_side)


def cell_counts(points, n_side, period, lo=0.0, wrap=True):
    idx = cell_index(points, n_side, period, lo, wrap)
    counts = np.bincount(idx, minlength=n_side * n_side + 1)
    return counts[counts > 0]


def cg_entropy(points, n_side, period, *, kind="touched", lo=0.0, wrap=True, miller_madow=False):
    counts = cell_counts(points, n_side, period, lo, wrap)
    if kind == "touched":
        return float(np.log(counts.size))
    n = counts.sum()
    p = counts / n
    s = float(-(p * np.log(p)).sum())
    return s + (counts.size - 1) / (2.0 * n) if miller_madow else s


def curve_cells(vertices, n_side, period, lo=0.0, wrap=True):
    v = np.asarray(vertices, dtype=np.float64)[:, :2]
    d = np.roll(v, -1, axis=0) - v
    k = np.maximum(1, np.ceil(np.linalg.norm(d, axis=1) / (period / n_side / 4.0)).astype(np.int64))
    seg = np.repeat(np.arange(v.shape[0]), k)
    start = np.repeat(np.cumsum(k) - k, k)
    frac = (np.arange(int(k.sum())) - start) / k[seg]
    return np.unique(cell_index(v[seg] + frac[:, None] * d[seg], n_side, period, lo, wrap))


# -- hydro.py ------------------------------------------------------------------------------


def check_gas(x, v, box) -> int:
    """hydro's value checks (bit 1: a velocity not finite, bit 2: a position outside [0, box] or NaN)."""
    return (0 if np.all(np.isfinite(v)) else 1) | (0 if np.all((x >= 0) & (x <= box)) else 2)


def _cell_sums(idx, a, n_cells):
    return np.stack([np.bincount(idx, weights=a[:, j], minlength=n_cells) for j in range(a.shape[1])], 1)


def fields(x, v, b, m, flow):
    """hydro._fields: idx, counts, u, w, k, temp, ke_flow, cell volume, |w|^2 per particle."""
    dim = x.shape[1]
    n_cells = int(np.prod(m))
    idx = np.ravel_multi_index(tuple(np.minimum(np.floor(x / b * m).astype(np.int64), m - 1).T), tuple(m))
    counts = np.bincount(idx, minlength=n_cells)
    occ = counts[:, None] > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        u = _cell_sums(idx, v, n_cells) / counts[:, None]
    w = v - np.where(occ, u, 0.0)[idx]
    if flow == "uniform":
        k = dim * (counts - 1.0)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            xbar = _cell_sums(idx, x, n_cells) / counts[:, None]
        dx = x - np.where(occ, xbar, 0.0)[idx]
        cxx = _cell_sums(idx, (dx[:, :, None] * dx[:, None, :]).reshape(-1, dim * dim), n_cells)
        cxv = _cell_sums(idx, (dx[:, :, None] * w[:, None, :]).reshape(-1, dim * dim), n_cells)
        grad = np.linalg.pinv(cxx.reshape(-1, dim, dim)) @ cxv.reshape(-1, dim, dim)
        w = w - np.einsum("ij,ijk->ik", dx, grad[idx])
        k = dim * (counts - 1.0 - dim)
    s2 = np.bincount(idx, weights=np.sum(w * w, axis=1), minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        temp = np.where(k > 0, s2 / k, np.nan)
    ke_flow = np.bincount(idx, weights=0.5 * np.sum((v - w) ** 2, axis=1), minlength=n_cells)
    return idx, counts, u, w, k, temp, ke_flow, float(np.prod(b / m)), np.sum(w ** 2, axis=1)


def _arrays(positions, velocities, box) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(positions, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] not in (2, 3):
        raise ConfigError(f"positions must have shape (N, 2) or (N, 3), got {x.shape}")
    v = np.asarray(velocities, dtype=np.float64)
    if v.shape != x.shape:
        raise ConfigError(f"velocities must have the shape of positions {x.shape}, got {v.shape}")
    b = np.asarray(box, dtype=np.float64)
    if b.shape != (x.shape[1],) or not np.all(np.isfinite(b) & (b > 0)):
        raise ConfigError(f"box must be {x.shape[1]} positive finite lengths, got {np.asarray(box).tolist()}")
    if not np.all(np.isfinite(v)):
        raise ConfigError("velocities must be finite numbers, got NaN or inf")
    if not np.all((x >= 0) & (x <= b)):  # also rejects NaN
        raise ConfigError(f"positions must lie in [0, box] = [0, {b.tolist()}], got values outside")
    return x, v, b


def hydro_entropy(positions, velocities, box, cells=8, *, eos: str = "wca", flow: str = "uniform",
                  min_count: int = 2) -> hydro.HydroEntropy:
    """hydro.hydro_entropy as it was: NumPy value checks, the NumPy _fields, q by boolean selection."""
    x, v, b = _arrays(positions, velocities, box)
    dim = x.shape[1]
    m = hydro._cells(cells, dim)
    if eos not in hydro.EOS_CHOICES:
        raise ConfigError(f"eos must be one of {', '.join(hydro.EOS_CHOICES)}, got {eos!r}")
    hydro._check_flow(flow)
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 2:
        raise ConfigError(f"min_count must be an integer in [2, inf), got {min_count!r}")
    idx, counts, _, w, k_all, temp, ke_flow, volume, _ = fields(x, v, b, m, flow)
    ok = (counts >= min_count) & (k_all > 0)
    n = counts[ok].astype(np.float64)
    n_counted = int(n.sum())
    n_unresolved = int(counts.sum()) - n_counted
    if n_counted == 0:
        return hydro.HydroEntropy(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, n_unresolved, 0, 0.0)
    t, k = temp[ok], k_all[ok]
    n_flow_params = float(dim) if flow == "uniform" else float(dim + dim * dim)
    flow_energy = float(np.sum(ke_flow[ok] - 0.5 * n_flow_params * t))  # minus the noise of the fit
    rho = n / volume
    ln_t = np.log(t) - digamma(0.5 * k) + np.log(0.5 * k)  # unbiased ln T for Maxwellian cells
    config = float(np.sum(n * (np.log(volume / n) + 1.0))) + 0.5 * (n.size - 1)
    thermal = float(np.sum(n * 0.5 * dim * (np.log(2.0 * math.pi) + ln_t + 1.0)))
    s_ex, ds_dr, ds_dt = hydro._entropy_parts(rho, t, dim, eos)
    if not np.all(np.isfinite(s_ex)):
        j = int(np.argmin(np.isfinite(s_ex)))
        raise ConfigError(f"positions: a cell at density {rho[j]:.4g} [sigma^-{dim}] and kT {t[j]:.4g} [epsilon] is "
                          f"beyond the WCA equation of state (kT = 0 or packing fraction >= 1); use larger cells "
                          f"or eos='ideal'")
    excess = float(np.sum(n * s_ex))
    n_outside = int(n[~wca_eos.in_range(rho, t, dim)].sum()) if eos == "wca" else 0
    # errors: temperature noise per cell (pooled kurtosis), multinomial density noise
    counted = ok[idx]
    q = np.sum(w[counted] ** 2, axis=1) / temp[idx[counted]]
    kappa = float(np.mean(q * q) / np.mean(q) ** 2) if np.mean(q) > 0 else 1.0
    var_t = t * t * (kappa - 1.0) * dim / k  # 2 T^2 / k for Maxwellian velocities
    var_thermal = float(np.sum((n * 0.5 * dim / t) ** 2 * var_t))
    var_t_all = float(np.sum((n * (0.5 * dim / t + ds_dt)) ** 2 * var_t))
    p = n / n_counted
    s_c = np.log(1.0 / rho) + 1.0 + 0.5 * dim * (np.log(2.0 * math.pi) + ln_t + 1.0) + s_ex
    g_all = s_c - 1.0 + rho * ds_dr  # d(N s(N/V))/dN: ideal part s_id - 1
    g_cfg = -np.log(rho)  # configurational part only
    var_cfg = n_counted * max(float(np.sum(p * g_cfg**2) - np.sum(p * g_cfg) ** 2), 0.0)
    var_rho = n_counted * max(float(np.sum(p * g_all**2) - np.sum(p * g_all) ** 2), 0.0)
    return hydro.HydroEntropy(
        total=config + thermal + excess, total_err=math.sqrt(var_rho + var_t_all),
        configurational=config, configurational_err=math.sqrt(var_cfg),
        thermal=thermal, thermal_err=math.sqrt(var_thermal), excess=excess,
        n_counted=n_counted, n_unresolved=n_unresolved, n_outside_eos=n_outside, flow_energy=flow_energy)


# -- entropy.py ----------------------------------------------------------------------------


def spatial_entropy(positions, box, n_cells=8, *, miller_madow=False, return_error=False):
    x = np.asarray(positions, dtype=np.float64)
    dim = x.shape[1]
    m = np.broadcast_to(np.asarray(n_cells, dtype=np.int64), (dim,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        idx = np.clip(np.floor(x / box * m).astype(np.int64), 0, m - 1)
    counts = np.bincount(np.ravel_multi_index(tuple(idx.T), tuple(m)), minlength=int(np.prod(m)))
    s, err, _, _ = entropy._plugin_with_error(counts, miller_madow)
    return (s, err) if return_error else s


def velocity_entropy(velocities, kT):
    v = np.asarray(velocities, dtype=np.float64)
    width = entropy.V_BIN * math.sqrt(kT)
    n_bins = int(round(2 * entropy.V_RANGE / entropy.V_BIN))
    total, var = 0.0, 0.0
    for k in range(v.shape[1]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            idx = np.clip(np.floor(v[:, k] / width + n_bins / 2).astype(np.int64), 0, n_bins - 1)
        s, err, m, n = entropy._plugin_with_error(np.bincount(idx, minlength=n_bins).astype(float), False)
        total += s + math.log(width) + (m - 1) / (2.0 * n)
        var += err * err
    return total, math.sqrt(var)


def mu_entropy(positions, velocities, box, cells=4, *, bin_width=MU_BIN_WIDTH, v_max=V_MAX, estimator="grassberger"):
    """mu_entropy with velocity="product" (the default; "joint" kept its NumPy code)."""
    x = np.asarray(positions, dtype=np.float64)
    v = np.asarray(velocities, dtype=np.float64)
    b = np.asarray(box, dtype=np.float64)
    dim = x.shape[1]
    m = np.broadcast_to(np.asarray(cells), (dim,)).astype(np.int64)
    n, n_cells = x.shape[0], int(np.prod(m))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        cell = np.ravel_multi_index(tuple(np.clip(np.floor(x / b * m).astype(np.int64), 0, m - 1).T), tuple(m))
        n_bins = int(math.ceil(2 * v_max / bin_width))
        vb = np.clip(np.floor(v / bin_width + 0.5 * n_bins).astype(np.int64), 0, n_bins - 1)
    log_cell = math.log(float(np.prod(b / m)))
    sx, _, _ = entropy._row_entropies(np.bincount(cell, minlength=n_cells)[None, :], estimator)
    sv, var_in = np.zeros(n_cells), np.zeros(n_cells)
    for k in range(dim):
        ck = np.bincount(cell * n_bins + vb[:, k], minlength=n_cells * n_bins).reshape(n_cells, n_bins)
        s_k, var_k, n_c = entropy._row_entropies(ck, estimator)
        sv += s_k
        var_in += var_k
    p = n_c / n
    h = np.where(p > 0, -np.log(np.where(p > 0, p, 1.0)), 0.0) + sv
    var = max(float(np.sum(p * h * h) - np.sum(p * h) ** 2), 0.0) / n + float(np.sum(p * p * var_in))
    value = float(sx[0]) + float(np.sum(p * sv)) + log_cell + dim * math.log(bin_width)
    return EntropyEstimate(value, math.sqrt(var))
