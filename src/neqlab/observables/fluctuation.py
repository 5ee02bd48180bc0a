"""Fluctuation theorems and free-energy estimators from work samples.

Crooks: P_F(W) / P_R(-W) = exp[(W - dF)/kT]. :func:`crooks_fit` histograms the
forward work and the negated reverse work on common bins, takes the log ratio with
binomial errors, and fits a weighted line in W/kT: slope 1 and crossing at dF are the
theorem. :func:`free_energy` gives dF by EXP (Jarzynski), BAR and MBAR, all via pymbar
with its analytical uncertainties. :func:`symmetry_slope` tests the steady-state
relation ln[P(s = a)/P(s = -a)] = a for an entropy production s.

>>> rng = np.random.default_rng(0)
>>> wf = rng.normal(1.0, np.sqrt(2.0), 200_000)   # Gaussian work, Var = 2 kT <W>, dF = 0
>>> fit = crooks_fit(wf, rng.normal(1.0, np.sqrt(2.0), 200_000), kT=1.0)
>>> abs(fit.slope - 1) < 4 * fit.slope_err
True
>>> est = free_energy(wf[:20000], wf[20000:40000], kT=1.0, methods=("bar",))
>>> abs(est["bar"][0]) < 4 * est["bar"][1]
True
"""

from __future__ import annotations

import contextlib
import io
import logging
from dataclasses import dataclass

import numpy as np

from neqlab.core.errors import ConfigError

METHODS = ("exp_forward", "exp_reverse", "bar", "mbar")


def _pymbar():
    """Import pymbar quietly (it prints a banner about JAX on import)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import pymbar
        import pymbar.other_estimators  # noqa: F401
        import pymbar.utils  # noqa: F401
    return pymbar


@dataclass(frozen=True)
class CrooksFit:
    """The Crooks test on common bins: x = W/kT at bin centres, y = ln[P_F(W)/P_R(-W)]."""

    x: np.ndarray
    y: np.ndarray
    y_err: np.ndarray
    slope: float
    slope_err: float
    crossing: float  # W at which P_F(W) = P_R(-W) [energy]; Crooks: dF
    crossing_err: float
    chi2: float
    dof: int


def _weighted_line(x, y, err):
    wts = 1.0 / err**2
    s, sx, sy = wts.sum(), (wts * x).sum(), (wts * y).sum()
    sxx, sxy = (wts * x * x).sum(), (wts * x * y).sum()
    det = s * sxx - sx * sx
    a = (s * sxy - sx * sy) / det
    b = (sxx * sy - sx * sxy) / det
    cov = np.array([[s, -sx], [-sx, sxx]]) / det  # (a, b) covariance
    chi2 = float((wts * (y - a * x - b) ** 2).sum())
    return a, b, cov, chi2


def _bin_abscissa(wf: np.ndarray, wr: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Per bin, x = (ln<e^w>_R - ln<e^-w>_F) / 2 over the samples in the bin.

    Crooks gives E[p_F] = e^(-dF/kT) E_R[e^w 1_bin] and E[p_R] = e^(dF/kT) E_F[e^-w 1_bin],
    so ln(p_F/p_R) = x - dF/kT holds in expectation with this x (up to O(1/n)). The bin
    centre instead biases the fitted slope by about -h^2 / (24 <W>/kT) for Gaussian work
    and bin width h (0.16 % at the dragged trap's default: 1.1 standard errors there).
    Empty bins get their centre (they are dropped by the count cut anyway).
    """
    centre = 0.5 * (edges[1:] + edges[:-1])
    n = centre.size

    def log_mean_exp(w, sign):
        i = np.searchsorted(edges, w, side="right") - 1
        i[w == edges[-1]] = n - 1
        keep = (i >= 0) & (i < n)
        i, w = i[keep], w[keep]
        cnt = np.bincount(i, minlength=n)
        tot = np.bincount(i, weights=np.exp(sign * (w - centre[i])), minlength=n)
        out = np.zeros(n)
        has = cnt > 0
        out[has] = np.log(tot[has] / cnt[has])
        return sign * centre + out, has

    up, has_r = log_mean_exp(wr, 1.0)      # ln <e^w>_R
    down, has_f = log_mean_exp(wf, -1.0)   # ln <e^-w>_F
    both = has_r & has_f
    return np.where(both, 0.5 * (up - down), centre)


def crooks_fit(work_forward: np.ndarray, work_reverse: np.ndarray, kT: float, *,
               n_bins: int = 40, min_count: int = 20, atoms: tuple[float, ...] = ()) -> CrooksFit:
    """Fit ln[P_F(W)/P_R(-W)] = slope (W - crossing)/kT on bins holding >= min_count of both.

    Bins span the overlap of the two samples; each bin's abscissa is the exact-in-
    expectation value of :func:`_bin_abscissa`, not its centre; the error of a log count is the binomial
    sqrt((1 - p)/(n p)); the slope and crossing errors are those of the weighted fit.
    ``atoms``: work values carrying a finite probability (e.g. W = 0 when a piston never
    meets a particle); samples exactly there are taken out of the histograms (which keep
    the full normalisation) and enter as one point each, so an atom inside a bin cannot
    bias the ratio of densities.
    """
    wf = np.asarray(work_forward, dtype=float) / kT
    wr = -np.asarray(work_reverse, dtype=float) / kT
    n_f, n_r = wf.size, wr.size
    xs, cfs, crs = [], [], []
    for atom in atoms:
        a = atom / kT
        xs.append(a)
        cfs.append(int(np.sum(wf == a)))
        crs.append(int(np.sum(wr == a)))
        wf, wr = wf[wf != a], wr[wr != a]
    if not (wf.size and wr.size):  # every sample sits on an atom (e.g. a piston that never meets a particle)
        raise ConfigError("work samples must overlap (forward W and reverse -W) off the atoms, got none off them; "
                          "drive more slowly or sample more trajectories")
    lo, hi = max(wf.min(), wr.min()), min(wf.max(), wr.max())  # the overlap of the supports
    if not hi > lo:
        raise ConfigError("work samples must overlap (forward W and reverse -W), got disjoint ranges; "
                          "drive more slowly or sample more trajectories")
    edges = np.linspace(lo, hi, n_bins + 1)
    cf, _ = np.histogram(wf, edges)
    cr, _ = np.histogram(wr, edges)
    x = np.concatenate([_bin_abscissa(wf, wr, edges), xs])
    cf = np.concatenate([cf, cfs]).astype(float)
    cr = np.concatenate([cr, crs]).astype(float)
    ok = (cf >= min_count) & (cr >= min_count)
    if ok.sum() < 3:
        raise ConfigError(f"the Crooks fit needs >= 3 bins with {min_count} counts each way, got {int(ok.sum())}; "
                          "sample more trajectories")
    order = np.argsort(x[ok], kind="stable")
    x, cf, cr = x[ok][order], cf[ok][order], cr[ok][order]
    pf, pr = cf / n_f, cr / n_r
    y = np.log(pf / pr)
    err = np.sqrt((1 - pf) / cf + (1 - pr) / cr)
    a, b, cov, chi2 = _weighted_line(x, y, err)
    x0 = -b / a
    var_x0 = (x0 * x0 * cov[0, 0] + cov[1, 1] + 2 * x0 * cov[0, 1]) / (a * a)
    return CrooksFit(x, y, err, float(a), float(np.sqrt(cov[0, 0])), float(x0 * kT),
                     float(np.sqrt(var_x0) * kT), chi2, int(x.size - 2))


def jarzynski(work: np.ndarray, kT: float) -> tuple[float, float]:
    """<exp(-W/kT)> and its standard error (the Jarzynski average; = exp(-dF/kT))."""
    e = np.exp(-np.asarray(work, dtype=float) / kT)
    return float(e.mean()), float(e.std(ddof=1) / np.sqrt(e.size))


def free_energy(work_forward: np.ndarray, work_reverse: np.ndarray, kT: float,
                methods=METHODS) -> dict[str, tuple[float, float]]:
    """dF [energy] and its standard error by each method, via pymbar.

    ``exp_forward``: Jarzynski on forward work; ``exp_reverse``: minus Jarzynski on
    reverse work; ``bar``: Bennett's acceptance ratio; ``mbar``: MBAR on the two path
    ensembles (reduced potentials 0 and W/kT), which equals BAR for two states.
    """
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise ConfigError(f"method must be one of {', '.join(METHODS)}, got {bad[0]!r}")
    pm = _pymbar()
    wf = np.asarray(work_forward, dtype=float) / kT
    wr = np.asarray(work_reverse, dtype=float) / kT
    out: dict[str, tuple[float, float]] = {}
    log = logging.getLogger("pymbar")
    level = log.level
    log.setLevel(logging.ERROR)  # pymbar logs solver fallbacks as warnings; the results carry their errors
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            if "exp_forward" in methods:
                r = pm.other_estimators.exp(wf)
                out["exp_forward"] = (float(r["Delta_f"]) * kT, float(r["dDelta_f"]) * kT)
            if "exp_reverse" in methods:
                r = pm.other_estimators.exp(wr)
                out["exp_reverse"] = (-float(r["Delta_f"]) * kT, float(r["dDelta_f"]) * kT)
            bar = None
            if "bar" in methods or "mbar" in methods:
                bar = pm.other_estimators.bar(wf, wr)
            if "bar" in methods:
                out["bar"] = (float(bar["Delta_f"]) * kT, float(bar["dDelta_f"]) * kT)
            if "mbar" in methods:
                u = np.zeros((2, wf.size + wr.size))
                u[1, : wf.size] = wf
                u[1, wf.size:] = -wr
                # Started from BAR's dF (its two-state solution) the adaptive solver only
                # has to confirm the self-consistent equations to 1e-12: 1.2 s instead of
                # 4.9 s for 2 x 10^6 works (pymbar's default start re-runs BAR and iterates).
                f0 = np.array([0.0, float(bar["Delta_f"])])
                proto = ({"method": "adaptive", "tol": 1e-12, "options": {"min_sc_iter": 0}},)
                try:
                    mbar = pm.MBAR(u, np.array([wf.size, wr.size]), initial_f_k=f0, solver_protocol=proto)
                except (pm.utils.ConvergenceError, pm.utils.ParameterError):  # fall back to pymbar's own start
                    mbar = pm.MBAR(u, np.array([wf.size, wr.size]), initialize="BAR")
                r = mbar.compute_free_energy_differences()
                out["mbar"] = (float(r["Delta_f"][0, 1]) * kT, float(r["dDelta_f"][0, 1]) * kT)
    finally:
        log.setLevel(level)
    return out


def jarzynski_convergence(work: np.ndarray, kT: float, sizes) -> tuple[np.ndarray, np.ndarray]:
    """Mean and spread of the Jarzynski estimate -kT ln <exp(-W/kT)>_n over disjoint blocks
    of n trajectories, for each n in ``sizes`` (shows the finite-n bias)."""
    w = np.asarray(work, dtype=float) / kT
    means, sds = [], []
    for n in sizes:
        n_blocks = w.size // int(n)
        if n_blocks < 2:
            means.append(np.nan)
            sds.append(np.nan)
            continue
        blocks = w[: n_blocks * int(n)].reshape(n_blocks, int(n))
        wmin = blocks.min(axis=1, keepdims=True)
        est = (wmin[:, 0] - np.log(np.mean(np.exp(-(blocks - wmin)), axis=1))) * kT
        means.append(est.mean())
        sds.append(est.std(ddof=1))
    return np.array(means), np.array(sds)


@dataclass(frozen=True)
class SymmetryFit:
    """ln[P(s = a)/P(s = -a)] against a > 0 and its fitted slope (1 is the theorem)."""

    a: np.ndarray
    log_ratio: np.ndarray
    log_ratio_err: np.ndarray
    slope: float
    slope_err: float


def symmetry_slope(s: np.ndarray, *, n_bins: int = 30, min_count: int = 20) -> SymmetryFit:
    """Fit ln[P(s=a)/P(s=-a)] = slope * a (through the origin) on symmetric bins of |s|."""
    s = np.asarray(s, dtype=float)
    neg = -s[s < 0]
    if neg.size < 3 * min_count:
        raise ConfigError(f"entropy production samples must include >= {3 * min_count} negative values, "
                          f"got {neg.size}; use shorter windows or more trajectories")
    top = np.quantile(neg, 1 - 1.0 / neg.size * min_count)
    edges = np.linspace(0.0, top, n_bins + 1)
    cp, _ = np.histogram(s[s > 0], edges)
    cn, _ = np.histogram(neg, edges)
    ok = (cp >= min_count) & (cn >= min_count)
    if ok.sum() < 2:
        raise ConfigError(f"symmetry fit needs >= 2 bins with {min_count} counts each side, got {int(ok.sum())}")
    a = 0.5 * (edges[1:] + edges[:-1])[ok]
    y = np.log(cp[ok] / cn[ok])
    n = s.size
    err = np.sqrt((1 - cp[ok] / n) / cp[ok] + (1 - cn[ok] / n) / cn[ok])
    wts = 1.0 / err**2
    slope = float((wts * a * y).sum() / (wts * a * a).sum())
    return SymmetryFit(a, y, err, slope, float(1.0 / np.sqrt((wts * a * a).sum())))
