"""Figure of ``steady_state``: eight panels in four rows (reads only the dataset).

a: the transient theorem, ln[p(Omega_t)/p(-Omega_t)] against Omega_t at several t;
b: the negative tail P(Omega_t < 0) against t for several N; c: the 1993 plot,
ln[p(sigma_tau)/p(-sigma_tau)] against sigma_tau with slope lines; d: the slopes against
t and tau (transient: 1 at every t; steady state: towards 1); e: the Lyapunov spectrum,
its pair sums and the Kaplan-Yorke dimension; f: the Gibbs entropy and the thermostat's
entropy; g: the piston's work and heat per period through the amplitude change; h: the
piston's slopes against the window, for the work and for the heat. Slopes here carry the
fit's binomial errors (the verdict's carry a bootstrap over chains, systems or gases).
"""

from __future__ import annotations

import numpy as np

from matplotlib.ticker import FuncFormatter, NullFormatter

from neqlab.core.errors import ConfigError
from neqlab.experiments._base import config_of
from neqlab.observables.fluctuation import symmetry_slope
from neqlab.plotting import axis_label, legend, new_figure, panel_label


def _fit(samples):
    s = samples[np.isfinite(samples)]
    try:
        return symmetry_slope(s, n_bins=20, min_count=10)
    except ConfigError:
        return None


def _ratio_panel(ax, groups, label_of, x_label):
    top = 0.0
    for j, (key, samples) in enumerate(groups):
        fit = _fit(samples)
        if fit is None:
            continue
        line = ax.errorbar(fit.a, fit.log_ratio, yerr=fit.log_ratio_err, fmt="o", ms=3, capsize=2,
                           label=label_of(key, fit))
        ax.plot([0, fit.a.max()], [0, fit.slope * fit.a.max()], "-", lw=0.8, color=line[0].get_color())
        top = max(top, fit.a.max(), float(np.max(fit.log_ratio + fit.log_ratio_err)))
    ax.plot([0, top], [0, top], "k--", lw=0.8, label="slope 1 (the theorem)")
    ax.set(xlabel=x_label, ylabel="ln[$p(A)\\,/\\,p(-A)$]", xlim=(0, top * 1.05), ylim=(0, top * 1.7 + 0.1))
    _legend(ax, loc="upper left", ncol=2)


def _legend(ax, **kw):
    """A legend if anything is labelled (a small run may have no fit to show)."""
    if ax.get_legend_handles_labels()[0]:
        legend(ax, **kw)


def _plain_log_x(ax, ticks):
    """A log x axis labelled at ``ticks`` in plain numbers (no crowded minor labels)."""
    ax.set_xscale("log")
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot(ds):
    cfg = config_of(ds)
    fig, ax = new_figure(4, 2)
    om = ds["transient_omega"].values
    t_tr = ds["t_transient"].values

    a = ax[0, 0]
    _ratio_panel(a, list(zip(t_tr, om)), lambda t, f: f"$t$ = {t:g} τ", "$A = \\Omega_t$")
    a.set_title(f"transient theorem from equilibrium, $N$ = {cfg['n_particles']}")

    a = ax[0, 1]
    frac, err = ds["tail_negative_fraction"].values, ds["tail_negative_fraction_err"].values
    for n, f_, e_ in zip(ds["tail_n_particles"].values, frac, err):
        keep = f_ > 0
        a.errorbar(t_tr[keep], f_[keep], yerr=e_[keep], fmt="o-", ms=3, capsize=2, label=f"$N$ = {n}")
    a.set(yscale="log", xlabel=axis_label("time $t$", "tau"), ylabel="$P(\\Omega_t < 0)$",
          title="entropy-decreasing trajectories become rare")
    _plain_log_x(a, t_tr)
    lo, hi = a.get_ylim()
    a.set_ylim(lo, hi * 6)
    _legend(a, loc="upper right", ncol=3)

    a = ax[1, 0]
    sig = ds["ness_sigma"].values
    taus = ds["tau"].values
    _ratio_panel(a, list(zip(taus, sig)), lambda t, f: f"τ = {t:g}: slope {f.slope:.2f}", "$A = \\sigma_\\tau$")
    a.set_title(f"steady state (ECM 1993), γ = {cfg['shear_rate']:g} τ$^{{-1}}$")

    a = ax[1, 1]
    tr = [(t, _fit(o)) for t, o in zip(t_tr, om)]
    ss = [(t, _fit(s)) for t, s in zip(taus, sig)]
    for rows, fmt_, label in ((tr, "s-", "transient, at time $t$"), (ss, "o-", "steady state, window τ")):
        rows = [(t, f) for t, f in rows if f is not None]
        if rows:
            a.errorbar([t for t, _ in rows], [f.slope for _, f in rows], yerr=[f.slope_err for _, f in rows],
                       fmt=fmt_, ms=4, capsize=2, label=label)
    a.axhline(1.0, color="k", lw=0.8, ls="--")
    a.set(yscale="log", xlabel=axis_label("$t$ or τ", "tau"), ylabel="fitted slope",
          title="exact at every $t$; asymptotic in τ")
    _plain_log_x(a, sorted(set(t_tr) | set(taus)))
    a.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    a.yaxis.set_minor_formatter(NullFormatter())
    lo, hi = a.get_ylim()
    a.set_ylim(min(lo, 0.5), hi * 4)
    _legend(a, loc="upper right")

    a = ax[2, 0]
    lam = ds["lyapunov_spectrum"].values
    m = lam.size
    i = np.arange(1, m + 1)
    pairs = lam[: m // 2] + lam[::-1][: m // 2]
    a.plot(i, lam, ".", ms=3, label="$\\lambda_i$")
    a.plot(i[: m // 2], pairs, ".", ms=3, label="pair sum $\\lambda_i + \\lambda_{m+1-i}$")
    a.axhline(0.0, color="k", lw=0.5)
    dky = float(ds.attrs["kaplan_yorke_dimension"])
    a.axvline(dky, color="C3", lw=0.8, ls="--")
    a.set(xlabel="exponent index $i$", ylabel=axis_label("Lyapunov exponent", "tau^-1"),
          title=f"spectrum: Σλ = {ds.attrs['lyapunov_sum']:.2f} τ$^{{-1}}$, $D_{{KY}}$ = {dky:.1f} of {m}")
    lo, hi = a.get_ylim()
    a.set_ylim(lo, hi + 0.8 * (hi - lo))
    _legend(a, loc="upper right")

    a = ax[2, 1]
    t_n = ds["t_ness"].values
    dt = t_n[0]
    comp = ds["compression"].values.mean(axis=0)
    heat = cfg["shear_rate"] * ds.attrs["volume"] * (-ds["pxy"].values.mean(axis=0)) / ds.attrs["kT_steady"]
    s_g = np.cumsum(comp) * dt
    s_q = np.cumsum(heat) * dt
    a.plot(t_n, s_g, label="Gibbs entropy $\\int\\langle\\Lambda\\rangle dt$")
    a.plot(t_n, s_q, label="thermostat $\\int \\gamma V\\langle -P_{xy}\\rangle/kT\\, dt$")
    a.plot(t_n, s_g + s_q, "k", lw=1, label="sum")
    a.set(xlabel=axis_label("time in the steady state", "tau"), ylabel=axis_label("entropy change", "k_B"),
          title="the phase volume contracts as the heat leaves")
    lo, hi = a.get_ylim()
    a.set_ylim(lo, hi + 0.9 * (hi - lo))
    _legend(a, loc="upper left")

    a = ax[3, 0]
    kT = cfg["kT"]
    w = ds["piston_work"].values / kT
    q = ds["piston_heat"].values / kT
    sw = ds["piston_switch"].values
    for d, (name, style) in enumerate((("a1 → a2", "-"), ("a2 → a1, reversed", ":"))):
        keep = np.isfinite(w[d, 0])
        per = np.arange(w.shape[2])[keep] - sw[d]
        a.plot(per, w[d][:, keep].mean(axis=0), style, color="C0", label=f"work $W/kT$, {name}")
        a.plot(per, q[d][:, keep].mean(axis=0), style, color="C1", label=f"heat $Q/kT$, {name}")
    a.axvline(-0.5, color="0.5", lw=0.8, ls="--")
    a.set(xlabel="period after the amplitude change", ylabel="per period (mean)",
          title=f"piston: $a$ = {cfg['piston_amplitude']:g} → {cfg['piston_amplitude_final']:g} σ, "
                f"$T$ = {cfg['piston_period']:g} τ")
    lo, hi = a.get_ylim()
    a.set_ylim(min(0.0, lo), hi + 0.9 * (hi - min(0.0, lo)))
    _legend(a, loc="upper right", ncol=2)

    a = ax[3, 1]
    n = int(sw[0])
    R = w.shape[1]
    for x, label, fmt_ in ((w, "work $W/kT$", "o-"), (q, "heat $Q/kT$", "s-")):
        rows = []
        for k in sorted(cfg["piston_windows"]):
            mm = n // k
            f = _fit(x[0, :, : mm * k].reshape(R, mm, k).sum(axis=2).ravel())
            if f is not None:
                rows.append((k * cfg["piston_period"], f))
        if rows:
            a.errorbar([r for r, _ in rows], [f.slope for _, f in rows], yerr=[f.slope_err for _, f in rows],
                       fmt=fmt_, ms=4, capsize=2, label=label)
    a.axhline(1.0, color="k", lw=0.8, ls="--")
    a.set(xlabel=axis_label("window of whole periods", "tau"), ylabel="fitted slope",
          title="piston: steady-state theorem")
    _plain_log_x(a, [k * cfg["piston_period"] for k in sorted(cfg["piston_windows"])])
    lo, hi = a.get_ylim()
    a.set_ylim(lo, hi + 0.6 * (hi - lo))
    _legend(a, loc="upper left")
    for label, axis in zip("abcdefgh", ax.ravel()):
        panel_label(axis, label)
    return fig
