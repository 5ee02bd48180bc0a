"""Figure of the ``loschmidt`` experiment (reads only the dataset).

Top row: (a) velocity entropy -H(t) forward and backward for both sizes (uniform gas,
same speeds); (b) position entropy of the free expansion; (c) the return error
against backward time, log scale, with the slope e^{lambda s}; (d) the phase map,
returned / not over (t_r, ln(sigma/eps_eff)) with the line lambda t_r = ln(sigma/eps_eff).
Bottom row: snapshots of both sizes at the reversal and at the end, particles coloured
by their initial position (left or right half of the occupied region).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from neqlab.plotting import new_figure, panel_label

COLORS = ("tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange", "tab:brown")


def _curves(ax, ds, protocol, name, sign, ylabel, title):
    for j, n in enumerate(ds["n_particles"].values):
        tr = float(ds["reversal_time"].sel(protocol=protocol, n_particles=n))
        y = sign * ds[name].sel(protocol=protocol, n_particles=n).values
        t = ds["t"].values
        ok = np.isfinite(y)
        ax.plot(t[ok], y[ok], color=COLORS[j % len(COLORS)], lw=1.2, label=f"N = {int(n):,}, t_r = {tr:.1f}")
        ax.axvline(tr, color=COLORS[j % len(COLORS)], lw=0.6, ls=":")
    ax.set(xlabel="t [tau] (velocities reversed at t_r)", ylabel=ylabel, title=title)
    ax.legend(fontsize=7)


def _errors(ax, ds):
    lam = {"velocity": float(ds.attrs["lyapunov_max"]), "expansion": float(ds.attrs["lyapunov_max_initial"])}
    s = ds["s"].values
    floor = 1e-17
    for j, n in enumerate(ds["n_particles"].values):
        for p, ls in (("expansion", "-"), ("velocity", "--")):
            e = ds["return_error"].sel(protocol=p, n_particles=n).values
            ok = np.isfinite(e)
            ax.semilogy(s[ok], np.maximum(e[ok], floor), ls, color=COLORS[j % len(COLORS)], lw=1,
                        label=f"N = {int(n):,} {p}")
            eps = ds.attrs.get(f"eps_fit_{p}_{int(n)}", np.nan)
            if j == 0 and np.isfinite(eps):  # slope lines once, anchored at the fitted eps_eff
                ss = s[(s >= 0.5) & (s <= np.log(1.0 / eps) / lam[p])]
                ax.semilogy(ss, eps * np.exp(lam[p] * ss), ":", color="k" if p == "expansion" else "0.5", lw=1.2,
                            label=f"e^(lambda s), lambda = {lam[p]:.2f} ({'density / fill' if p == 'expansion' else 'density'})")
    if "control_return_error" in ds:
        ok_all = all(int(b) == 1 for b in ds["control_returned_bitwise"].values)
        for j, n in enumerate(ds["n_particles"].values):
            e = ds["control_return_error"].sel(n_particles=n).values
            ok = np.isfinite(e)
            ax.semilogy(s[ok], np.maximum(e[ok], floor) * (1.0 + 0.3 * j), "-", color="k", lw=2 - j,
                        label=f"N = {int(n):,} exact control" + (" (bitwise)" if ok_all else ""))
    ax.axhline(float(ds.attrs["return_threshold"]), color="0.5", lw=0.6)
    ax.set(xlabel="backward time s [tau]", ylabel="return error [sigma]",
           title=f"microscopic return error ({ds.attrs['precision']}; floor = bit-exact)", ylim=(floor / 2, 1e2))
    ax.legend(fontsize=6)


def _phase_map(ax, ds):
    from neqlab.experiments.loschmidt import ln_sigma_over_eps

    if "map_point" not in ds.dims:
        ax.text(0.5, 0.5, "no phase map in this run", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    lam = float(ds.attrs["lyapunov_max"])
    y = ln_sigma_over_eps(ds["map_eps_eff"].values)
    top = 45.0
    y = np.where(np.isfinite(y), y, top)
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
            ax.scatter(t[sel & ret] + jit, y[sel & ret], marker=mk, color=c, s=18, label=f"{d}D N={n:,}")
            ax.scatter(t[sel & ~ret] + jit, y[sel & ~ret], marker=mk, facecolors="none", edgecolors=c, s=18)
    tt = np.linspace(0, t.max() * 1.05, 50)
    ax.plot(tt, lam * tt, "k-", lw=1, label="lambda t_r = ln(sigma/eps_eff)")
    thr = float(ds.attrs["return_threshold"])
    ax.plot(tt, lam * tt + np.log(1.0 / thr), "k--", lw=0.8, label=f"error = {thr:g} sigma")
    g = ds.attrs.get("map_growth_rate_median", np.nan)
    if np.isfinite(g):
        ax.plot(tt, g * tt + np.log(1.0 / thr), "k:", lw=0.8, label=f"same, fitted growth {g:.2f}")
    ax.axhline(top - 2, color="0.7", lw=0.5)
    ax.text(0.5 * t.max(), top - 1, "exact integrator, eps = 0", fontsize=7, ha="center")
    ax.set(xlabel="t_reverse [tau]", ylabel="ln(sigma / eps_eff)", ylim=(0, top + 2),
           title="phase map: filled = returned, open = not")
    ax.legend(fontsize=6, loc="lower right")


def _snapshot(ax, ds, n, which):
    xy = ds["snapshot_positions"].sel(n_particles=n, snapshot=which).values
    side = ds["initial_x"].sel(n_particles=n).values > 0.5
    box = ds["box_length"].sel(n_particles=n).values
    ax.scatter(xy[~side, 0], xy[~side, 1], s=1.5, color="tab:blue", lw=0)
    ax.scatter(xy[side, 0], xy[side, 1], s=1.5, color="tab:orange", lw=0)
    ax.axvline(box[0] / 2, color="0.6", lw=0.5)
    ax.set(xlim=(0, box[0]), ylim=(0, box[1]), aspect="equal", xticks=[], yticks=[])
    ax.set_title(f"N = {int(n):,}, {which}", fontsize=9)


def plot(ds: xr.Dataset):
    """The experiment's figure (see the module docstring)."""
    fig, ax = new_figure(2, 4, width=4.0, height=3.4)
    _curves(ax[0, 0], ds, "velocity", "h_function", -1.0, "velocity entropy -H per particle [k_B]",
            "velocity H: uniform gas, equal speeds")
    _curves(ax[0, 1], ds, "expansion", "spatial_entropy", 1.0, "position entropy per particle [k_B]",
            "free expansion, reversed at the same stage")
    _errors(ax[0, 2], ds)
    _phase_map(ax[0, 3], ds)
    sizes = ds["n_particles"].values
    for j, (n, which) in enumerate([(sizes[0], "reversal"), (sizes[0], "end"), (sizes[-1], "reversal"),
                                    (sizes[-1], "end")]):
        _snapshot(ax[1, j], ds, n, which)
    ax[1, 0].text(0.0, -0.08, "colour: initial position, left (blue) or right (orange) half of the gas",
                  transform=ax[1, 0].transAxes, fontsize=7, va="top")
    for label, a in zip("abcdefgh", ax.ravel()):
        panel_label(a, label)
    return fig
