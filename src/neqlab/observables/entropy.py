"""Entropies from samples: Boltzmann's H-function and the spatial coarse-grained entropy.

Both are histogram (plug-in) estimates. With n samples spread over M occupied bins the
plug-in entropy -sum p ln p is biased low by about (M - 1) / (2 n) (Miller-Madow), so H
is biased high by the same amount; ``miller_madow=True`` subtracts that first-order
bias. Compare curves at fixed n and binning, or correct, before calling a change real.

>>> import numpy as np
>>> v = np.random.default_rng(0).normal(size=(200_000, 2))
>>> h = h_function(v, miller_madow=True)
>>> bool(abs(h - maxwell_h(1.0, 2)) < 0.01)   # -ln(2 pi e kT) in 2D
True
"""

from __future__ import annotations

import math

import numpy as np

from neqlab.core.errors import ConfigError

BIN_WIDTH = 0.25  # default velocity bin [length/time]: sqrt(kT)/4 at kT = 1
V_MAX = 6.0  # default half-width of the velocity grid [length/time]


def maxwell_h(kT: float, dim: int) -> float:
    """H of the Maxwell distribution, integral f ln f dv = -(dim/2) ln(2 pi e kT/m) (exact)."""
    return -0.5 * dim * math.log(2.0 * math.pi * math.e * kT)


def velocity_histogram(velocities, *, bin_width: float = BIN_WIDTH, v_max: float = V_MAX):
    """Counts of the one-particle velocities on a cubic grid of width ``bin_width``
    covering [-v_max, v_max]^dim (velocities outside are put in the edge bins).

    Returns (counts with shape (n_bins,) * dim, bin edges).
    """
    v = np.asarray(velocities, dtype=np.float64)
    if v.ndim != 2:
        raise ConfigError(f"velocities must have shape (N, dim), got {v.shape}")
    if not (bin_width > 0 and v_max > bin_width):
        raise ConfigError(f"bin_width must be a number in (0, v_max), got {bin_width!r}")
    n_bins = int(math.ceil(2 * v_max / bin_width))
    edges = -0.5 * n_bins * bin_width + bin_width * np.arange(n_bins + 1)
    idx = np.clip(np.floor((v - edges[0]) / bin_width).astype(np.int64), 0, n_bins - 1)
    flat = np.ravel_multi_index(tuple(idx.T), (n_bins,) * v.shape[1])
    counts = np.bincount(flat, minlength=n_bins ** v.shape[1]).reshape((n_bins,) * v.shape[1])
    return counts, edges


def _plugin_entropy(counts: np.ndarray, miller_madow: bool) -> tuple[float, int, int]:
    c = counts[counts > 0].astype(np.float64)
    n = float(c.sum())
    p = c / n
    s = -float(np.sum(p * np.log(p)))
    if miller_madow:
        s += (c.size - 1) / (2.0 * n)
    return s, int(c.size), int(n)


def h_function(velocities, *, bin_width: float = BIN_WIDTH, v_max: float = V_MAX,
               miller_madow: bool = False) -> float:
    """Boltzmann's H = sum_b p_b ln(p_b / dv^dim) ~ integral f ln f dv [-dim ln(velocity)].

    f is the one-particle velocity distribution, estimated by the joint histogram of
    all velocity components (bins of width ``bin_width``; p_b the fraction of particles
    in bin b). H decreases as the gas relaxes; for the Maxwell distribution it tends to
    :func:`maxwell_h` when n is large and the bins fine (binning bias ~ dim dv^2 /
    (24 kT), 0.5 % of |H| at the defaults and kT = 1). Finite-sample bias: +(M - 1)/(2n)
    for M occupied bins, removed when ``miller_madow``.
    """
    counts, _ = velocity_histogram(velocities, bin_width=bin_width, v_max=v_max)
    s, _, _ = _plugin_entropy(counts, miller_madow)
    dim = np.asarray(velocities).shape[1]
    return -s - dim * math.log(bin_width)


def spatial_entropy(positions, box, n_cells=8, *, miller_madow: bool = False) -> float:
    """Coarse-grained spatial entropy -sum_c p_c ln p_c over a grid of position cells [-].

    ``n_cells``: cells per axis (int or one per axis); p_c the fraction of particles in
    cell c. Its maximum is ln(number of cells), reached by a uniform gas as n -> inf;
    a uniform gas of n particles sits below it by about (M - 1)/(2 n) (plug-in bias,
    removed when ``miller_madow``).
    """
    x = np.asarray(positions, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    dim = x.shape[1]
    m = np.broadcast_to(np.asarray(n_cells, dtype=np.int64), (dim,))
    idx = np.clip(np.floor(x / box * m).astype(np.int64), 0, m - 1)
    flat = np.ravel_multi_index(tuple(idx.T), tuple(m))
    counts = np.bincount(flat, minlength=int(np.prod(m)))
    return _plugin_entropy(counts, miller_madow)[0]


def half_fraction(positions, box, axis: int = 0) -> float:
    """Fraction of particles in the lower half of ``axis`` [-] (1/2 at equilibrium)."""
    x = np.asarray(positions, dtype=np.float64)[:, axis]
    return float(np.mean(x < 0.5 * float(np.asarray(box)[axis])))


def maxwell_h_sampled(n_particles: int, dim: int, kT: float, rng: np.random.Generator, *,
                      bin_width: float = BIN_WIDTH, v_max: float = V_MAX, miller_madow: bool = False,
                      n_draws: int = 20) -> float:
    """Mean of :func:`h_function` over ``n_draws`` Maxwell samples of ``n_particles``
    velocities at ``kT`` [energy], with the same bins and correction.

    The value a relaxed gas of that size should reach with this estimator, its
    finite-sample and binning biases included (compare with it rather than with
    :func:`maxwell_h` when n is small or the bins coarse).
    """
    vals = [h_function(rng.normal(scale=math.sqrt(kT), size=(n_particles, dim)), bin_width=bin_width,
                       v_max=v_max, miller_madow=miller_madow) for _ in range(n_draws)]
    return float(np.mean(vals))
