"""Measurements on the sheared thermostatted fluid (:mod:`neqlab.models.shear`).

* Viscosity: :func:`shear_viscosity` (steady state, eta = -<P_xy> / gamma, block errors)
  and :func:`green_kubo_viscosity` (eta = V/kT int_0^t_max <P_xy(0) P_xy(s)> ds at
  equilibrium, errors over independent systems and blocks).
* Transient fluctuation theorem (Evans-Searles): :func:`dissipation` (Omega_t from a
  record), :func:`transient_dissipation` (Omega_t at several t for many trajectories
  started from decorrelated samples of equilibrium chains), :func:`integral_theorem`
  (<exp(-Omega_t)> = 1) and :func:`fluctuation_slope` (ln[p(A)/p(-A)] = slope A).
* Steady-state theorem (ECM 1993, Gallavotti-Cohen): :func:`steady_state_sigma`.
* Phase-space contraction: :func:`lyapunov_spectrum` (Benettin/QR with the model's
  public :func:`~neqlab.models.shear.tangent_step`, blocked re-orthonormalisation by
  LAPACK), :func:`kaplan_yorke_dimension`, :func:`pair_sums`.

Units: reduced (sigma = epsilon = m = k_B = 1); Omega and sigma are dimensionless.

>>> kaplan_yorke_dimension(np.array([1.0, 0.5, -1.0, -2.0]))
3.25
"""

from __future__ import annotations

import dataclasses
import math
import threading
from dataclasses import dataclass

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.models.shear import (Record, ShearParams, ShearState, advance, constraint_normals, run,
                                 tangent_step)
from neqlab.observables.fluctuation import SymmetryFit, symmetry_slope

__all__ = [
    "GreenKubo", "ShearLyapunov", "TransientDissipation", "dissipation", "fluctuation_slope",
    "green_kubo_viscosity", "integral_theorem", "kaplan_yorke_dimension", "lyapunov_spectrum", "pair_sums",
    "shear_viscosity", "steady_state_sigma", "transient_dissipation",
]


def _steps(t: float, dt: float, name: str, unit: str = "dt") -> int:
    n = int(round(t / dt))
    if n < 0 or abs(n * dt - t) > 1e-9 * max(1.0, abs(t)):
        raise ConfigError(f"{name} must be a non-negative multiple of {unit} = {dt:.6g} [time], got {t!r}")
    return n


def _blocks(series: np.ndarray, n_blocks: int) -> np.ndarray:
    """Block means (M, n_blocks) of contiguous blocks of each row (the tail is dropped)."""
    n = series.shape[1] // n_blocks
    if n < 1:
        raise ConfigError(f"n_blocks must be an integer in [1, {series.shape[1]}], got {n_blocks}")
    return series[:, : n * n_blocks].reshape(series.shape[0], n_blocks, n).mean(axis=2)


def _skip(record: Record, t_skip: float) -> int:
    k = int(round(t_skip / record.interval))
    if not 0 <= k < record.t.size:
        raise ConfigError(f"t_skip must be a number in [0, {record.t.size * record.interval:.6g}) [time], got {t_skip!r}")
    return k


# ----------------------------------------------------------------------------- viscosity
def shear_viscosity(record: Record, shear_rate: float, *, t_skip: float = 0.0, n_blocks: int = 10):
    """(eta, eta_err) [energy time / length^dim] = -<P_xy> / gamma in the steady state.

    The record after ``t_skip`` [time] is cut into ``n_blocks`` blocks per system; the
    error is the standard error over all (system, block) means (blocks much longer than
    the stress correlation time are independent).
    """
    if shear_rate == 0:
        raise ConfigError("shear_rate must be a nonzero number [1/time], got 0")
    b = _blocks(record.pxy[:, _skip(record, t_skip):], n_blocks).ravel()
    return float(-b.mean() / shear_rate), float(b.std(ddof=1) / math.sqrt(b.size) / abs(shear_rate))


@dataclass(frozen=True)
class GreenKubo:
    """eta [energy time / length^dim] and its error; ``t`` [time] and ``running`` the
    running integral eta(t); ``acf`` <P_xy(0) P_xy(t)> [(energy/length^dim)^2]."""

    value: float
    err: float
    t: np.ndarray
    running: np.ndarray
    acf: np.ndarray


def green_kubo_viscosity(record: Record, kT: float, volume: float, *, t_max: float, t_skip: float = 0.0,
                         n_blocks: int = 1) -> GreenKubo:
    """eta = V / kT int_0^t_max <P_xy(0) P_xy(s)> ds from equilibrium records (shear rate 0).

    The record's interval means of P_xy are used (their correlation integrates to the
    same eta). <P_xy> = 0 at equilibrium exactly, so no mean is subtracted. Each system's
    record (after ``t_skip``) is cut into ``n_blocks`` blocks; each block gives an estimate,
    and the error is their standard error (systems are independent; blocks much longer
    than t_max nearly so). With the isokinetic thermostat kT = 2K / (dN - d - 1).
    """
    x = record.pxy[:, _skip(record, t_skip):]
    n = x.shape[1] // n_blocks
    lag = int(round(t_max / record.interval))
    if not 1 <= lag < n // 2:
        raise ConfigError(f"t_max must be a number in [{record.interval:.4g}, {n // 2 * record.interval:.4g}) [time] "
                          f"(half a block), got {t_max!r}")
    blocks = x[:, : n * n_blocks].reshape(-1, n)
    size = 1 << int(math.ceil(math.log2(2 * n)))
    spec = np.fft.rfft(blocks, size, axis=1)
    acf = np.fft.irfft(spec * np.conj(spec), size, axis=1)[:, : lag + 1] / (n - np.arange(lag + 1))
    w = np.ones(lag + 1)
    w[0] = 0.5
    running = volume / kT * record.interval * np.cumsum(acf * w, axis=1)
    est = running[:, -1]
    err = float(est.std(ddof=1) / math.sqrt(est.size)) if est.size > 1 else float("inf")
    t = record.interval * np.arange(lag + 1)
    return GreenKubo(float(est.mean()), err, t, running.mean(axis=0), acf.mean(axis=0))


# ------------------------------------------------------------------- fluctuation theorems
def dissipation(record: Record, state: ShearState, params: ShearParams) -> np.ndarray:
    """Omega_t [1] at the end of every record interval, (M, n): the time integral of
    :func:`neqlab.models.shear.dissipation_function` (isokinetic: -beta gamma V
    int (P_xy + P_xy^kin / (dN - d - 1)) ds, beta = (dN - d - 1) / 2K; isoenergetic:
    -int Lambda ds), by the trapezoid rule over the steps."""
    if params.thermostat == "isokinetic":
        n_dof = state.n_dof
        beta = n_dof / (2.0 * record.kinetic_energy)
        rate = -beta * params.shear_rate * state.volume * (record.pxy + record.pxy_kinetic / n_dof)
    elif params.thermostat == "isoenergetic":
        rate = -record.compression
    else:
        raise ConfigError("thermostat must be one of 'isokinetic', 'isoenergetic' for the dissipation, got 'none'")
    return np.cumsum(rate, axis=1) * record.interval


@dataclass(frozen=True)
class TransientDissipation:
    """Omega_t [1] of many trajectories: ``omega`` (n_t, n_traj) at times ``t`` [time];
    trajectory j started from sample j // M of chain ``chain[j]`` = j % M."""

    t: np.ndarray
    omega: np.ndarray
    chain: np.ndarray


def transient_dissipation(chains: ShearState, params: ShearParams, t, *, n_samples: int,
                          t_gap: float) -> TransientDissipation:
    """Omega_t at the times ``t`` [time] for n_samples x M trajectories.

    ``chains``: M systems from the isokinetic equilibrium ensemble (e.g.
    :func:`neqlab.models.shear.equilibrium_ensemble`); ``params``: the sheared dynamics
    (isokinetic). Each of ``n_samples`` rounds shears a copy of every chain for max(t),
    then runs the chains ``t_gap`` [time] at shear rate 0 (isokinetic, which leaves their
    ensemble invariant) to decorrelate the next start.
    """
    if params.thermostat != "isokinetic":
        raise ConfigError(f"thermostat must be 'isokinetic' for transient trajectories from the isokinetic "
                          f"ensemble, got {params.thermostat!r}")
    steps = np.array([_steps(float(x), params.dt, "t") for x in np.atleast_1d(t)])
    if steps.min() < 1:
        raise ConfigError(f"t must be a list of positive multiples of dt [time], got {t!r}")
    every = int(np.gcd.reduce(steps))
    gap = _steps(t_gap, params.dt, "t_gap")
    eq = dataclasses.replace(params, shear_rate=0.0)
    cols = steps // every - 1
    out = []
    for _ in range(int(n_samples)):
        _, rec = run(chains, params, int(steps.max()), record_every=every)
        out.append(dissipation(rec, chains, params)[:, cols].T)
        chains = advance(chains, eq, gap)
    omega = np.concatenate(out, axis=1)
    return TransientDissipation(steps * params.dt, omega, np.tile(np.arange(chains.n_systems), int(n_samples)))


def _group_means(values: np.ndarray, groups) -> np.ndarray:
    if groups is None:
        return values
    g = np.asarray(groups)
    _, inv = np.unique(g, return_inverse=True)
    return np.bincount(inv, weights=values) / np.bincount(inv)


def integral_theorem(omega, groups=None) -> tuple[float, float]:
    """(<exp(-Omega)>, its standard error); with ``groups`` (e.g. the chain of each
    trajectory, equal group sizes) the error is that of the group means, so correlations
    within a group are accounted for. The transient theorem says exactly 1."""
    e = np.exp(-np.asarray(omega, dtype=float))
    gm = _group_means(e, groups)
    return float(e.mean()), float(gm.std(ddof=1) / math.sqrt(gm.size))


def fluctuation_slope(samples, groups=None, *, n_bins: int = 30, min_count: int = 20, n_boot: int = 200,
                      seed: int = 0) -> SymmetryFit:
    """ln[p(A)/p(-A)] = slope A (:func:`neqlab.observables.fluctuation.symmetry_slope`);
    with ``groups`` the slope error is a bootstrap over groups (resampled whole), which
    accounts for correlated samples; without, the fit's binomial error."""
    s = np.asarray(samples, dtype=float)
    fit = symmetry_slope(s, n_bins=n_bins, min_count=min_count)
    if groups is None:
        return fit
    g = np.asarray(groups)
    labels, inv = np.unique(g, return_inverse=True)
    members = [np.flatnonzero(inv == k) for k in range(labels.size)]
    rng = np.random.default_rng(seed)
    slopes = []
    for _ in range(n_boot):
        pick = np.concatenate([members[k] for k in rng.integers(0, labels.size, labels.size)])
        try:
            slopes.append(symmetry_slope(s[pick], n_bins=n_bins, min_count=min_count).slope)
        except ConfigError:  # a resample with too few negative values: skip it
            continue
    err = float(np.std(slopes, ddof=1)) if len(slopes) > 1 else float("inf")
    return dataclasses.replace(fit, slope_err=err)


def steady_state_sigma(record: Record, state: ShearState, params: ShearParams, taus, *, t_skip: float = 0.0,
                       definition: str = "dissipation") -> list[tuple[np.ndarray, np.ndarray]]:
    """Per window length tau [time]: (sigma_tau samples, system id of each), from
    non-overlapping windows of each system's record after ``t_skip``.

    ``dissipation``: sigma_tau = -beta gamma V tau mean(P_xy) with beta = (dN - d - 1)
    / 2<K> (ECM 1993's entropy production); ``contraction``: sigma_tau = -int Lambda
    over the window (the phase-space contraction). Both have the same mean rate. With
    the isoenergetic thermostat -Lambda is proportional to -P_xy (as in ECM 1993); with
    the isokinetic one it contains beta F.p = -beta dPhi/dt, whose window integral is a
    boundary term of variance ~2 Var(beta Phi): measured at N = 56, gamma = 0.2, its
    Var(sigma_tau) is 52-79 against 0.6-22 for ``dissipation`` (tau 0.1-1.6), so the
    contraction needs windows many times longer before its slope nears 1.
    """
    k0 = _skip(record, t_skip)
    if definition == "dissipation":
        beta = state.n_dof / (2.0 * record.kinetic_energy[:, k0:].mean())
        rate = -beta * params.shear_rate * state.volume * record.pxy[:, k0:]
    elif definition == "contraction":
        rate = -record.compression[:, k0:]
    else:
        raise ConfigError(f"definition must be one of 'dissipation', 'contraction', got {definition!r}")
    out = []
    for tau in np.atleast_1d(taus):
        w = _steps(float(tau), record.interval, "tau", "the record interval")
        nw = rate.shape[1] // w if w > 0 else 0
        if nw < 1:
            raise ConfigError(f"tau must be a positive multiple of the record interval {record.interval:.4g} up to "
                              f"{rate.shape[1] * record.interval:.4g} [time], got {tau!r}")
        sig = rate[:, : nw * w].reshape(rate.shape[0], nw, w).sum(axis=2) * record.interval
        out.append((sig.ravel(), np.repeat(np.arange(rate.shape[0]), nw)))
    return out


# ------------------------------------------------------------------------ Lyapunov spectra
def kaplan_yorke_dimension(exponents) -> float:
    """j + sum_{i<=j} lambda_i / |lambda_{j+1}|, j the largest with a non-negative partial sum."""
    lam = np.sort(np.asarray(exponents, dtype=float))[::-1]
    c = np.cumsum(lam)
    if c[0] < 0:
        return 0.0
    j = int(np.flatnonzero(c >= 0)[-1]) + 1
    if j == lam.size:
        return float(lam.size)
    return float(j + c[j - 1] / abs(lam[j]))


def pair_sums(exponents) -> np.ndarray:
    """lambda_i + lambda_{m+1-i} for i = 1..floor(m/2) (exponents sorted descending)."""
    lam = np.sort(np.asarray(exponents, dtype=float))[::-1]
    h = lam.size // 2
    return lam[:h] + lam[::-1][:h]


@dataclass(frozen=True)
class ShearLyapunov:
    """The Lyapunov spectrum [1/time] (descending) and what it is compared with.

    ``segments`` (n_segments, M, m): one spectrum per segment and system; errors are
    standard errors over those. ``compression``: <Lambda> over the same time [1/time],
    ``alpha``: <alpha>; ``exponent_sum`` per segment minus the matching mean of
    Lambda (``space='constrained'``) or of div G = Lambda - d alpha (``'full'``) is
    ``sum_gap`` (zero up to O(dt^2)). ``dimension``: of the space the vectors span.
    """

    exponents: np.ndarray
    exponents_err: np.ndarray
    segments: np.ndarray
    compression: float
    compression_err: float
    alpha: float
    alpha_err: float
    exponent_sum: float
    exponent_sum_err: float
    sum_gap: float
    sum_gap_err: float
    kaplan_yorke: float
    kaplan_yorke_err: float
    space: str
    dimension: int
    time: float


_BLAS_LOCK = threading.Lock()


class _one_blas_thread:
    """LAPACK's QR on one thread while inside (restored after), through threadpoolctl.
    Measured on the shared 2-core machine: a 224 x 221 QR took 42-300 ms with OpenBLAS's 2
    spinning threads against 2-13 ms with one; the parallelism of this module is over
    systems instead."""

    def __enter__(self):
        from threadpoolctl import threadpool_limits

        _BLAS_LOCK.acquire()
        self._limits = threadpool_limits(limits=1, user_api="blas")
        return self

    def __exit__(self, *exc):
        self._limits.restore_original_limits()
        _BLAS_LOCK.release()
        return False


def _qr(t):
    with _one_blas_thread():
        return np.linalg.qr(t)


def _se(x: np.ndarray) -> float:
    x = np.asarray(x).ravel()
    return float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else float("inf")


def lyapunov_spectrum(state: ShearState, params: ShearParams, *, t_run: float, t_transient: float = 5.0,
                      renorm_every: int = 25, n_segments: int = 10, space: str = "constrained",
                      seed: int = 0) -> ShearLyapunov:
    """Full Lyapunov spectrum of each system of ``state`` by Benettin's QR method.

    ``space='full'``: 2 dN tangent vectors (the whole phase space); ``'constrained'``:
    2 dN - k vectors in the tangent space of the constraint surface (total momentum,
    and K or H0; see :func:`neqlab.models.shear.constraint_normals`), re-projected at
    every re-orthonormalisation (which only removes round-off for the exactly kept
    isokinetic surface). Every ``renorm_every`` steps all vectors are re-orthonormalised
    at once by a LAPACK QR and ln|R_ii| accumulated. After ``t_transient`` [time],
    ``t_run`` [time] is cut into ``n_segments`` segments.
    """
    if space not in ("constrained", "full"):
        raise ConfigError(f"space must be one of 'constrained', 'full', got {space!r}")
    if isinstance(renorm_every, bool) or not isinstance(renorm_every, (int, np.integer)) or renorm_every < 1:
        raise ConfigError(f"renorm_every must be an integer in [1, inf), got {renorm_every!r}")
    m_sys, n, d = state.positions.shape
    dim = 2 * n * d
    seg_steps = _steps(t_run, params.dt, "t_run") // max(1, int(n_segments))
    seg_steps -= seg_steps % renorm_every
    if n_segments < 1 or seg_steps < renorm_every:
        raise ConfigError(f"t_run must be a number in [{n_segments * renorm_every * params.dt:.4g}, inf) [time] "
                          f"(n_segments * renorm_every * dt), got {t_run!r}")
    rng = np.random.default_rng(seed)
    constrained = space == "constrained"

    def project(s, t):
        if constrained:
            nrm = constraint_normals(s, params)
            t = t - nrm @ np.einsum("sik,sim->skm", nrm, t)
        return t

    n_vec = dim - (d + int(params.thermostat != "none")) if constrained else dim
    q, _ = _qr(project(state, rng.normal(size=(m_sys, dim, n_vec))))
    s = state

    def advance_block(s, q, n_steps):
        logs = np.zeros((m_sys, n_vec))
        integ = np.zeros((m_sys, 2))
        for _ in range(n_steps // renorm_every):
            s, t, it = tangent_step(s, params, q, renorm_every)
            q, r = _qr(project(s, t))
            logs += np.log(np.abs(np.diagonal(r, axis1=1, axis2=2)))
            integ += np.stack([it.compression, it.alpha], axis=1)
        return s, q, logs, integ

    n_tr = _steps(t_transient, params.dt, "t_transient")
    s, q, _, _ = advance_block(s, q, n_tr - n_tr % renorm_every)
    seg_t = seg_steps * params.dt
    segs, lam_seg, alpha_seg = [], [], []
    for _ in range(int(n_segments)):
        s, q, logs, integ = advance_block(s, q, seg_steps)
        segs.append(np.sort(logs / seg_t, axis=1)[:, ::-1])
        lam_seg.append(integ[:, 0] / seg_t)
        alpha_seg.append(integ[:, 1] / seg_t)
    segs = np.array(segs)
    lam_seg, alpha_seg = np.array(lam_seg), np.array(alpha_seg)
    target = lam_seg if constrained else lam_seg - d * alpha_seg
    sums = segs.sum(axis=2)
    flat = segs.reshape(-1, n_vec)
    ky_all = np.array([kaplan_yorke_dimension(np.delete(flat, i, axis=0).mean(axis=0)) for i in range(flat.shape[0])])
    ky_err = float(np.sqrt((flat.shape[0] - 1) * np.mean((ky_all - ky_all.mean()) ** 2))) if flat.shape[0] > 1 \
        else float("inf")
    mean = flat.mean(axis=0)
    return ShearLyapunov(
        exponents=mean, exponents_err=np.array([_se(flat[:, i]) for i in range(n_vec)]), segments=segs,
        compression=float(lam_seg.mean()), compression_err=_se(lam_seg), alpha=float(alpha_seg.mean()),
        alpha_err=_se(alpha_seg), exponent_sum=float(sums.mean()), exponent_sum_err=_se(sums),
        sum_gap=float((sums - target).mean()), sum_gap_err=_se(sums - target),
        kaplan_yorke=kaplan_yorke_dimension(mean), kaplan_yorke_err=ky_err, space=space, dimension=n_vec,
        time=seg_t * int(n_segments))
