"""Relaxation and equilibrium fluctuations from time series: plateaus, relaxation times,
relative fluctuations with their errors, and power-law exponents.

Pure functions of arrays (a time series, or samples of replicas x times).

>>> import numpy as np
>>> t = np.linspace(0.0, 50.0, 5001)
>>> round(relaxation_time(t, 3.0 - 2.0 * np.exp(-t / 4.0)), 2)
4.0
>>> fit = power_law_fit([100, 400, 1600], [0.1, 0.05, 0.025], [0.001, 0.0005, 0.00025])
>>> round(fit.exponent, 12)
-0.5
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

TAIL = 0.25  # the plateau of a run is its last quarter


def tail(y, fraction: float = TAIL, *, at_least: int = 2) -> np.ndarray:
    """The last ``fraction`` of a time series (at least ``at_least`` points): its plateau."""
    y = np.asarray(y)
    k = max(at_least, int(round(fraction * y.shape[0])))
    return y[-k:]


def relaxation_time(t, y, fraction: float = TAIL) -> float:
    """First time [units of t] at which |y - y_plateau| <= |y(0) - y_plateau| / e; NaN if never.

    y_plateau is the mean over the last ``fraction`` of the run (at least one point).
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    y_inf = float(np.mean(tail(y, fraction, at_least=1)))
    d0 = abs(y[0] - y_inf)
    hit = np.flatnonzero(np.abs(y - y_inf) <= d0 / math.e)
    return float(t[hit[0]]) if hit.size else float("nan")


def relative_fluctuation(samples) -> tuple[float, float]:
    """(sd / mean over all samples, its jackknife standard error over replicas) of an (R, S) array.

    Pooling the S time samples of R independent replicas gives the total (within plus
    between replicas) variance; leaving out one replica at a time gives the error
    whatever the time correlation inside a replica. Needs R >= 2.
    """
    x = np.asarray(samples, dtype=np.float64)
    rel = float(x.std(ddof=1) / x.mean())
    r = x.shape[0]
    loo = np.array([np.delete(x, i, axis=0).std(ddof=1) / np.delete(x, i, axis=0).mean() for i in range(r)])
    err = float(np.sqrt((r - 1) / r * np.sum((loo - loo.mean()) ** 2)))
    return rel, err


class PowerLaw(NamedTuple):
    """y = exp(log_prefactor) N^exponent; ``error`` is the exponent's standard error."""

    exponent: float
    error: float
    log_prefactor: float
    chi2_per_dof: float


def power_law_fit(n, y, yerr) -> PowerLaw:
    """Weighted least squares of ln y = a + b ln N (weights from the relative errors of y).

    The exponent's error is scaled up by sqrt(chi2/dof) when the scatter exceeds the
    error bars (never down). Errors of 0 get the largest error given.
    """
    lx = np.log(np.asarray(n, dtype=np.float64))
    ly = np.log(np.asarray(y, dtype=np.float64))
    sig = np.asarray(yerr, dtype=np.float64) / np.asarray(y, dtype=np.float64)
    sig = np.where(sig > 0, sig, np.nanmax(sig) if np.any(sig > 0) else 1.0)
    w = 1.0 / sig**2
    a_mat = np.stack([np.ones_like(lx), lx], axis=1)
    cov = np.linalg.inv(a_mat.T @ (w[:, None] * a_mat))
    coef = cov @ (a_mat.T @ (w * ly))
    dof = max(1, lx.size - 2)
    chi2 = float(np.sum(w * (ly - a_mat @ coef) ** 2) / dof)
    err = math.sqrt(cov[1, 1]) * max(1.0, math.sqrt(chi2))
    return PowerLaw(float(coef[1]), err, float(coef[0]), chi2)
