"""Figure of ``loschmidt``: twelve panels in six rows of two (reads only the dataset).

a, b: the three entropies of the free expansion against time, per size, as changes from
their start on the same axes (position entropy, S_hydro with its error band, -H of all
velocities); c: the large gas's S_hydro split into its positional and thermal parts (the
nearly isentropic rarefaction); d: velocity entropy -H(t) of the uniform gas, both sizes;
e: the three entropies of the small system's late reversal; f: the energy of the
macroscopic flow against time (log axis), both expansions and the late run; g: the
return error against backward time (log scale) with the slope e^(lambda s) and the
bit-reversible control; h: the phase map, returned or not over (t_r,
ln(sigma/eps_eff)) with the line lambda t_r = ln(sigma/eps_eff); i-l: snapshots of both
sizes at the reversal and at the end, in units of the box length (the same range in
every snapshot), coloured by where each particle started.
"""

from __future__ import annotations

import numpy as np

from neqlab.experiments._base import config_of
from neqlab.plotting import axis_label, legend, new_figure, panel_label

COLORS = ("tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange", "tab:brown")
FLOOR = 1e-17  # where an error of exactly 0 is drawn on the log axis [sigma]
TOP = 45.0  # where the exact integrator without a kick (ln(sigma/eps_eff) infinite) is drawn
# the three entropies of one run: (data variable, sign, label, colour); S_hydro first (drawn with its band)
THREE = (("hydro_entropy", 1.0, "$S_\\mathrm{hydro}$", "tab:red"),
         ("spatial_entropy", 1.0, "position entropy", "tab:blue"),
         ("h_function", -1.0, "$-H$, all velocities", "tab:green"))


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


def _run(ds, protocol, n):
    """Time grid and reversal time of one run, cut to the samples it recorded."""
    tr = float(ds["reversal_time"].sel(protocol=protocol, n_particles=n))
    t = ds["t"].values
    return t, tr, np.isfinite(ds["spatial_entropy"].sel(protocol=protocol, n_particles=n).values)


def _three(ax, ds, protocol, n, title):
    """The three entropies of one run as changes from t = 0, on the same axes, with error bands."""
    t, tr, ok = _run(ds, protocol, n)
    if not ok.any():
        ax.text(0.5, 0.5, "not run", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    for name, sign, label, color in THREE:
        y = sign * ds[name].sel(protocol=protocol, n_particles=n).values[ok]
        e = ds[f"{name}_err"].sel(protocol=protocol, n_particles=n).values[ok]
        ax.plot(t[ok], y - y[0], color=color, lw=1.2, label=label)
        ax.fill_between(t[ok], y - y[0] - e, y - y[0] + e, color=color, alpha=0.2, lw=0)
    ax.axvline(tr, color="k", lw=0.6, ls=":")
    ax.axhline(0.0, color="0.6", lw=0.5)
    ax.set(xlabel=axis_label(f"time $t$ (reversed at $t_r$ = {tr:g} $\\tau$, dotted)", "tau"),
           ylabel=axis_label("change per particle $\\Delta S$", "k_B"), title=title)
    legend(ax, outside=True, ncol=3)


def _parts(ax, ds, n):
    """S_hydro of the large expansion split: positional part (counts and WCA excess) and thermal part."""
    t, tr, ok = _run(ds, "expansion", n)
    sel = dict(protocol="expansion", n_particles=n)
    y = ds["hydro_entropy"].sel(**sel).values[ok]
    th = ds["hydro_thermal_entropy"].sel(**sel).values[ok]
    e = ds["hydro_entropy_err"].sel(**sel).values[ok]
    for v, label, color in ((y - th, "positional part", "tab:blue"), (th, "thermal part", "tab:orange"),
                            (y, "$S_\\mathrm{hydro}$ (sum)", "tab:red")):
        ax.plot(t[ok], v - v[0], color=color, lw=1.2, label=label)
    ax.fill_between(t[ok], y - y[0] - e, y - y[0] + e, color="tab:red", alpha=0.2, lw=0)
    ax.axvline(tr, color="k", lw=0.6, ls=":")
    ax.axhline(0.0, color="0.6", lw=0.5)
    ax.set(xlabel=axis_label("time $t$ (reversed at $t_r$, dotted)", "tau"),
           ylabel=axis_label("change per particle $\\Delta S$", "k_B"),
           title=f"$N$ = {int(n):,}: parts of $S_\\mathrm{{hydro}}$")
    legend(ax, outside=True, ncol=3)


def _flow(ax, ds):
    """Energy of the macroscopic flow per particle against time (log axis): both expansions, the late run."""
    runs = [("expansion", n, f"$N$ = {int(n):,}", COLORS[j % len(COLORS)])
            for j, n in enumerate(ds["n_particles"].values)]
    n0 = ds["n_particles"].values[0]
    runs.append(("late", n0, f"$N$ = {int(n0):,}, late", "k"))
    for protocol, n, label, color in runs:
        t, tr, ok = _run(ds, protocol, n)
        ok = ok & (t > 0)
        if not ok.any():
            continue
        ax.plot(t[ok], ds["flow_energy"].sel(protocol=protocol, n_particles=n).values[ok], color=color, lw=1,
                label=label)
        ax.axvline(tr, color=color, lw=0.6, ls=":")
    ax.axhline(0.0, color="0.6", lw=0.5)
    ax.set_xscale("log")
    ax.set(xlabel=axis_label("time $t$ (reversals dotted)", "tau"),
           ylabel=axis_label("flow energy per particle", "epsilon"), title="energy of the macroscopic flow")
    legend(ax, outside=True, ncol=3)


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
           title="return error (reversal at the stage)", ylim=(FLOOR / 2, 1e3))
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
    fig, ax = new_figure(6, 2)
    sizes = ds["n_particles"].values
    for j, n in enumerate(sizes[:2]):
        _three(ax[0, j], ds, "expansion", n, f"free expansion, $N$ = {int(n):,}")
    if len(sizes) < 2:
        ax[0, 1].set_axis_off()
    _parts(ax[1, 0], ds, sizes[-1])
    _curves(ax[1, 1], ds, "velocity", "h_function", -1.0, axis_label("velocity entropy $-H$ per particle", "k_B"),
            "uniform gas, equal speeds")
    _three(ax[2, 0], ds, "late", sizes[0], f"late reversal, $N$ = {int(sizes[0]):,}")
    _flow(ax[2, 1], ds)
    _errors(ax[3, 0], ds)
    _phase_map(ax[3, 1], ds)
    for j, (n, which) in enumerate([(sizes[0], "reversal"), (sizes[0], "end"), (sizes[-1], "reversal"),
                                    (sizes[-1], "end")]):
        _snapshot(ax[4 + j // 2, j % 2], ds, n, which)
    fig.supxlabel("i–l: positions in units of the box length $L$; colour = where the particle started, "
                  "left (blue) or right (orange) half of the gas", fontsize=9)
    for label, a in zip("abcdefghijkl", ax.ravel()):
        panel_label(a, label)
    return fig
