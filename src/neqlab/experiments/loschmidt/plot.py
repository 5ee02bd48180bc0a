"""Figure of ``loschmidt``: eight panels in four rows of two (reads only the dataset).

a: velocity entropy -H(t) of the uniform gas, forward and backward, both sizes;
b: position entropy of the free expansion; c: the return error against backward time
(log scale) with the slope e^(lambda s) and the bit-reversible control; d: the phase
map, returned or not over (t_r, ln(sigma/eps_eff)) with the line lambda t_r =
ln(sigma/eps_eff); e-h: snapshots of both sizes at the reversal and at the end, in
units of the box length (the same range in every snapshot), coloured by where each
particle started.
"""

from __future__ import annotations

import numpy as np

from neqlab.experiments._base import config_of
from neqlab.plotting import axis_label, legend, new_figure, panel_label

COLORS = ("tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange", "tab:brown")
FLOOR = 1e-17  # where an error of exactly 0 is drawn on the log axis [sigma]
TOP = 45.0  # where the exact integrator without a kick (ln(sigma/eps_eff) infinite) is drawn


def ln_sigma_over_eps(eps_eff) -> np.ndarray:
    """ln(sigma / eps_eff); +inf for a perfect (eps_eff = 0) reversal."""
    e = np.asarray(eps_eff, float)
    with np.errstate(divide="ignore"):
        return np.where(e > 0, -np.log(np.where(e > 0, e, 1.0)), np.inf)


def _curves(ax, ds, protocol, name, sign, ylabel, title):
    t = ds["t"].values
    for j, n in enumerate(ds["n_particles"].values):
        tr = float(ds["reversal_time"].sel(protocol=protocol, n_particles=n))
        y = sign * ds[name].sel(protocol=protocol, n_particles=n).values
        ok = np.isfinite(y)
        ax.plot(t[ok], y[ok], color=COLORS[j % len(COLORS)], lw=1.2, label=f"$N$ = {int(n):,}, $t_r$ = {tr:g} $\\tau$")
        ax.axvline(tr, color=COLORS[j % len(COLORS)], lw=0.6, ls=":")
    ax.set(xlabel=axis_label("time $t$ (reversed at $t_r$, dotted)", "tau"), ylabel=ylabel, title=title)
    legend(ax, outside=True)


def _errors(ax, ds):
    lam = {"velocity": float(ds.attrs["lyapunov_max"]), "expansion": float(ds.attrs["lyapunov_max_initial"])}
    s = ds["s"].values
    for j, n in enumerate(ds["n_particles"].values):
        for p, ls in (("expansion", "-"), ("velocity", "--")):
            e = ds["return_error"].sel(protocol=p, n_particles=n).values
            ok = np.isfinite(e)
            what = "expansion" if p == "expansion" else "uniform gas"
            ax.semilogy(s[ok], np.maximum(e[ok], FLOOR), ls, color=COLORS[j % len(COLORS)], lw=1,
                        label=f"$N$ = {int(n):,}, {what}")
    n0 = ds["n_particles"].values[0]
    for p, color in (("expansion", "k"), ("velocity", "0.5")):  # slopes anchored at the small system's fit
        eps = float(ds["eps_fit"].sel(protocol=p, n_particles=n0))
        if np.isfinite(eps) and eps > 0:
            ss = s[(s >= 0.5) & (s <= np.log(1.0 / eps) / lam[p])]
            dens = "released" if p == "expansion" else "mean"
            ax.semilogy(ss, eps * np.exp(lam[p] * ss), ":", color=color, lw=1.2,
                        label=f"$e^{{\\lambda s}}$, $\\lambda$ = {lam[p]:.2f} $\\tau^{{-1}}$ ({dens} density)")
    ok_all = bool(ds["control_returned_bitwise"].values.all())
    for j, n in enumerate(ds["n_particles"].values):
        e = ds["control_return_error"].sel(n_particles=n).values
        ok = np.isfinite(e)
        ax.semilogy(s[ok], np.maximum(e[ok], FLOOR) * (1.0 + 0.3 * j), "-", color="k", lw=2 - j,
                    label=f"$N$ = {int(n):,}, exact control" + (" (0: drawn at the floor)" if ok_all else ""))
    ax.axhline(float(config_of(ds)["return_threshold"]), color="0.5", lw=0.6)
    ax.set(xlabel=axis_label("backward time $s$", "tau"), ylabel=axis_label("return error", "sigma"),
           title="return error", ylim=(FLOOR / 2, 1e3))
    legend(ax, outside=True)


def _phase_map(ax, ds):
    if "map_point" not in ds.dims:
        ax.text(0.5, 0.5, "no phase map in this run", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    lam = float(ds.attrs["lyapunov_max"])
    y = ln_sigma_over_eps(ds["map_eps_eff"].values)
    y = np.where(np.isfinite(y), y, TOP)
    t = ds["map_t_reverse"].values
    ret = ds["map_returned"].values.astype(bool)
    ns = ds["map_n_particles"].values
    dims = ds["map_dimension"].values
    sizes = sorted(set(ns.tolist()))
    for k, n in enumerate(sizes):
        for d, mk in ((2, "o"), (3, "s")):
            sel = (ns == n) & (dims == d)
            if not sel.any():
                continue
            c = COLORS[k % len(COLORS)]
            jit = (k - len(sizes) / 2) * 0.12
            ax.scatter(t[sel & ret] + jit, y[sel & ret], marker=mk, color=c, s=18, label=f"{d}D, $N$ = {n:,}")
            ax.scatter(t[sel & ~ret] + jit, y[sel & ~ret], marker=mk, facecolors="none", edgecolors=c, s=18)
    tt = np.linspace(0, t.max() * 1.05, 50)
    ax.plot(tt, lam * tt, "k-", lw=1, label="$\\lambda t_r = \\ln(\\sigma/\\varepsilon_\\mathrm{eff})$")
    thr = float(config_of(ds)["return_threshold"])
    ax.plot(tt, lam * tt + np.log(1.0 / thr), "k--", lw=0.8, label=f"same, error {thr:g} $\\sigma$")
    g = ds.attrs.get("map_growth_rate_median", np.nan)
    if np.isfinite(g):
        ax.plot(tt, g * tt + np.log(1.0 / thr), "k:", lw=0.8, label=f"same, fitted growth {g:.2f} $\\tau^{{-1}}$")
    ax.axhline(TOP - 2, color="0.7", lw=0.5)
    ticks = [0, 10, 20, 30, 40, TOP]  # the exact integrator without a kick: ln(sigma/eps_eff) infinite
    ax.set_yticks(ticks, [f"{v:g}" for v in ticks[:-1]] + ["∞ (exact)"])
    ax.set(xlabel=axis_label("reversal time $t_r$", "tau"),
           ylabel="$\\ln(\\sigma/\\varepsilon_\\mathrm{eff})$", ylim=(0, TOP + 3),
           title="phase map (filled: returned)")
    legend(ax, outside=True)


def _snapshot(ax, ds, n, which):
    xy = ds["snapshot_positions"].sel(n_particles=n, snapshot=which).values
    box = ds["box_length"].sel(n_particles=n).values
    side = ds["initial_x"].sel(n_particles=n).values > 0.5
    u = xy[:, :2] / box[:2]
    ax.scatter(u[~side, 0], u[~side, 1], s=1.5, color="tab:blue", lw=0)
    ax.scatter(u[side, 0], u[side, 1], s=1.5, color="tab:orange", lw=0)
    ax.axvline(0.5, color="0.6", lw=0.5)
    ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", xticks=[0, 0.5, 1], yticks=[0, 0.5, 1],
           xlabel="$x/L$", ylabel="$y/L$")
    when = "reversal" if which == "reversal" else "end"
    ax.set_title(f"$N$ = {int(n):,} at the {when}", fontsize=10)


def plot(ds):
    """The experiment's figure (see the module docstring)."""
    fig, ax = new_figure(4, 2)
    _curves(ax[0, 0], ds, "velocity", "h_function", -1.0, axis_label("velocity entropy $-H$ per particle", "k_B"),
            "uniform gas, equal speeds")
    _curves(ax[0, 1], ds, "expansion", "spatial_entropy", 1.0, axis_label("position entropy per particle", "k_B"),
            "free expansion")
    _errors(ax[1, 0], ds)
    _phase_map(ax[1, 1], ds)
    sizes = ds["n_particles"].values
    for j, (n, which) in enumerate([(sizes[0], "reversal"), (sizes[0], "end"), (sizes[-1], "reversal"),
                                    (sizes[-1], "end")]):
        _snapshot(ax[2 + j // 2, j % 2], ds, n, which)
    fig.supxlabel("e–h: positions in units of the box length $L$; colour = where the particle started, "
                  "left (blue) or right (orange) half of the gas", fontsize=9)
    for label, a in zip("abcdefgh", ax.ravel()):
        panel_label(a, label)
    return fig
