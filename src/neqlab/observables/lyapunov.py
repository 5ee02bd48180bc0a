"""Lyapunov spectra by the QR (Benettin) method from a model's public tangent step.

The model needs ``dim``, ``time_per_step`` and ``tangent_step(points, tangents,
n_steps) -> (points, tangents)`` (maps and flows of :mod:`neqlab.models` have them).
An ensemble of orbits is advanced together; every ``renorm_every`` steps the tangent
matrices are re-orthonormalised by QR and ln|R_ii| accumulated. The run is cut into
blocks; each (orbit, block) gives one estimate, and the error is the standard error of
those estimates (orbits independent, blocks long compared with the tangent-vector
decorrelation time). With ``tol`` the run stops as soon as every exponent's error is
below ``tol`` (after ``min_blocks``), else at ``max_steps``.

>>> import numpy as np
>>> from neqlab.models.maps import CatMap
>>> res = lyapunov_spectrum(CatMap(), np.random.default_rng(0).random((4, 2)), n_steps=200)
>>> [round(float(x), 12) for x in res.exponents]
[0.962423650119, -0.962423650119]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neqlab.core.errors import ConfigError

__all__ = ["LyapunovSpectrum", "lyapunov_spectrum", "ks_entropy"]


@dataclass(frozen=True)
class LyapunovSpectrum:
    """Exponents [1/time] (descending), one standard error each, and the run's record."""

    exponents: np.ndarray
    exponents_err: np.ndarray
    block_estimates: np.ndarray  # (n_blocks, n_orbits, m)
    n_steps: int
    time: float
    converged: bool

    @property
    def running(self) -> np.ndarray:
        """Running estimate after each block, shape (n_blocks, m): the convergence record."""
        c = np.cumsum(self.block_estimates.mean(axis=1), axis=0)
        return c / np.arange(1, c.shape[0] + 1)[:, None]


def lyapunov_spectrum(
    model,
    points,
    *,
    n_steps: int = 10_000,
    n_exponents: int | None = None,
    renorm_every: int = 1,
    n_transient: int = 100,
    n_blocks: int = 10,
    tol: float | None = None,
    max_steps: int | None = None,
    min_blocks: int = 8,
    seed: int = 0,
    method: str = "benettin",
) -> LyapunovSpectrum:
    """The Lyapunov spectrum of ``model`` from orbits starting at ``points`` (n, dim).

    ``n_steps`` steps in ``n_blocks`` blocks (more blocks of the same length follow, up to
    ``max_steps``, while ``tol`` is not met). Exponents are per unit time
    (``model.time_per_step``).
    """
    if method != "benettin":
        raise ConfigError(f"method must be one of 'benettin', got {method!r}")
    pts = np.array(points, dtype=np.float64, ndmin=2)
    dim = int(model.dim)
    if pts.shape[1] != dim:
        raise ConfigError(f"points must have shape (n, {dim}), got {pts.shape}")
    m = dim if n_exponents is None else int(n_exponents)
    if not 1 <= m <= dim:
        raise ConfigError(f"n_exponents must be an integer in [1, {dim}], got {n_exponents!r}")
    if renorm_every < 1 or n_blocks < 1 or n_steps < n_blocks * renorm_every:
        raise ConfigError(
            f"n_steps must be an integer in [{n_blocks * renorm_every}, inf) "
            f"(n_blocks * renorm_every), got {n_steps!r}"
        )
    n_orbits = pts.shape[0]
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(n_orbits, dim, m)))
    dt = float(model.time_per_step)

    def advance(pts, q, n):
        logs = np.zeros((n_orbits, m))
        done = 0
        while done < n:
            k = min(renorm_every, n - done)
            pts, t = model.tangent_step(pts, q, k)
            q, r = np.linalg.qr(t)
            logs += np.log(np.abs(np.diagonal(r, axis1=1, axis2=2)))
            done += k
        return pts, q, logs

    pts, q, _ = advance(pts, q, int(n_transient))
    block = max(renorm_every, int(n_steps) // int(n_blocks))
    limit = int(max_steps) if max_steps is not None else int(n_steps)
    limit = max(limit, block * n_blocks)
    estimates = []
    steps = 0
    converged = tol is None
    while steps + block <= limit:
        pts, q, logs = advance(pts, q, block)
        steps += block
        estimates.append(logs / (block * dt))
        nb = len(estimates)
        if nb >= n_blocks and tol is not None and nb >= min_blocks:
            err = _err(np.array(estimates))
            if np.all(err < tol):
                converged = True
                break
    est = np.array(estimates)
    err = _err(est)
    if tol is not None:
        converged = bool(np.all(err < tol))
    return LyapunovSpectrum(
        exponents=est.mean(axis=(0, 1)),
        exponents_err=err,
        block_estimates=est,
        n_steps=steps,
        time=steps * dt,
        converged=converged,
    )


def _err(est: np.ndarray) -> np.ndarray:
    flat = est.reshape(-1, est.shape[-1])
    if flat.shape[0] < 2:
        return np.full(est.shape[-1], np.inf)
    return flat.std(axis=0, ddof=1) / np.sqrt(flat.shape[0])


def ks_entropy(spectrum: LyapunovSpectrum) -> tuple[float, float]:
    """Kolmogorov-Sinai entropy by Pesin's formula (sum of positive exponents) and its error."""
    pos = spectrum.exponents > 0
    val = float(spectrum.exponents[pos].sum())
    # blocks: the sum per (orbit, block) estimate, so correlations between exponents count
    sums = spectrum.block_estimates[..., pos].sum(axis=-1).ravel()
    err = float(sums.std(ddof=1) / np.sqrt(sums.size)) if sums.size > 1 else float("inf")
    return val, err
