"""Exact counting of macrostates: N particles in two halves of a box (§2.2).

A macrostate is the number ``n`` of particles in the left half; it contains
Omega(n) = C(N, n) microstates, all equally likely, so P(n) = C(N, n) / 2^N. All
functions work in log space (``lgamma``), so N up to 10^7 and beyond never overflow.

>>> round(float(log_omega(4, 2)), 12) == round(float(np.log(6)), 12)
True
>>> round(float(relative_width(10**6)), 12)
0.001
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, logsumexp


def log_omega(n_particles, n_left):
    """ln Omega = ln C(N, n) [dimensionless]; Boltzmann entropy S = k ln Omega with k = 1.

    ``n_left`` may be real (then C is continued through the Gamma function).
    """
    n = np.asarray(n_left, dtype=float)
    N = float(n_particles)
    return gammaln(N + 1.0) - gammaln(n + 1.0) - gammaln(N - n + 1.0)


def macrostate_probabilities(n_particles: int) -> np.ndarray:
    """P(n) = C(N, n) 2^-N for n = 0..N, computed in log space."""
    n = np.arange(int(n_particles) + 1)
    logp = log_omega(n_particles, n) - n_particles * np.log(2.0)
    return np.exp(logp - logsumexp(logp))  # renormalise the (tiny) lgamma round-off


def mass_within(n_particles: int, k_sigma: float = 3.0) -> float:
    """Probability that |n - N/2| <= k_sigma * sqrt(N)/2 (exact sum over macrostates)."""
    N = int(n_particles)
    n = np.arange(N + 1)
    logp = log_omega(N, n) - N * np.log(2.0)
    inside = np.abs(n - N / 2.0) <= k_sigma * np.sqrt(N) / 2.0
    return float(np.exp(logsumexp(logp[inside]) - logsumexp(logp)))


def relative_width(n_particles: int) -> float:
    """Standard deviation of n over its mean, from the exact distribution (= N^-1/2)."""
    N = int(n_particles)
    p = macrostate_probabilities(N)
    n = np.arange(N + 1, dtype=float)
    mean = float(p @ n)
    var = float(p @ (n - mean) ** 2)
    return float(np.sqrt(var) / mean)


def parity_binomial_pvalue(n_left: np.ndarray, n_particles: int, parity: int, min_expected: float = 5.0) -> float:
    """Chi-square p-value of urn occupations against Binomial(N, 1/2) restricted to one parity.

    After t steps of the Ehrenfest urn from n_0, n_t has the parity of n_0 + t; in
    equilibrium its law is the binomial on that parity class (twice the binomial weight).
    Neighbouring bins are merged until each expects ``min_expected`` counts. NaN if fewer
    than two bins remain (too few samples to test).
    """
    from scipy import stats

    N = int(n_particles)
    n = np.arange(N + 1)
    logp = log_omega(N, n) - N * np.log(2.0)
    p = np.where(n % 2 == parity, 2.0 * np.exp(logp), 0.0)
    p /= p.sum()
    obs = np.bincount(np.asarray(n_left, dtype=np.int64), minlength=N + 1).astype(float)
    exp = p * obs.sum()
    keep = p > 0
    obs, exp = obs[keep], exp[keep]
    groups_o, groups_e, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(obs, exp):
        acc_o += o
        acc_e += e
        if acc_e >= min_expected:
            groups_o.append(acc_o)
            groups_e.append(acc_e)
            acc_o = acc_e = 0.0
    if acc_e > 0 and groups_e:
        groups_o[-1] += acc_o
        groups_e[-1] += acc_e
    if len(groups_e) < 2:
        return float("nan")
    go, ge = np.array(groups_o), np.array(groups_e)
    chi2 = float(np.sum((go - ge) ** 2 / ge))
    return float(stats.chi2.sf(chi2, len(ge) - 1))
