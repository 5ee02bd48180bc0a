"""Figure of `coarse_graining`: region snapshots on the grid, S_cg(t) with the KS slope,
chaotic vs integrable, and the decreases (reversal, lattice recurrence)."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure


def figure(ds: xr.Dataset, a: dict, tsat: np.ndarray) -> Figure:
    fig = Figure(figsize=(13, 7.5), layout="constrained")
    axs = fig.subplots(2, 3)
    cs = ds["cell_size"].values
    grid = cs[np.argsort(np.abs(cs - 1 / 16))[0]]
    for ax, j in zip(axs[0], range(ds.sizes["snap"])):
        p = ds["snapshot"].values[j]
        ax.plot(p[:, 0], p[:, 1], ".", ms=1.0 if j else 3.0, color="C0")
        ticks = np.arange(0.0, 1.0 + 1e-9, grid)
        ax.set_xticks(ticks, minor=True)
        ax.set_yticks(ticks, minor=True)
        ax.grid(which="minor", lw=0.3, color="0.6")
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="x [torus side]", ylabel="y [torus side]",
               title=f"t = {int(ds['snapshot_t'].values[j])} (grid delta = {grid:.4g})")
        ax.set_aspect("equal")
    ax = axs[1, 0]
    t = ds["t"].values
    ks = float(ds.attrs["ks_entropy"])
    for j, c in enumerate(cs):
        ax.plot(t, ds["cg_entropy"].values[:, j], "o-", ms=3, label=f"delta = 1/{round(1 / c)}")
        ax.axhline(float(ds["ln_n_cells"].values[j]), color=f"C{j}", lw=0.5, ls=":")
    j0 = int(np.argmin(cs))
    if np.isfinite(a["growth_window_start"]):
        t0 = a["growth_window_start"]
        s0 = float(ds["cg_entropy"].values[int(t0), j0])
        tt = np.array([t0 - 2, a["growth_window_end"] + 2])
        ax.plot(tt, s0 + ks * (tt - t0), "k--", lw=1.2, label=f"KS slope {ks:.3f}")
    b = ds["cg_entropy_boundary"].values[:, j0]
    ax.plot(t, b, "kx", ms=4, label="boundary cells (smallest delta)")
    ax.set(xlabel="t [map steps]", ylabel="S_cg = ln(touched cells)",
           title=f"growth {a['growth_rate']:.3f} +- {a['growth_rate_err']:.3f} vs KS {ks:.3f}")
    ax.legend(fontsize=7)
    ax = axs[1, 1]
    for j in (0, j0):
        ax.plot(t, ds["cg_entropy"].values[:, j], "o-", ms=3, color=f"C{j}", label=f"chaotic, delta=1/{round(1 / cs[j])}")
        ax.plot(t, ds["cg_entropy_integrable"].values[:, j], "s--", ms=3, color=f"C{j}", label=f"integrable shear, delta=1/{round(1 / cs[j])}")
    ax.set(xlabel="t [map steps]", ylabel="S_cg", title="chaotic vs integrable (same region)")
    ax.legend(fontsize=7)
    inset = ax.inset_axes([0.58, 0.5, 0.38, 0.3])
    ok = np.isfinite(tsat)
    inset.plot(np.log(1 / cs[ok]), tsat[ok], "o-", ms=3)
    inset.set_xlabel("ln(1/delta)", fontsize=6)
    inset.set_ylabel("t_sat", fontsize=6)
    inset.tick_params(labelsize=6)
    inset.set_title(f"slope {a['saturation_slope']:.2f} (1/KS {1 / ks:.2f})", fontsize=6)
    ax = axs[1, 2]
    n_rev = int(ds.attrs["n_reverse"])
    ax.plot(ds["t_rev"].values, ds["cg_entropy_reversal"].values[:, j0], "o-", ms=3,
            label=f"reversed at t = {n_rev} (delta = 1/{round(1 / cs[j0])})")
    ax.axvline(n_rev, color="0.5", lw=0.8)
    jl = int(np.argmin(np.abs(cs - a["lattice_max_drop_cell_size"])))
    ax.plot(ds["t_lattice"].values, ds["cg_entropy_lattice"].values[:, jl], ".-", ms=2,
            label=f"cat map on a {2 ** int(ds.attrs['lattice_bits'])}^2 lattice (delta = 1/{round(1 / cs[jl])})")
    ax.set(xlabel="t [map steps]", ylabel="S_cg", title=f"decreases: reversal, recurrence (period {ds.attrs['lattice_period']})")
    ax.legend(fontsize=7)
    return fig
