"""Figure of ``crooks``: twelve panels in six rows, grouped by system (reads only the dataset).

a-c: the trap (work distributions, Crooks line, Jarzynski's finite-n bias); d: the
estimators against driving speed; e-g: the ideal-gas piston against N (entropy change,
entropy decreases, estimators); h: the steady state; i-l: the interacting-gas piston
(work distributions, free-energy estimators, entropy production, first law per drive).
All energies in units of kT, entropies in k_B.
"""

from __future__ import annotations

import numpy as np

from neqlab.plotting import axis_label, legend, new_figure, panel_label


def plot(ds):
    fig, ax = new_figure(6, 2)
    kT = float(ds.attrs["kT"])
    _trap(ds, ax[0, 0], ax[0, 1], ax[1, 0], kT)
    _sweep(ds, ax[1, 1], kT)
    _ideal_piston(ds, ax[2, 0], ax[2, 1], ax[3, 0], kT)
    _steady_state(ds, ax[3, 1])
    _gas_piston(ds, ax[4, 0], ax[4, 1], ax[5, 0], ax[5, 1], kT)
    for label, axis in zip("abcdefghijkl", ax.ravel()):
        panel_label(axis, label)
    return fig


def _log_ticks(a, values) -> None:
    """Ticks at the values of a log axis, labelled plainly (no overlapping minor labels)."""
    a.set_xticks(values, [f"{v:g}" for v in values])
    a.minorticks_off()


def _trap(ds, a, b, c, kT: float) -> None:
    dfx = float(ds.attrs["delta_f_exact"]) / kT
    wf = ds["work"].sel(direction="forward").values / kT
    wr = -ds["work"].sel(direction="reverse").values / kT
    lo, hi = np.quantile(np.concatenate([wf, wr]), [1e-4, 1 - 1e-4])
    bins = np.linspace(lo, hi, 80)
    a.hist(wf, bins, density=True, alpha=0.5, label=r"$P_F(W)$")
    a.hist(wr, bins, density=True, alpha=0.5, label=r"$P_R(-W)$")
    a.axvline(dfx, color="k", ls="--", label=rf"$\Delta F$ = {dfx:.3g} $k_\mathrm{{B}}T$")
    a.set(xlabel=r"work $W/k_\mathrm{B}T$", ylabel="probability density", title="trap: forward and reverse work")
    a.set_ylim(0, a.get_ylim()[1] * 1.3)
    legend(a, loc="upper center", ncol=3)

    x, y, e = ds["crooks_x"].values, ds["crooks_log_ratio"].values, ds["crooks_log_ratio_err"].values
    slope, slope_err = float(ds["crooks_slope"]), float(ds["crooks_slope_err"])
    if x.size:
        b.errorbar(x, y, e, fmt="o", ms=3, label="measured")
        xs = np.linspace(x.min(), x.max(), 2)
        b.plot(xs, xs - dfx, "k--", label=r"Crooks: $(W-\Delta F)/k_\mathrm{B}T$")
        b.plot(xs, slope * (xs - float(ds["crooks_crossing"]) / kT), "r-", lw=1,
               label=f"fit: slope {slope:.3f} ± {slope_err:.3f}")
        legend(b, loc="upper left")
    b.set(xlabel=r"$W/k_\mathrm{B}T$", ylabel=r"$\ln[P_F(W)/P_R(-W)]$", title="trap: Crooks' relation")

    n = ds["sample_size"].values
    c.errorbar(n, ds["jarzynski_estimate"].values / kT, ds["jarzynski_estimate_sd"].values / kT, fmt="o-", ms=3,
               label="Jarzynski (EXP) on $n$ trajectories")
    c.axhline(dfx, color="k", ls="--", label=r"exact $\Delta F$")
    c.set(xscale="log", xlabel="trajectories $n$", ylabel=r"$-\ln\langle e^{-W/k_\mathrm{B}T}\rangle_n$",
          title="trap: Jarzynski on $n$ trajectories")
    legend(c, loc="upper right")


def _sweep(ds, a, kT: float) -> None:
    dfx = float(ds.attrs["delta_f_exact"]) / kT
    v = ds["speed"].values
    names = {"exp_forward": "EXP forward", "exp_reverse": "EXP reverse", "bar": "BAR"}
    for k, m in enumerate(ds["estimator"].values):
        d = ds["sweep_delta_f"].sel(estimator=m).values / kT - dfx
        a.errorbar(v * (1 + 0.03 * (k - 1)), d, ds["sweep_delta_f_err"].sel(estimator=m).values / kT, fmt="o-",
                   ms=3, capsize=2, label=names.get(str(m), str(m)))
    a.axhline(0, color="k", lw=0.8)
    a.set(xscale="log", xlabel="driving speed $|d\\lambda/dt|$ [λ/τ]",
          ylabel=r"estimate $-$ exact $\Delta F$ [$k_\mathrm{B}T$]", title="trap: estimators against speed")
    _log_ticks(a, v)
    lo, hi = a.get_ylim()
    a.set_ylim(lo, hi + 0.6 * (hi - lo))
    legend(a, loc="upper left", ncol=3)


def _ideal_piston(ds, e, f, g, kT: float) -> None:
    nn = ds["n_particles"].values
    pneg = ds["piston_p_negative"].values
    n_gas = ds["piston_n_gases"].values
    for j, n in enumerate(nn):
        c = ds["piston_w_center"].isel(n_particles=j).values
        p = ds["piston_w_density"].isel(n_particles=j).values
        e.semilogy(c / n, p * n, "-", label=f"$N$ = {int(n)}")
    e.axvline(0, color="k", lw=0.8)
    e.set(xlabel=axis_label("entropy change per particle $w/N$", "k_B"), ylabel="probability density of $w/N$",
          title="ideal piston: entropy change")
    lo, hi = e.get_ylim()
    e.set_ylim(lo, hi * 30)
    legend(e, loc="upper right")

    x = nn.astype(float)
    seen = pneg > 0
    f.errorbar(x[seen], pneg[seen], np.sqrt(pneg[seen] * (1 - pneg[seen]) / n_gas[seen]), fmt="o-", label="measured")
    if (~seen).any():
        f.plot(x[~seen], 1.0 / n_gas[~seen], "v", color="C0", label="none seen (bound 1/samples)")
    f.set(xscale="log", yscale="log", xlabel="particles $N$", ylabel="$P(w < 0)$",
          title="ideal piston: entropy decreases")
    _log_ticks(f, nn)
    legend(f, loc="lower left")

    exact = ds["piston_delta_f_exact"].values
    for k, (key, label) in enumerate((("delta_f_exp", "EXP (Jarzynski)"), ("delta_f_bar", "BAR"))):
        g.errorbar(x * (1 + 0.05 * k), (ds[f"piston_{key}"].values - exact) / x / kT,
                   ds[f"piston_{key}_err"].values / x / kT, fmt="o-", ms=4, capsize=2, label=label)
    g.axhline(0, color="k", lw=0.8)
    g.set(xscale="log", xlabel="particles $N$", ylabel=r"(estimate $-$ exact $\Delta F$)$/N$ [$k_\mathrm{B}T$]",
          title="ideal piston: estimators")
    _log_ticks(g, nn)
    legend(g, loc="upper left")


def _steady_state(ds, h) -> None:
    t = ds["tau"].values
    h.errorbar(t, ds["ness_slope"].values, ds["ness_slope_err"].values, fmt="o", ms=4,
               label=r"work $W_\tau/k_\mathrm{B}T$")
    h.plot(t, ds["ness_slope_exact"].values, "k:", label="exact for the work")
    h.errorbar(t, ds["ness_entropy_slope"].values, ds["ness_entropy_slope_err"].values, fmt="s", ms=4,
               label=r"total entropy production $s_\mathrm{tot}$")
    h.axhline(1, color="k", lw=0.8)
    h.set(xscale="log", xlabel=axis_label(r"window $\tau$", "tau"), ylabel=r"slope of $\ln[P(a)/P(-a)]$",
          title="steady state: symmetry slopes")
    _log_ticks(h, t)
    legend(h, loc="upper right")


def _proxies(rhos, styles: dict) -> tuple[list, list]:
    """Legend handles: one colour per density, one marker/line style per quantity (not drawn on the axes)."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=f"C{a}", lw=2) for a in range(len(rhos))]
    labels = [rf"$\rho_0$ = {rho:g} $\sigma^{{-2}}$" for rho in rhos]
    for label, kw in styles.items():
        handles.append(Line2D([], [], color="k", **kw))
        labels.append(label)
    return handles, labels


def _gas_piston(ds, i, j, k, l, kT: float) -> None:  # noqa: E741
    n = ds["n_gas"].values.astype(float)
    rhos = ds["gas_density"].values
    g0 = ds.sel(gas_density=float(rhos.min()))
    for m, nn in enumerate(ds["n_gas"].values):
        wf = g0["gas_piston_work"].sel(direction="forward").isel(n_gas=m).values / kT / nn
        wr = -g0["gas_piston_work"].sel(direction="reverse").isel(n_gas=m).values / kT / nn
        lo, hi = np.quantile(np.concatenate([wf, wr]), [0.002, 0.998])
        bins = np.linspace(lo, hi, 40)
        i.hist(wf, bins, density=True, histtype="step", color=f"C{m}", label=f"$N$ = {int(nn)}: $P_F(W)$")
        i.hist(wr, bins, density=True, histtype="step", ls="--", color=f"C{m}", label=f"$N$ = {int(nn)}: $P_R(-W)$")
    i.axvline(np.log(2), color="k", lw=0.8, label=r"ideal $\Delta F/N = \ln 2$")
    i.set(xlabel=r"work per particle $W/(N k_\mathrm{B}T)$", ylabel="probability density",
          title=rf"gas piston, $\rho_0$ = {float(rhos.min()):g} $\sigma^{{-2}}$: work")
    legend(i, outside=True, ncol=2)

    for a, rho in enumerate(rhos):
        g = ds.sel(gas_density=rho)
        overlap = np.isfinite(g["gas_piston_crooks_slope"].values)
        for key, mk in (("delta_f_bar", "o"), ("delta_f_exp", "^"), ("crooks_crossing", "s")):
            y = g[f"gas_piston_{key}"].values / kT / n - np.log(2.0)
            e = g[f"gas_piston_{key}_err"].values / kT / n
            x = n * (1 + 0.04 * a)
            j.errorbar(x[overlap], y[overlap], e[overlap], fmt=mk, ms=4, capsize=2, color=f"C{a}",
                       mfc="none" if key != "delta_f_bar" else None)
            if key != "crooks_crossing" and (~overlap).any():  # no overlap: the quoted errors mean nothing
                j.plot(x[~overlap], y[~overlap], "x" if key == "delta_f_bar" else "1", color=f"C{a}", ms=7)
        j.plot(n, g["gas_piston_delta_f_virial"].values / kT / n - np.log(2.0), ":", color=f"C{a}")
    j.axhline(0, color="k", lw=0.8)
    j.set(xscale="log", xlabel="particles $N$", ylabel=r"$\Delta F/(N k_\mathrm{B}T) - \ln 2$",
          title=r"gas piston: $\Delta F$ estimators")
    _log_ticks(j, ds["n_gas"].values)
    handles, labels = _proxies(rhos, {"BAR": dict(marker="o", ls="none"),
                                      "EXP": dict(marker="^", ls="none", mfc="none"),
                                      "Crooks crossing": dict(marker="s", ls="none", mfc="none"),
                                      "BAR, no overlap": dict(marker="x", ls="none"),
                                      "EXP, no overlap": dict(marker="1", ls="none", ms=7),
                                      "2nd virial (walled box)": dict(ls=":")})
    legend(j, outside=True, ncol=3, handles=handles, labels=labels)

    for a, rho in enumerate(rhos):
        g = ds.sel(gas_density=rho)
        k.plot(n, g["gas_piston_w_mean"].values, "o-", ms=4, color=f"C{a}")
        k.plot(n, g["gas_piston_w_sd"].values, "s--", ms=4, mfc="none", color=f"C{a}")
    styles = {"mean": dict(marker="o", ls="-"), "standard deviation": dict(marker="s", ls="--", mfc="none")}
    w0 = ds["gas_piston_w_mean"].values[:, 0]
    if np.all(np.isfinite(w0)) and np.all(w0 > 0):  # a guide through the smallest N: extensive growth
        k.plot(n, np.max(w0) * n / n[0], "k:")
        styles[r"$\propto N$ (guide)"] = dict(ls=":")
    k.set(xscale="log", yscale="log", xlabel="particles $N$",
          ylabel=axis_label(r"$(\langle W\rangle - \Delta F_\mathrm{BAR})/k_\mathrm{B}T$", "k_B"),
          title="gas piston: entropy production")
    _log_ticks(k, ds["n_gas"].values)
    handles, labels = _proxies(rhos, styles)
    legend(k, outside=True, ncol=3, handles=handles, labels=labels)

    err = ds["gas_piston_first_law_error"]
    for a, rho in enumerate(rhos):
        e = np.maximum(np.abs(err.sel(gas_density=rho).values.ravel()) / kT, 1e-12)
        l.hist(np.log10(e), 50, histtype="step", color=f"C{a}", label=rf"$\rho_0$ = {rho:g} $\sigma^{{-2}}$")
    l.set(yscale="log", xlabel=r"$\log_{10}|W - Q - \Delta E|/k_\mathrm{B}T$", ylabel="drives",
          title="gas piston: first law per drive")
    legend(l, outside=True, ncol=2)
