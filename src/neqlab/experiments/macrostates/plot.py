"""Figure of ``macrostates``: six panels in three rows (reads only the dataset).

a: Boltzmann entropy of each macrostate; b: the probability concentrates at N/2;
c: relative width against N; d: the Ehrenfest urn relaxing; e: its equilibrium law;
f: the Kac ring's mean decay and one ring's exact recurrence.
"""

from __future__ import annotations

import numpy as np

from neqlab.experiments._base import config_of
from neqlab.observables.macrostate import log_omega
from neqlab.plotting import axis_label, legend, new_figure, panel_label
from neqlab.testing import reference as ref


def plot(ds):
    cfg = config_of(ds)
    fig, ax = new_figure(3, 2)
    x = ds["x"].values
    grid = ds["n_counting"].values
    show = grid[np.unique(np.linspace(0, len(grid) - 1, 4).round().astype(int))]

    a = ax[0, 0]
    for N in show:
        a.plot(x, ds["log_omega"].sel(n_counting=N).values / N, label=f"$N$ = {N:,}")
    a.axhline(np.log(2), color="k", lw=0.6, ls=":")
    a.set(xlabel="fraction in the left half $n/N$", ylabel=axis_label("entropy $S/N$", "k_B"),
          title="entropy of each macrostate", ylim=(0, 0.85))
    legend(a, loc="upper center", ncol=2)

    a = ax[0, 1]
    for N in show:
        lo = ds["log_omega"].sel(n_counting=N).values
        a.plot(x, np.exp(lo - lo.max()), label=f"$N$ = {N:,}")
    a.set(xlabel="$n/N$", ylabel="$P(n)\\,/\\,P(N/2)$", title="probability concentrates at $n = N/2$",
          xlim=(0.3, 0.7), ylim=(0, 1.45))
    legend(a, loc="upper center", ncol=2)

    a = ax[1, 0]
    a.loglog(grid, ds["relative_width"].values, "o", label="exact std$(n)$/mean$(n)$")
    a.loglog(grid, grid ** -0.5, "k--", lw=0.8, label="$N^{-1/2}$")
    a.set(xlabel="particles $N$", ylabel="relative width", title="relative fluctuations")
    legend(a, loc="lower left")

    a = ax[1, 1]
    N = cfg["n_particles"]
    t = ds["t"].values
    paths = ds["ehrenfest_n_left"].values
    for r in range(min(5, paths.shape[0])):
        a.plot(t, paths[r] / N, lw=0.6, alpha=0.6)
    a.plot(t, paths.mean(axis=0) / N, "k", lw=1.5, label="mean of the replicas")
    a.plot(t, ref.ehrenfest_mean(N, N, t) / N, "r--", lw=1, label="exact $1/2 + (1-2/N)^t/2$")
    a.set(xscale="symlog", xlabel=axis_label("time $t$", "step"), ylabel="$n_\\mathrm{left}/N$",
          title=f"Ehrenfest urn, $N$ = {N}", ylim=(0.3, 1.12))
    legend(a, loc="upper right")

    a = ax[2, 0]
    final = paths[:, -1]
    n = np.arange(N + 1)
    p = np.exp(log_omega(N, n) - N * np.log(2.0))
    parity = (N + int(t[-1])) % 2
    a.hist(final, bins=np.arange(final.min() - 0.5, final.max() + 1.5, 2), density=True, alpha=0.6,
           label=f"urn at $t$ = {int(t[-1])}")
    a.plot(n[n % 2 == parity], p[n % 2 == parity], "k.", label="binomial (same parity)")
    a.set(xlabel="$n_\\mathrm{left}$", ylabel="probability per state", title="equilibrium macrostate law",
          xlim=(final.min() - 2, final.max() + 2))
    a.set_ylim(0, a.get_ylim()[1] * 1.35)
    legend(a, loc="upper right")

    a = ax[2, 1]
    d = ds["kac_delta"].values
    tk = ds["t_kac"].values
    mu, n_sites = cfg["marker_fraction"], cfg["n_sites"]
    a.plot(tk, d[0], lw=0.6, alpha=0.8, label=f"one ring ({int(ds['kac_n_markers'][0])} markers)")
    a.plot(tk, d.mean(axis=0), "k", lw=1.4, label="mean over rings")
    a.plot(tk[:n_sites], ref.kac_ring_mean(mu, tk[:n_sites]), "r--", lw=1, label="$(1-2\\mu)^t$")
    a.axvline(n_sites, color="0.6", lw=0.6, ls=":")
    a.set(xlabel=axis_label("time $t$", "step"), ylabel="(white − black)$/n$",
          title=f"Kac ring, $n$ = {n_sites}: decay and recurrence", ylim=(-1.1, 1.9))
    legend(a, loc="upper center", ncol=2)
    for label, axis in zip("abcdef", ax.ravel()):
        panel_label(axis, label)
    return fig
