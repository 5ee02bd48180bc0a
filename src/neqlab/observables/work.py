"""Work, heat and entropy production of driven trajectories (pure functions of arrays).

Conventions (reduced units, k_B = 1): W is the work done on the system [energy], Q the
heat given to the bath [energy], so the first law per trajectory is dU = W - Q; the
total entropy produced along a trajectory that starts in equilibrium is
w = (W - dF) / kT (units of k).

>>> entropy_production(np.array([1.0, 3.0]), delta_f=1.0, kT=2.0)
array([0., 1.])
>>> gas_work(np.arange(6.0), n_particles=3)
array([ 3., 12.])
>>> window_increments(np.array([[0.0, 1.0, 3.0, 6.0]]), start=1, length=2)
array([5.])
"""

from __future__ import annotations

import numpy as np

from neqlab.core.errors import ConfigError


def entropy_production(work: np.ndarray, delta_f: float, kT: float) -> np.ndarray:
    """w = (W - dF) / kT per trajectory [k]: the total entropy change of system plus bath."""
    if not kT > 0:
        raise ConfigError(f"kT must be a number in (0, inf), got {kT!r}")
    return (np.asarray(work, dtype=float) - delta_f) / kT


def first_law_residual(energy_start: np.ndarray, energy_end: np.ndarray, work: np.ndarray,
                       heat: np.ndarray) -> np.ndarray:
    """dU - (W - Q) per trajectory [energy]; zero up to round-off in a consistent scheme."""
    return (np.asarray(energy_end) - np.asarray(energy_start)) - (np.asarray(work) - np.asarray(heat))


def gas_work(particle_work: np.ndarray, n_particles: int) -> np.ndarray:
    """Work on gases of ``n_particles`` independent particles: sums of consecutive groups.

    Trailing particles that do not fill a whole gas are dropped.
    """
    if isinstance(n_particles, bool) or not isinstance(n_particles, (int, np.integer)) or n_particles < 1:
        raise ConfigError(f"n_particles must be an integer in [1, inf), got {n_particles!r}")
    w = np.asarray(particle_work, dtype=float)
    n_gas = w.size // n_particles
    if n_gas < 1:
        raise ConfigError(f"n_particles must be at most the number of particles {w.size}, got {n_particles}")
    return w[: n_gas * n_particles].reshape(n_gas, n_particles).sum(axis=1)


def window_increments(series: np.ndarray, start: int, length: int) -> np.ndarray:
    """series[:, start + length] - series[:, start]: e.g. the work done in a time window."""
    s = np.asarray(series, dtype=float)
    if not (0 <= start and length >= 1 and start + length < s.shape[1]):
        raise ConfigError(
            f"window must fit in the {s.shape[1]} records, got start={start}, length={length}"
        )
    return s[:, start + length] - s[:, start]


def work_histogram(work: np.ndarray, bins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Probability density of W on ``bins`` (edges) and its binomial standard error."""
    w = np.asarray(work, dtype=float)
    counts, edges = np.histogram(w, bins=bins)
    width = np.diff(edges)
    n = w.size
    dens = counts / (n * width)
    err = np.sqrt(counts * (1.0 - counts / n)) / (n * width)
    return dens, err


def gaussian_log_density(x: np.ndarray, mean: float, var: float) -> np.ndarray:
    """ln p(x) + ln sqrt(2 pi) of a Gaussian with ``mean`` and variance ``var`` (the constant
    cancels in differences of log densities)."""
    return -0.5 * (np.asarray(x, dtype=float) - mean) ** 2 / var - 0.5 * np.log(var)


def total_entropy_production(heat: np.ndarray, kT: float, log_p_start: np.ndarray,
                             log_p_end: np.ndarray) -> np.ndarray:
    """Seifert's total entropy production [k] of trajectory segments: the heat given to the
    bath over kT plus the change of the system's stochastic entropy -ln p(x_t, t),
    Q/kT + ln p(x_0, 0) - ln p(x_t, t). It obeys <exp(-s)> = 1 and, in a periodic steady
    state, ln[P(s)/P(-s)] = s for every window length."""
    if not kT > 0:
        raise ConfigError(f"kT must be a number in (0, inf), got {kT!r}")
    return np.asarray(heat, dtype=float) / kT + log_p_start - log_p_end
