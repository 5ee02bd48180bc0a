"""Figure of ``coarse_graining``: eight panels in four rows (reads only the dataset).

a-c: region 0 at three times on the torus, with a grid of cells; d: S_cg(t) for every
cell size with the KS slope and the boundary's cells; e: chaotic map against the
integrable shear; f: time to fill the cells against ln(1/delta); g: the reversal;
h: the cat map on a finite lattice (recurrence).
"""

from __future__ import annotations

import numpy as np

from neqlab.experiments._base import config_of
from neqlab.observables.cells import linear_stage, saturation_time
from neqlab.plotting import axis_label, legend, new_figure, panel_label

SNAP_TITLES = ("$t$ = {t}: square of side {w}", "$t$ = {t}: stretched into a filament", "$t$ = {t}: folded across the torus")
MAX_GRID_SIDE = 64  # finer grids are not drawn on the snapshots (they would fill the panel)
S_LABEL = axis_label(r"$S_\mathrm{cg}$ = ln(touched cells)", "k_B")
T_LABEL = axis_label("time $t$", "step")


def _frac(x: float) -> str:
    inv = 1.0 / x
    return f"1/{round(inv)}" if abs(inv - round(inv)) < 1e-9 else f"{x:.3g}"


def _delta(c: float) -> str:
    return rf"$\delta$ = 1/{round(1.0 / c)}"


def _title(ax, text: str) -> None:
    """The panel's title, right-aligned so that it never runs into the panel letter (left)."""
    ax.set_title(text, loc="right", fontsize="medium")


def _snapshots(axes, ds, cfg) -> None:
    cs = ds["cell_size"].values
    grid = cs[np.argsort(np.abs(cs - 1 / 16))[0]]
    drawn = round(1.0 / grid) <= MAX_GRID_SIDE
    ticks = np.arange(0.0, 1.0 + 1e-9, grid) if drawn else []
    xlabel = f"$x$ (torus sides; grid: cells of side {_frac(grid)})" if drawn else "$x$ (torus sides)"
    for k, ax in enumerate(axes):
        if k >= ds.sizes["t_snapshot"]:
            ax.set_visible(False)
            continue
        p = ds["snapshot"].values[k]
        ax.plot(p[:, 0], p[:, 1], ".", ms=3.0 if k == 0 else 1.0, color="C0", rasterized=True)
        ax.set_xticks(ticks, minor=True)
        ax.set_yticks(ticks, minor=True)
        ax.grid(which="minor", lw=0.3, color="0.6")
        t = int(ds["t_snapshot"].values[k])
        title = SNAP_TITLES[min(k, len(SNAP_TITLES) - 1)].format(t=t, w=_frac(cfg["region_size"]))
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel=xlabel, ylabel="$y$ (torus sides)")
        _title(ax, title)
        ax.set_aspect("equal")


def _growth(ax, ds) -> None:
    cs = ds["cell_size"].values
    t = ds["t"].values
    j0 = int(np.argmin(cs))
    ks = float(ds.attrs["ks_entropy"])
    for j, c in enumerate(cs):  # each curve labelled at its plateau ln M (dotted), not in the legend
        ln_mj = float(ds["ln_n_cells"].values[j])
        ax.plot(t, ds["cg_entropy"].values[:, j], "o-", ms=3, color=f"C{j}")
        ax.axhline(ln_mj, color=f"C{j}", lw=0.6, ls=":", label="ln M: every cell touched" if j == 0 else None)
        ax.text(t[-1], ln_mj + 0.1, _delta(c), color=f"C{j}", ha="right", va="bottom", fontsize="small")
    ln_m = float(ds["ln_n_cells"].values[j0])
    w = linear_stage(ds["cg_entropy"].values[:, j0], ln_m)
    if w.size:
        t0, s0 = float(t[w[0]]), float(ds["cg_entropy"].values[w[0], j0])
        tt = np.array([max(0.0, t0 - 2), float(t[w[-1]]) + 1])
        ax.plot(tt, s0 + ks * (tt - t0), "k--", lw=1.2, label=f"slope = KS entropy {ks:.3f}")
    b = ds["cg_entropy_boundary"].values[:, j0]
    ok = np.isfinite(b)
    if ok.any():
        last = int(t[np.flatnonzero(ok)[-1]])
        ax.plot(t[ok], b[ok], "kx", ms=5,
                label=f"cells crossed by the outline,\n{_delta(cs[j0])} (followed up to $t$ = {last})")
    ax.set(xlabel=T_LABEL, ylabel=S_LABEL)
    _title(ax, "grows at the KS rate, then saturates")
    ax.set_ylim(-0.3, float(ds["ln_n_cells"].values.max()) * 1.5 + 0.3)
    legend(ax, loc="upper left")


def _integrable(ax, ds) -> None:
    cs = ds["cell_size"].values
    t = ds["t"].values
    j0 = int(np.argmin(cs))
    for j in sorted({int(np.argmax(cs)), j0}):
        ax.plot(t, ds["cg_entropy"].values[:, j], "o-", ms=3, color=f"C{j}", label=f"chaotic map, {_delta(cs[j])}")
        ax.plot(t, ds["cg_entropy_integrable"].values[:, j], "s--", ms=3, color=f"C{j}",
                label=f"integrable shear, {_delta(cs[j])}")
    ax.set(xlabel=T_LABEL, ylabel=S_LABEL)
    _title(ax, "chaotic map vs integrable shear")
    ax.set_ylim(-0.3, float(ds["ln_n_cells"].values.max()) * 1.5 + 0.3)
    legend(ax, loc="upper left", ncol=2)


def _saturation(ax, ds) -> None:
    cs = ds["cell_size"].values
    t = ds["t"].values
    tsat = np.array([saturation_time(t, ds["cg_entropy"].values[:, c], float(ds["ln_n_cells"].values[c]))
                     for c in range(cs.size)])
    x = np.log(1.0 / cs)
    ok = np.isfinite(tsat)
    ks = float(ds.attrs["ks_entropy"])
    ax.plot(x[ok], tsat[ok], "o", ms=6, label="measured (60 % of the cells touched)")
    if ok.any() and ks > 0:
        xx = np.array([x.min() - 0.2, x.max() + 0.2])
        mid = np.mean(x[ok]), np.mean(tsat[ok])
        ax.plot(xx, mid[1] + (xx - mid[0]) / ks, "k--", lw=1, label=f"slope 1/KS = {1 / ks:.3f}")
    ax.set(xlabel=r"$\ln(1/\delta)$", ylabel=axis_label(r"time to fill the cells $t_\mathrm{sat}$", "step"))
    _title(ax, "finer cells take longer to fill")
    legend(ax, loc="lower right")


def _reversal(ax, ds, cfg) -> None:
    cs = ds["cell_size"].values
    j0 = int(np.argmin(cs))
    n_rev = int(cfg["n_reverse"])
    ax.plot(ds["t_rev"].values, ds["cg_entropy_reversal"].values[:, j0], "o-", ms=3, color=f"C{j0}",
            label=f"one region, {_delta(cs[j0])}")
    ax.axvline(n_rev, color="0.5", lw=0.8, ls="--")
    ax.set(xlabel=T_LABEL, ylabel=S_LABEL)
    _title(ax, f"map run backwards after $t$ = {n_rev}")
    top = float(np.nanmax(ds["cg_entropy_reversal"].values[:, j0]))
    ax.set_ylim(-0.3, top * 1.35 + 0.5)
    legend(ax, loc="upper right")


def _lattice(ax, ds, cfg) -> None:
    cs = ds["cell_size"].values
    lat = ds["cg_entropy_lattice"].values
    drops = np.maximum.accumulate(lat, axis=0) - lat
    jl = int(np.argmax(drops.max(axis=0)))
    n = 2 ** int(cfg["lattice_bits"])
    period = int(ds.attrs["lattice_period"])
    tl = ds["t_lattice"].values
    ax.plot(tl, lat[:, jl], ".-", ms=3, color=f"C{jl}", label=f"cat map on the lattice, {_delta(cs[jl])}")
    if period:
        for k in range(period, int(tl[-1]) + 1, period):
            ax.axvline(k, color="0.5", lw=0.8, ls="--")
    what = f"recurrence every {period} steps" if period else f"no recurrence in {int(tl[-1])} steps"
    ax.set(xlabel=T_LABEL, ylabel=S_LABEL)
    _title(ax, f"{n}×{n} lattice: {what}")
    ax.set_ylim(min(0.0, float(lat[:, jl].min())) - 0.3, float(lat[:, jl].max()) * 1.35 + 0.5)
    legend(ax, loc="upper right")


def plot(ds):
    cfg = config_of(ds)
    fig, ax = new_figure(4, 2)
    _snapshots([ax[0, 0], ax[0, 1], ax[1, 0]], ds, cfg)
    _growth(ax[1, 1], ds)
    _integrable(ax[2, 0], ds)
    _saturation(ax[2, 1], ds)
    _reversal(ax[3, 0], ds, cfg)
    _lattice(ax[3, 1], ds, cfg)
    for label, axis in zip("abcdefgh", ax.ravel()):
        panel_label(axis, label)
    return fig


__all__ = ["plot"]
