"""Figure of ``liouville``: eight panels in four rows (reads only the dataset).

a-d: a disc under the standard map, stretched and folded (same axes: the whole torus);
e: the oscillator's Gaussian cloud at the end, leapfrog against explicit Euler;
f: relative area change of the maps; g: of the flows, per integrator;
h: change of the Gibbs entropy of the clouds.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from neqlab.experiments._base import config_of
from neqlab.plotting import axis_label, legend, new_figure, panel_label

FLOOR = 1e-17  # an exact zero change is drawn here on the log axes
AREA_TOL = 1e-10  # the conservation tolerance of the verdict, drawn as a guide
INTEGRATOR_LABELS = {"leapfrog": "leapfrog", "yoshida4": "Yoshida-4", "rk4": "RK4", "euler": "explicit Euler"}
MAP_LABELS = {"cat": "cat map", "standard": "standard map", "henon": "Hénon map"}


def _abs_change(y: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(y), np.maximum(np.abs(y), FLOOR), np.nan)


def plot(ds):
    cfg = config_of(ds)
    fig, ax = new_figure(4, 2)

    period = float(ds["map_period"].sel(map="standard"))
    snaps = ds["map_snapshot"].sel(map="standard").values
    steps = ds["step_snapshot"].values
    for j, a in enumerate(ax[:2].ravel()):
        if j < steps.size:
            a.plot(snaps[j, :, 0], snaps[j, :, 1], ",", color="C0", alpha=0.7, rasterized=True)
            n = int(steps[j])
            a.set_title(f"standard map, $n$ = {n}", loc="right")
        a.set(xlim=(0, period), ylim=(0, period), xlabel="angle $x$ [rad]", ylabel="momentum $p$")
        a.set_aspect("equal")

    a = ax[2, 0]
    osc = ds["flow_snapshot"].sel(system="oscillator")
    t_end = float(ds["t_snapshot"].values[-1])
    layers = (("euler", -1, "C3", f"explicit Euler, $t$ = {t_end:g} $\\tau$"), ("leapfrog", 0, "0.2", "start, $t$ = 0"),
              ("leapfrog", -1, "C0", f"leapfrog, $t$ = {t_end:g} $\\tau$"))
    for integ, k, colour, label in layers:
        xy = osc.sel(integrator=integ).values[k]
        a.plot(xy[:, 0], xy[:, 1], ".", ms=1, color=colour, alpha=0.5, rasterized=True, label=label)
    a.set(xlabel=axis_label("position $q$", "sigma"), ylabel="momentum $p$ [$m\\sigma/\\tau$]",
          title="oscillator: a Gaussian cloud")
    a.set_aspect("equal", adjustable="datalim")
    legend(a, outside=True, ncol=3, markerscale=8)

    a = ax[2, 1]
    a.set_yscale("log")
    a.set_ylim(FLOOR / 3, 30)  # fixed before plotting: an all-NaN panel has nothing to autoscale on
    step = ds["step"].values
    for m in ds["map"].values:
        y = _abs_change(ds["map_area_rel_change"].sel(map=m).values)
        a.semilogy(step[1:], y[1:], "o-", ms=4, label=MAP_LABELS.get(str(m), str(m)))
    a.axhline(AREA_TOL, color="k", ls="--", lw=0.8, label="tolerance $10^{-10}$")
    a.set(xlabel="map iterations $n$", ylabel="$|A(n)/A(0) - 1|$", title=f"maps: change of the area ($K$ = {cfg['k']:g})")
    legend(a, outside=True, ncol=2)

    a = ax[3, 0]
    t = ds["t"].values
    finite = np.abs(ds["flow_area_rel_change"].values)
    finite = finite[np.isfinite(finite)]
    a.set_yscale("log")
    a.set_ylim(FLOOR / 3, max(30.0, 10.0 * float(finite.max())) if finite.size else 30.0)
    for k, integ in enumerate(ds["integrator"].values):
        for system, style in (("pendulum", "-"), ("oscillator", ":")):
            y = _abs_change(ds["flow_area_rel_change"].sel(system=system, integrator=integ).values)
            a.semilogy(t[1:], y[1:], style, marker=".", color=f"C{k}")
    a.axhline(AREA_TOL, color="k", ls="--", lw=0.8)
    handles = [Line2D([], [], color=f"C{k}", label=INTEGRATOR_LABELS.get(str(i), str(i)))
               for k, i in enumerate(ds["integrator"].values)]
    handles += [Line2D([], [], color="0.3", ls="-", label="pendulum"),
                Line2D([], [], color="0.3", ls=":", label="oscillator"),
                Line2D([], [], color="k", ls="--", lw=0.8, label="tolerance $10^{-10}$")]
    a.set(xlabel=axis_label("time $t$", "tau"), ylabel="$|A(t)/A(0) - 1|$",
          title=f"flows: change of the area, $h$ = {cfg['dt']:g} $\\tau$")
    legend(a, handles=handles, outside=True, ncol=3)

    a = ax[3, 1]
    curves = (("map", "cat", "cat map (kNN)"), ("map", "standard", "standard map (kNN)"),
              ("flow", "pendulum/leapfrog", "pendulum, leapfrog (kNN)"),
              ("flow", "oscillator/leapfrog", "oscillator, leapfrog (Gaussian)"),
              ("flow", "oscillator/euler", "oscillator, Euler (Gaussian)"))
    for k, (kind, case, label) in enumerate(curves):
        if kind == "map":
            x, sel = ds["step"].values, dict(map=case)
        else:
            system, integ = case.split("/")
            x, sel = ds["t"].values, dict(system=system, integrator=integ)
        for var, style, lab in (("gibbs_entropy", "-", label), ("gibbs_entropy_sub", ":", None)):
            g = ds[f"{kind}_{var}"].sel(**sel).values
            a.plot(x / x[-1], g - g[0], style, marker=".", color=f"C{k}", label=lab)
    a.set(xlabel="fraction of the run $t/t_\\mathrm{end}$", ylabel=axis_label("$S_\\mathrm{Gibbs}(t) - S_\\mathrm{Gibbs}(0)$", "k_B"),
          title="Gibbs entropy (dotted: every 8th point)")
    legend(a, outside=True, ncol=2)

    for label, axis in zip("abcdefgh", ax.ravel()):
        panel_label(axis, label)
    return fig
