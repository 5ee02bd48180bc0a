"""Experiment ``macrostates`` (essay §2.2): equal a priori probabilities.

Three exactly solvable models, each measured against its exact result:

* counting: N particles in two halves, Omega(n) = C(N, n); the probability
  concentrates on n = N/2 with relative width N^-1/2;
* the Ehrenfest urn (a stochastic walk among microstates) relaxes to the binomial
  macrostate law as E[n_t] - N/2 = (1 - 2/N)^t (n_0 - N/2), and returns to its initial
  state after 2^N steps on average (Kac's lemma);
* the Kac ring (deterministic, reversible) shows an H-theorem-like decay of the
  ensemble mean (1 - 2 mu)^t, yet every ring recurs exactly after n_sites or
  2 n_sites steps and runs back exactly when reversed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import xarray as xr
from scipy import stats

from neqlab.core.config import ConfigBase, param
from neqlab.core.rng import Stream, replica_keys
from neqlab.experiments._base import Verdict, config_of
from neqlab.models.toy import KacRing, ehrenfest_n_left, ehrenfest_return_times
from neqlab.observables.macrostate import log_omega, mass_within, relative_width
from neqlab.plotting import new_figure, panel_label
from neqlab.runner import Runner

NAME = "macrostates"
SECTION = "§2.2 Equal a priori probabilities"
CLAIM = (
    "If every microstate is equally likely, one macrostate (the equilibrium one) is "
    "overwhelmingly the most probable, and a system wandering among microstates "
    "ends up there and practically never leaves."
)
Z_MAX = 4.0  # two-sided: a correct estimator fails one check with probability 6e-5
P_MIN = 6.3e-5  # the chi-square p-value matching |z| < 4


@dataclass(frozen=True)
class Config(ConfigBase):
    """Parameters of the macrostates experiment (all counts dimensionless, time in steps)."""

    experiment: ClassVar[str] = NAME
    n_particles: int = param(100, lo=2, hi=10**6, doc="balls in the Ehrenfest urn")
    n_steps: int = param(2000, lo=1, hi=10**7, unit="steps", doc="Ehrenfest steps per replica")
    n_replicas: int = param(2000, lo=2, hi=10**6, doc="replicas of the urn and of the Kac ring")
    recurrence_n_particles: int = param(10, lo=2, hi=20, doc="urn size for the recurrence-time check (mean 2^N)")
    n_sites: int = param(1000, lo=4, hi=10**6, doc="sites of the Kac ring (run for 2 n_sites steps)")
    marker_fraction: float = param(0.01, lo=0.0, hi=1.0, doc="probability that a ring edge is marked")
    n_rings: int = param(200, lo=2, hi=10**5, doc="Kac rings (marker placements) in the ensemble")
    counting_n_max: int = param(10**6, lo=10, hi=10**7, doc="largest N in the counting panel")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")


SMALL = Config(n_particles=50, n_steps=1000, n_replicas=400, recurrence_n_particles=6,
               n_sites=200, n_rings=40, marker_fraction=0.02, counting_n_max=10**4)
SCALES = {
    "quick": Config(),
    "default": Config(n_particles=1000, n_steps=20000, n_replicas=10000, recurrence_n_particles=14,
                      n_sites=4000, n_rings=500, marker_fraction=0.003),
    "full": Config(n_particles=10000, n_steps=200000, n_replicas=100000, recurrence_n_particles=18,
                   n_sites=20000, n_rings=1000, marker_fraction=0.001, counting_n_max=10**7),
}


# -- tasks (top level, picklable: run through the runner) -----------------------------
def _ehrenfest_task(replicas, seed, *, n_particles, n_steps, stride):
    keys = replica_keys(seed, replicas, Stream.EHRENFEST)
    return {"n_left": ehrenfest_n_left(keys, n_particles=n_particles, n_start=n_particles,
                                       n_steps=n_steps, stride=stride)}


def _recurrence_task(replicas, seed, *, n_particles, max_steps):
    keys = replica_keys(seed, replicas, Stream.EHRENFEST_RECURRENCE)
    return {"t_return": ehrenfest_return_times(keys, n_particles=n_particles, n_start=n_particles,
                                               max_steps=max_steps)}


def _kac_task(replicas, seed, *, n_sites, marker_fraction):
    keys = replica_keys(seed, replicas, Stream.KAC_MARKERS)
    delta = np.empty((len(replicas), 2 * n_sites + 1), dtype=np.float32)
    markers = np.empty(len(replicas), dtype=np.int64)
    reversal_ok = np.empty(len(replicas), dtype=bool)
    for j, key in enumerate(keys):  # one kernel call per ring of n_sites^2 updates
        ring = KacRing.random(int(key), n_sites, marker_fraction)
        delta[j, 0] = 1.0
        delta[j, 1:] = ring.advance(2 * n_sites)
        ring.advance(2 * n_sites, backward=True)
        reversal_ok[j] = ring.time == 0 and bool((ring.colour == 1).all())
        markers[j] = ring.n_markers
    return {"delta": delta, "n_markers": markers, "reversal_ok": reversal_ok}


def counting_grid(n_max: int) -> np.ndarray:
    """N values of the counting panel: 10 .. n_max, two per decade."""
    exps = np.arange(1.0, np.log10(n_max) + 1e-9, 0.5)
    return np.unique(np.round(10.0**exps).astype(np.int64))


def run(config: Config, *, runner: Runner | None = None) -> xr.Dataset:
    """Run the three models; return the dataset described in the module docstring."""
    runner = runner or Runner(progress=False)
    key = config.to_json()
    c = config
    stride = max(1, c.n_steps // 1000)
    t = np.arange(c.n_steps // stride + 1) * stride
    urn = runner.ensemble(
        functools.partial(_ehrenfest_task, n_particles=c.n_particles, n_steps=c.n_steps, stride=stride),
        c.n_replicas, seed=c.seed, name="ehrenfest", key=key, label="Ehrenfest urn")
    max_steps = 200 * 2**c.recurrence_n_particles
    rec = runner.ensemble(
        functools.partial(_recurrence_task, n_particles=c.recurrence_n_particles, max_steps=max_steps),
        c.n_replicas, seed=c.seed, name="recurrence", key=key, label="Ehrenfest recurrence")
    kac = runner.ensemble(
        functools.partial(_kac_task, n_sites=c.n_sites, marker_fraction=c.marker_fraction),
        c.n_rings, seed=c.seed, name="kac", key=key, label="Kac rings")

    n_grid = counting_grid(c.counting_n_max)
    x = np.linspace(0.0, 1.0, 1001)
    ds = xr.Dataset(
        {
            "ehrenfest_n_left": (("replica", "t"), urn["n_left"]),
            "ehrenfest_return_time": (("replica",), rec["t_return"]),
            "kac_delta": (("ring", "t_kac"), kac["delta"]),
            "kac_n_markers": (("ring",), kac["n_markers"]),
            "kac_reversal_ok": (("ring",), kac["reversal_ok"]),
            "log_omega": (("n_counting", "x"), np.stack([log_omega(N, x * N) for N in n_grid])),
            "mass_3sigma": (("n_counting",), np.array([mass_within(N, 3.0) for N in n_grid])),
            "relative_width": (("n_counting",), np.array([relative_width(N) for N in n_grid])),
        },
        coords={
            "replica": np.arange(c.n_replicas), "t": t, "ring": np.arange(c.n_rings),
            "t_kac": np.arange(2 * c.n_sites + 1), "n_counting": n_grid, "x": x,
        },
    )
    ds["ehrenfest_n_left"].attrs = {"long_name": "balls in the left urn", "units": "1"}
    ds["t"].attrs = {"long_name": "Ehrenfest time", "units": "steps"}
    ds["t_kac"].attrs = {"long_name": "Kac ring time", "units": "steps"}
    ds["kac_delta"].attrs = {"long_name": "(white - black) / n_sites", "units": "1"}
    ds["log_omega"].attrs = {"long_name": "ln C(N, xN): Boltzmann entropy of the macrostate", "units": "k_B"}
    ds["x"].attrs = {"long_name": "fraction in the left half n/N", "units": "1"}
    ds.attrs["recurrence_max_steps"] = max_steps
    return ds


# -- verdict -------------------------------------------------------------------------
def _z(mean: float, expected: float, std: float, n: int) -> float:
    err = std / np.sqrt(n)
    if err == 0.0:
        return 0.0 if mean == expected else np.inf
    return (mean - expected) / err


def ehrenfest_exact_mean(n_particles: int, n_start: int, t) -> np.ndarray:
    """E[n_t] = N/2 + (n_0 - N/2)(1 - 2/N)^t (exact)."""
    return n_particles / 2 + (n_start - n_particles / 2) * (1.0 - 2.0 / n_particles) ** np.asarray(t, dtype=float)


def _parity_binomial_chi2(counts_n: np.ndarray, n_particles: int, parity: int) -> float:
    """p-value of the final urn occupations against Binomial(N, 1/2) restricted to a parity."""
    N = n_particles
    n = np.arange(N + 1)
    logp = log_omega(N, n) - N * np.log(2.0)
    p = np.where(n % 2 == parity, 2.0 * np.exp(logp), 0.0)
    p /= p.sum()
    obs = np.bincount(counts_n, minlength=N + 1).astype(float)
    exp = p * obs.sum()
    keep = p > 0
    obs, exp = obs[keep], exp[keep]
    # merge neighbouring bins until each expects >= 5 counts
    groups_o, groups_e, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(obs, exp):
        acc_o += o
        acc_e += e
        if acc_e >= 5.0:
            groups_o.append(acc_o)
            groups_e.append(acc_e)
            acc_o = acc_e = 0.0
    if acc_e > 0 and groups_e:
        groups_o[-1] += acc_o
        groups_e[-1] += acc_e
    if len(groups_e) < 2:
        return float("nan")
    chi2 = float(np.sum((np.array(groups_o) - np.array(groups_e)) ** 2 / np.array(groups_e)))
    return float(stats.chi2.sf(chi2, len(groups_e) - 1))


def verdict(ds: xr.Dataset) -> Verdict:
    cfg = config_of(ds)
    N, R = cfg["n_particles"], cfg["n_replicas"]
    checks: list[bool | None] = []
    measured, expected = {}, {}

    # (1) Ehrenfest mean relaxation at t = (0.5, 1, 2, 4) x N/2, snapped to recorded times
    t = ds["t"].values
    paths = ds["ehrenfest_n_left"].values.astype(float)
    zs = []
    for k in (0.5, 1.0, 2.0, 4.0):
        i = int(np.argmin(np.abs(t - k * N / 2)))
        if t[i] == 0:
            continue
        col = paths[:, i]
        zs.append(_z(col.mean(), float(ehrenfest_exact_mean(N, N, t[i])), col.std(ddof=1), R))
    measured["ehrenfest_mean_max_abs_z"] = float(np.max(np.abs(zs))) if zs else float("nan")
    expected["ehrenfest_mean_max_abs_z"] = Z_MAX
    checks.append(bool(zs) and measured["ehrenfest_mean_max_abs_z"] < Z_MAX)

    # (2) equilibrium histogram at the last recorded time, if the mean has relaxed
    t_end = int(t[-1])
    residual = (1.0 - 2.0 / N) ** t_end * (N / 2)
    if residual < 0.01 * np.sqrt(N) / 2:
        p = _parity_binomial_chi2(ds["ehrenfest_n_left"].values[:, -1].astype(np.int64), N, (N + t_end) % 2)
        measured["ehrenfest_equilibrium_chi2_p"] = p
        checks.append(None if not np.isfinite(p) else p > P_MIN)
    else:
        checks.append(None)
    expected["ehrenfest_equilibrium_chi2_p_min"] = P_MIN

    # (3) mean return time to the all-left state = 2^N (Kac's lemma)
    n_rec = cfg["recurrence_n_particles"]
    tr = ds["ehrenfest_return_time"].values
    if (tr < 0).any():
        checks.append(None)
    else:
        measured["recurrence_time_mean"] = float(tr.mean())
        measured["recurrence_time_mean_err"] = float(tr.std(ddof=1) / np.sqrt(tr.size))
        expected["recurrence_time_mean"] = float(2**n_rec)
        checks.append(abs(_z(tr.mean(), 2.0**n_rec, tr.std(ddof=1), tr.size)) < Z_MAX)

    # (4) Kac ring: ensemble mean vs (1 - 2 mu)^t for t < n_sites
    n_sites, mu = cfg["n_sites"], cfg["marker_fraction"]
    delta = ds["kac_delta"].values.astype(float)
    a = abs(1.0 - 2.0 * mu)
    rate = -np.log(a) if a > 0 else np.inf
    kac_t = sorted({int(min(max(1, round(k / rate)) if np.isfinite(rate) else k, n_sites - 1)) for k in (0.5, 1.0, 2.0)})
    kz = [_z(delta[:, tk].mean(), (1.0 - 2.0 * mu) ** tk, delta[:, tk].std(ddof=1), delta.shape[0]) for tk in kac_t]
    measured["kac_mean_max_abs_z"] = float(np.max(np.abs(kz)))
    expected["kac_mean_max_abs_z"] = Z_MAX
    checks.append(measured["kac_mean_max_abs_z"] < Z_MAX)

    # (5) exact recurrence and exact reversal of every ring
    odd = ds["kac_n_markers"].values % 2 == 1
    at_n = delta[:, n_sites]
    recur = np.where(odd, (at_n == -1.0) & (delta[:, 2 * n_sites] == 1.0), at_n == 1.0)
    measured["kac_recurrence_fraction"] = float(recur.mean())
    measured["kac_reversal_fraction"] = float(ds["kac_reversal_ok"].values.mean())
    expected["kac_recurrence_fraction"] = expected["kac_reversal_fraction"] = 1.0
    checks.append(bool(recur.all()) and bool(ds["kac_reversal_ok"].values.all()))

    # (6) counting: relative width N^-1/2 and 3-sigma mass -> erf(3/sqrt2)
    n_grid = ds["n_counting"].values.astype(float)
    slope, intercept = np.polyfit(np.log(n_grid), np.log(ds["relative_width"].values), 1)
    measured["relative_width_exponent"] = float(slope)
    expected["relative_width_exponent"] = -0.5
    n_max = float(n_grid[-1])
    measured["mass_3sigma_at_n_max"] = float(ds["mass_3sigma"].values[-1])
    expected["mass_3sigma_at_n_max"] = float(stats.norm.cdf(3) - stats.norm.cdf(-3))
    # width: exact binomial std/mean is N^-1/2 up to round-off; 3-sigma mass differs from the
    # normal limit by a lattice (continuity) term of order N^-1/2
    checks.append(abs(slope + 0.5) < 1e-6 and
                  abs(measured["mass_3sigma_at_n_max"] - expected["mass_3sigma_at_n_max"]) < 5.0 / np.sqrt(n_max))
    measured["p_all_left_at_n_max_log10"] = float(-(n_max - 1) * np.log10(2.0))

    holds: bool | None
    if any(c is False for c in checks):
        holds = False
    elif any(c is None for c in checks):
        holds = None
    else:
        holds = True
    conditions = (
        f"Ehrenfest urn N={N}, {R} replicas, {cfg['n_steps']} steps from all-left; recurrence at N={n_rec}; "
        f"Kac ring n_sites={n_sites}, marker_fraction={mu}, {cfg['n_rings']} rings; counting up to N={int(n_max)}; "
        f"statistical checks at |z| < {Z_MAX:g} (chi-square p > {P_MIN:g}); seed={cfg['seed']}"
    )
    return Verdict(NAME, CLAIM, holds, measured, expected, conditions)


def plot(ds: xr.Dataset):
    """Six panels: macrostate entropy, concentration, width ~ N^-1/2, urn relaxation,
    urn equilibrium histogram, Kac ring decay and recurrence."""
    cfg = config_of(ds)
    fig, ax = new_figure(2, 3, width=4.2, height=3.3)
    x = ds["x"].values
    grid = ds["n_counting"].values
    show = grid[np.unique(np.linspace(0, len(grid) - 1, 4).round().astype(int))]
    a = ax[0, 0]
    for N in show:
        a.plot(x, ds["log_omega"].sel(n_counting=N).values / N, label=f"N = {N:,}")
    a.axhline(np.log(2), color="k", lw=0.6, ls=":")
    a.set(xlabel="fraction in the left half n/N", ylabel="Boltzmann entropy S/(N k)", title="entropy of each macrostate")
    a.legend(fontsize=7)
    a = ax[0, 1]
    for N in show:
        lo = ds["log_omega"].sel(n_counting=N).values
        a.plot(x, np.exp(lo - lo.max()), label=f"N = {N:,}")
    a.set(xlabel="n/N", ylabel="P(n) / P(N/2)", title="probability concentrates at n = N/2", xlim=(0.3, 0.7))
    a = ax[0, 2]
    a.loglog(grid, ds["relative_width"].values, "o", label="exact std(n)/mean(n)")
    a.loglog(grid, grid ** -0.5, "k--", lw=0.8, label="N^-1/2")
    a.set(xlabel="N", ylabel="relative width", title="relative fluctuations")
    a.legend(fontsize=7)
    a = ax[1, 0]
    N = cfg["n_particles"]
    t = ds["t"].values
    paths = ds["ehrenfest_n_left"].values
    for r in range(min(5, paths.shape[0])):
        a.plot(t, paths[r] / N, lw=0.6, alpha=0.6)
    a.plot(t, paths.mean(axis=0) / N, "k", lw=1.5, label="ensemble mean")
    a.plot(t, ehrenfest_exact_mean(N, N, t) / N, "r--", lw=1, label="exact (1-2/N)^t")
    a.set(xlabel="t [steps]", ylabel="n_left / N", title=f"Ehrenfest urn, N = {N}")
    a.legend(fontsize=7)
    a = ax[1, 1]
    final = paths[:, -1]
    n = np.arange(N + 1)
    p = np.exp(log_omega(N, n) - N * np.log(2.0))
    parity = (N + int(t[-1])) % 2
    a.hist(final, bins=np.arange(final.min() - 0.5, final.max() + 1.5, 2), density=True, alpha=0.6, label="urn at t_end")
    a.plot(n[n % 2 == parity], p[n % 2 == parity], "k.", label="binomial (same parity)")
    a.set(xlabel="n_left", ylabel="probability per state", title="equilibrium macrostate law")
    a.legend(fontsize=7)
    a = ax[1, 2]
    d = ds["kac_delta"].values
    tk = ds["t_kac"].values
    mu = cfg["marker_fraction"]
    a.plot(tk, d.mean(axis=0), "k", lw=1.4, label="mean over rings")
    a.plot(tk[: cfg["n_sites"]], (1 - 2 * mu) ** tk[: cfg["n_sites"]], "r--", lw=1, label="(1-2mu)^t")
    a.plot(tk, d[0], lw=0.6, alpha=0.8, label=f"one ring ({int(ds['kac_n_markers'][0])} markers)")
    a.axvline(cfg["n_sites"], color="0.6", lw=0.6, ls=":")
    a.set(xlabel="t [steps]", ylabel="(white - black)/n", title=f"Kac ring, n = {cfg['n_sites']}: decay, recurrence")
    a.legend(fontsize=7)
    for label, axis in zip("abcdef", ax.ravel()):
        panel_label(axis, label)
    return fig
