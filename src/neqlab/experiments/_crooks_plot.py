"""The ``crooks`` figure: twelve panels read from the dataset only."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure


def figure(ds: xr.Dataset) -> Figure:
    fig = Figure(figsize=(15, 10), layout="constrained")
    ax = fig.subplots(3, 4)
    a = ds.attrs
    kT = float(a.get("kT", 1.0))
    dfx = a["delta_f_exact"] / kT  # the figure is in units of kT

    # (a) work distributions P_F(W) and P_R(-W)
    wf = ds.work.sel(direction="forward").values / kT
    wr = -ds.work.sel(direction="reverse").values / kT
    lo, hi = np.quantile(np.concatenate([wf, wr]), [1e-4, 1 - 1e-4])
    bins = np.linspace(lo, hi, 80)
    ax[0, 0].hist(wf, bins, density=True, alpha=0.5, label=r"$P_F(W)$")
    ax[0, 0].hist(wr, bins, density=True, alpha=0.5, label=r"$P_R(-W)$")
    ax[0, 0].axvline(dfx, color="k", ls="--", label=rf"$\Delta F$ = {dfx:.3f}")
    ax[0, 0].set(xlabel="work W [kT]", ylabel="probability density [1/kT]", title="forward and reverse work")
    ax[0, 0].legend(fontsize=8)

    # (b) Crooks line
    x, y, e = ds.crooks_x.values, ds.crooks_log_ratio.values, ds.crooks_log_ratio_err.values
    ax[0, 1].errorbar(x, y, e, fmt="o", ms=3, label="measured")
    xs = np.linspace(x.min(), x.max(), 2)
    ax[0, 1].plot(xs, xs - dfx, "k--", label=r"Crooks: $(W-\Delta F)/kT$")
    ax[0, 1].plot(xs, a["crooks_slope"] * (xs - a["crooks_crossing"] / kT), "r-", lw=1,
                  label=f"fit: slope {a['crooks_slope']:.3f} ± {a['crooks_slope_err']:.3f}")
    ax[0, 1].set(xlabel="W / kT", ylabel=r"$\ln[P_F(W)/P_R(-W)]$", title="Crooks test")
    ax[0, 1].legend(fontsize=8)

    # (c) Jarzynski convergence with the number of trajectories
    n = ds.sample_size.values
    ax[0, 2].errorbar(n, ds.jarzynski_estimate.values / kT, ds.jarzynski_estimate_sd.values / kT, fmt="o-", ms=3,
                      label="EXP on n trajectories")
    ax[0, 2].axhline(dfx, color="k", ls="--", label=r"exact $\Delta F$")
    ax[0, 2].set(xscale="log", xlabel="trajectories n", ylabel=r"$-kT\ln\langle e^{-W/kT}\rangle_n$ [kT]",
                 title="Jarzynski: finite-n bias")
    ax[0, 2].legend(fontsize=8)

    # (d) estimators vs driving speed
    for m in ds.estimator.values:
        d = ds.sweep_delta_f.sel(estimator=m).values / kT - dfx
        ax[1, 0].errorbar(ds.speed.values, d, ds.sweep_delta_f_err.sel(estimator=m).values / kT, fmt="o-", ms=3,
                          capsize=2, label=str(m))
    ax[1, 0].axhline(0, color="k", lw=0.8)
    ax[1, 0].set(xscale="log", xlabel="driving speed [lambda/time]", ylabel=r"estimate $-$ exact $\Delta F$ [kT]",
                 title="estimators vs speed")
    ax[1, 0].legend(fontsize=8)

    # (e) piston: entropy change distributions vs N
    for j, nn in enumerate(ds.n_particles.values):
        c = ds.piston_w_center.isel(n_particles=j).values
        p = ds.piston_w_density.isel(n_particles=j).values
        pneg = float(ds.piston_p_negative.isel(n_particles=j))
        n_gas = float(ds.piston_n_gases.isel(n_particles=j))
        txt = f"= {pneg:.2g}" if pneg > 0 else f"< {1 / n_gas:.1g}"
        ax[1, 1].semilogy(c / nn, p * nn, "-", label=f"N = {int(nn)}, P(w<0) {txt}")
    ax[1, 1].axvline(0, color="k", lw=0.8)
    ax[1, 1].set(xlabel="entropy change per particle w/N [k]", ylabel="density of w/N",
                 title="piston L → L/2: entropy change vs N")
    ax[1, 1].legend(fontsize=8)

    # (f) steady-state fluctuation theorem vs window length
    t = ds.tau.values
    ax[0, 3].errorbar(t, ds.ness_slope.values, ds.ness_slope_err.values, fmt="o", ms=4, label=r"$\sigma = W_\tau/kT$")
    ax[0, 3].plot(t, ds.ness_slope_exact.values, "k:", label="exact (Gaussian) for W")
    ax[0, 3].errorbar(t, ds.ness_entropy_slope.values, ds.ness_entropy_slope_err.values, fmt="s", ms=4,
                      label=r"Seifert $\Delta s_{tot}$")
    ax[0, 3].axhline(1, color="k", lw=0.8)
    ax[0, 3].set(xscale="log", xlabel=r"window $\tau$ [time]", ylabel=r"slope of $\ln[P(a)/P(-a)]$ vs a",
                 title="steady-state FT")
    ax[0, 3].legend(fontsize=8)
    # (g) piston: free-energy estimators vs N (system size), per particle
    nn = ds.n_particles.values.astype(float)
    exact = ds.piston_delta_f_exact.values
    for key, label in (("df_exp", "EXP (Jarzynski)"), ("df_bar", "BAR")):
        ax[1, 2].errorbar(nn, (ds[f"piston_{key}"].values - exact) / nn / kT,
                          ds[f"piston_{key}_err"].values / nn / kT, fmt="o-", ms=4, capsize=2, label=label)
    ax[1, 2].axhline(0, color="k", lw=0.8)
    ax[1, 2].set(xscale="log", xlabel="gas size N", ylabel=r"(estimate $-$ exact $\Delta F$) / N [kT]",
                 title="piston: estimators vs system size")
    ax[1, 2].legend(fontsize=8)

    # (h) piston: probability of an entropy decrease vs N
    pneg = ds.piston_p_negative.values
    n_gas = ds.piston_n_gases.values
    seen = pneg > 0
    ax[1, 3].errorbar(nn[seen], pneg[seen], np.sqrt(pneg[seen] * (1 - pneg[seen]) / n_gas[seen]), fmt="o-",
                      label="measured")
    ax[1, 3].plot(nn[~seen], 1.0 / n_gas[~seen], "v", color="C0", label="none seen (bound 1/samples)")
    ax[1, 3].set(xscale="log", yscale="log", xlabel="gas size N", ylabel="P(w < 0)",
                 title="piston: entropy decreases vs N")
    ax[1, 3].legend(fontsize=8)
    if "gas_piston_bar" in ds:
        _gas_row(ds, ax[2], kT)
    return fig


def _gas_row(ds: xr.Dataset, ax, kT: float) -> None:
    """Interacting-gas piston: work distributions, estimators, entropy production, first law."""
    n = ds.n_gas.values.astype(float)
    rho0 = float(ds.gas_density.min())
    g0 = ds.sel(gas_density=rho0)
    for j, nn in enumerate(ds.n_gas.values):
        wf = g0.gas_piston_work_forward.isel(n_gas=j).values / kT / nn
        wr = -g0.gas_piston_work_reverse.isel(n_gas=j).values / kT / nn
        lo, hi = np.quantile(np.concatenate([wf, wr]), [0.002, 0.998])
        bins = np.linspace(lo, hi, 40)
        ax[0].hist(wf, bins, density=True, histtype="step", color=f"C{j}", label=f"N = {int(nn)}: $P_F(W)$")
        ax[0].hist(wr, bins, density=True, histtype="step", ls="--", color=f"C{j}", label=r"$P_R(-W)$")
    ax[0].axvline(np.log(2), color="k", lw=0.8, label=r"ideal $\Delta F/N = \ln 2$")
    ax[0].set(xlabel="work per particle W/(N kT)", ylabel="density",
              title=rf"WCA gas piston L → L/2, $\rho_0$ = {rho0:g}")
    ax[0].legend(fontsize=7, ncol=2)

    ideal = np.log(2.0) * n
    for i, rho in enumerate(ds.gas_density.values):
        g = ds.sel(gas_density=rho)
        overlap = np.isfinite(g.gas_piston_slope.values)
        for key, mk, label in (("bar", "o", "BAR"), ("exp", "^", "EXP forward"), ("crossing", "s", "Crooks crossing")):
            y = g[f"gas_piston_{key}"].values / kT / n - ideal / n
            e = g[f"gas_piston_{key}_err"].values / kT / n
            x = n * (1 + 0.04 * i)
            ax[1].errorbar(x[overlap], y[overlap], e[overlap], fmt=mk, ms=4, capsize=2, color=f"C{i}",
                           mfc="none" if key != "bar" else None, label=rf"$\rho_0$ = {rho:g}: {label}")
            if key != "crossing" and (~overlap).any():  # no overlap of P_F(W), P_R(-W): errors not trustworthy
                ax[1].plot(x[~overlap], y[~overlap], "x" if key == "bar" else "1", color=f"C{i}", ms=7)
        ax[1].plot(n, g.gas_piston_virial.values / kT / n - np.log(2.0), ":", color=f"C{i}",
                   label=rf"$\rho_0$ = {rho:g}: second virial (walled box)")
    ax[1].axhline(0, color="k", lw=0.8)
    ax[1].set(xscale="log", xlabel="gas size N", ylabel=r"$\Delta F/(N kT) - \ln 2$",
              title="gas piston: ΔF estimators (x: no overlap)")
    ax[1].legend(fontsize=6, ncol=2)

    for i, rho in enumerate(ds.gas_density.values):
        g = ds.sel(gas_density=rho)
        ax[2].plot(n, g.gas_piston_w_mean.values, "o-", ms=4, color=f"C{i}", label=rf"$\rho_0$ = {rho:g}: mean")
        ax[2].plot(n, g.gas_piston_w_sd.values, "s--", ms=4, mfc="none", color=f"C{i}",
                   label=rf"$\rho_0$ = {rho:g}: standard deviation")
    w0 = ds.gas_piston_w_mean.values[:, 0]
    if np.all(np.isfinite(w0)):  # a guide through the smallest N: extensive growth
        ax[2].plot(n, np.max(w0) * n / n[0], "k:", label=r"$\propto N$ (guide)")
    ax[2].set(xscale="log", yscale="log", xlabel="gas size N", ylabel=r"$\beta(\langle W\rangle - \Delta F_{BAR})$ [k]",
              title="gas piston: entropy production vs N")
    ax[2].legend(fontsize=7, loc="lower right")

    err = ds.gas_piston_first_law_error
    for i, rho in enumerate(ds.gas_density.values):
        e = np.abs(err.sel(gas_density=rho).values.ravel()) / kT
        e = np.maximum(e, 1e-12)
        ax[3].hist(np.log10(e), 50, histtype="step", color=f"C{i}", label=rf"$\rho_0$ = {rho:g}")
    ax[3].set(yscale="log", xlabel=r"$\log_{10}|W - Q - \Delta E|/kT$", ylabel="drives",
              title="gas piston: first law per drive")
    ax[3].legend(fontsize=7)
    for a in ax[1:3]:
        a.set_xticks(n, [str(int(v)) for v in n])
        a.minorticks_off()
