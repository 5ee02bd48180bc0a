"""Figure of ``relaxation``: eight panels in four rows (reads only the dataset).

Left column the free expansion, right column the thermal contact: a/b particle
snapshots coloured by speed (every snapshot shows the whole box), c/d density and
temperature profiles, e spatial entropy and left-half fraction, f half temperatures;
g Boltzmann's H of both runs, h the relative equilibrium fluctuations against N.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

from neqlab.experiments._base import config_of
from neqlab.models.gas import box_for
from neqlab.observables.relaxation import power_law_fit
from neqlab.plotting import axis_label, legend, new_figure, panel_label
from neqlab.testing import reference as ref

OBSERVABLE_LABELS = {"kinetic_energy": "kinetic energy", "pressure": "pressure", "n_left": "particles in the left half"}
PANEL_INCHES = (4.3, 2.7)  # drawable size of a panel [inch] (guides the marker size)


def _snapshots(fig, ax, ds, cfg: dict, process: str, vmax: float, title: str) -> None:
    """Every snapshot of a run side by side (or stacked), each the whole box on the same scale."""
    box = box_for(cfg["n_particles"], cfg["density"], cfg["dimension"],
                  (cfg["aspect"],) + (1.0,) * (cfg["dimension"] - 1))
    lx, ly = float(box[0]), float(box[1])
    pos = ds["snapshot_positions"].sel(process=process).values
    speed = ds["snapshot_speed"].sel(process=process).values
    times = ds[f"t_{process}"].values[ds["snapshot"].values]
    k = pos.shape[0]
    across = lx <= ly  # tall boxes side by side, wide boxes stacked
    gap = 0.25 * min(lx, ly) if across else 0.3 * ly
    width = k * lx + (k - 1) * gap if across else lx
    height = 1.12 * ly if across else k * 1.12 * ly + (k - 1) * gap
    scale = min(PANEL_INCHES[0] / width, PANEL_INCHES[1] / height)  # inch per sigma
    size = float(np.clip((72.0 * scale) ** 2, 0.05, 30.0))  # marker area [pt^2] of a particle of diameter sigma
    for j in range(k):
        dx, dy = (j * (lx + gap), 0.0) if across else (0.0, (k - 1 - j) * (1.12 * ly + gap))
        sc = ax.scatter(pos[j, :, 0] + dx, pos[j, :, 1] + dy, c=speed[j], s=size, cmap="viridis", vmin=0.0,
                        vmax=vmax, linewidths=0, rasterized=True)
        ax.plot([dx, dx + lx, dx + lx, dx, dx], [dy, dy, dy + ly, dy + ly, dy], color="0.3", lw=0.6)
        ax.text(dx + 0.5 * lx, dy + 1.03 * ly, f"$t$ = {times[j]:.3g} $\\tau$", ha="center", va="bottom",
                fontsize="small")
    # the axes fill the panel and the boxes keep their shape: the data limits (the boxes
    # and a 2 % margin) grow along one axis to the panel's aspect (fixed limits on both
    # axes would make matplotlib drop one of them, with a warning)
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.0)
    ax.update_datalim([(-0.02 * width, -0.02 * height), (1.02 * width, 1.02 * height)])
    ax.autoscale_view()
    ax.xaxis.set_major_locator(NullLocator())
    ax.yaxis.set_major_locator(NullLocator())
    ax.set_xlabel(f"each box: $L_x$ = {lx:.3g} $\\sigma$ (walls), $L_y$ = {ly:.3g} $\\sigma$ (periodic)")
    ax.set_title(title)
    fig.colorbar(sc, ax=ax, label=axis_label("particle speed", "sigma tau^-1"), shrink=0.9)


def _profiles(ax, ds, process: str, var: str) -> None:
    t = ds[f"t_{process}"].values
    x = ds["x_bin"].values
    y = ds[f"{process}_{var}"].values
    for f in np.unique(np.linspace(0, t.size - 1, 5).round().astype(int)):
        ax.plot(x, y[f], ".-", lw=1, ms=3, label=f"$t$ = {t[f]:.3g} $\\tau$")
    top = np.nanmax(y) if np.isfinite(y).any() else 1.0
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.45 * top)


def plot(ds):
    cfg = config_of(ds)
    dim = cfg["dimension"]
    fig, ax = new_figure(4, 2)

    _snapshots(fig, ax[0, 0], ds, cfg, "expansion", 3.0 * math.sqrt(cfg["kT"]),
               "free expansion")
    _snapshots(fig, ax[0, 1], ds, cfg, "contact", 3.0 * math.sqrt(max(cfg["kT_hot"], cfg["kT_cold"])),
               "thermal contact")

    a = ax[1, 0]
    _profiles(a, ds, "expansion", "density")
    a.axhline(cfg["density"], color="k", lw=0.6, ls=":")
    a.set(xlabel="position $x/L_x$", ylabel=axis_label("density", f"sigma^-{dim}"),
          title="free expansion: density")
    legend(a, loc="upper right", ncol=2)

    a = ax[1, 1]
    _profiles(a, ds, "contact", "temperature_profile")
    a.set(xlabel="position $x/L_x$", ylabel=axis_label("temperature $k_\\mathrm{B}T$", "epsilon"),
          title="thermal contact: temperature")
    legend(a, loc="upper right", ncol=2)

    a = ax[2, 0]
    t = ds["t_expansion"].values
    s_max = ref.uniform_spatial_entropy(cfg["n_cells"], dim)
    line_s = a.plot(t, ds["expansion_spatial_entropy"].values, color="C0", label="spatial entropy $S$")
    guide = a.axhline(s_max, color="C0", ls=":", lw=0.8, label=f"$\\ln M$, $M$ = {cfg['n_cells']}$^{dim}$ cells")
    a.set(xlabel=axis_label("time $t$", "tau"), ylabel=axis_label("spatial entropy $S$", "k_B"),
          title="free expansion: entropy")
    b = a.twinx()
    line_f = b.plot(t, ds["expansion_left_fraction"].values, color="C3", lw=0.9, label="fraction in the left half")
    b.set_ylabel("fraction in the left half", color="C3")
    b.set_ylim(0.2, 1.05)
    b.tick_params(axis="x", which="both", labelbottom=False, labeltop=False)
    lo = min(float(ds["expansion_spatial_entropy"].values.min()), s_max)
    a.set_ylim(lo - 0.9 * (s_max - lo), s_max + 0.15 * (s_max - lo + 1e-9))
    legend(a, handles=[line_s[0], guide, line_f[0]], loc="lower right")

    a = ax[2, 1]
    tc = ds["t_contact"].values
    a.plot(tc, ds["contact_kT_left"].values, color="C3", label="left half (started hot)")
    a.plot(tc, ds["contact_kT_right"].values, color="C0", label="right half (started cold)")
    a.axhline(float(ds["kT_final"].sel(process="contact")), color="k", lw=0.6, ls=":",
              label="final $k_\\mathrm{B}T$")
    top = max(cfg["kT_hot"], cfg["kT_cold"])
    a.set(xlabel=axis_label("time $t$", "tau"), ylabel=axis_label("temperature $k_\\mathrm{B}T$", "epsilon"),
          title="thermal contact: two halves", ylim=(0, 1.5 * top))
    legend(a, loc="upper right")

    a = ax[3, 0]
    for process, colour, name in (("contact", "C0", "thermal contact"), ("expansion", "C1", "free expansion")):
        a.plot(ds[f"t_{process}"].values, ds[f"{process}_h_function"].values, color=colour, label=name)
        a.axhline(float(ds["h_reference"].sel(process=process)), color=colour, ls=":", lw=0.8)
    h_all = np.concatenate([ds["contact_h_function"].values, ds["expansion_h_function"].values])
    span = float(np.ptp(h_all)) or 1.0
    a.set(xlabel=axis_label("time $t$", "tau"), ylabel="$H$ (velocities in $\\sigma/\\tau$)",
          title="Boltzmann's $H$ (dotted: Maxwell)",
          ylim=(h_all.min() - 0.05 * span, h_all.max() + 0.6 * span))
    legend(a, loc="upper right")

    a = ax[3, 1]
    n = ds["n_particles"].values
    for name in ds["observable"].values:
        y = ds["rel_sd"].sel(observable=name).values
        yerr = ds["rel_sd_err"].sel(observable=name).values
        label = OBSERVABLE_LABELS.get(str(name), str(name))
        fit = power_law_fit(n, y, yerr) if n.size >= 3 else None
        if fit is not None:
            label += f": slope {fit.exponent:.3f} ± {fit.error:.3f}"
        bars = a.errorbar(n, y, yerr=yerr, fmt="o", ms=4, capsize=2, label=label)
        if fit is not None:
            a.plot(n, np.exp(fit.log_prefactor) * n**fit.exponent, color=bars[0].get_color(), lw=0.8)
    a.plot(n, 0.5 * float(ds["rel_sd"].values.max()) * (n / n[0]) ** ref.FLUCTUATION_EXPONENT, "k--", lw=0.8,
           label="$N^{-1/2}$")
    a.set(xscale="log", yscale="log", xlabel="particles $N$", ylabel="relative standard deviation",
          title="equilibrium fluctuations")
    a.xaxis.set_major_locator(FixedLocator(n))
    a.xaxis.set_major_formatter(lambda v, _: f"{int(round(v)):,}")
    a.xaxis.set_minor_formatter(NullFormatter())
    legend(a, outside=True, ncol=1)

    for label, axis in zip("abcdefgh", ax.ravel()):
        panel_label(axis, label)
    return fig
