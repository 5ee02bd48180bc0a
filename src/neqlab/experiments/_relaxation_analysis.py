"""Analysis and figure of the ``relaxation`` experiment (reads only its dataset)."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from matplotlib.figure import Figure


OBSERVABLES = ("kinetic_energy", "pressure", "n_left")
TAIL = 0.25  # the plateau is the last quarter of a run


def pooled_rel_sd(samples: np.ndarray) -> tuple[float, float]:
    """(sd / mean over all samples, jackknife error over replicas) of an (R, S) array.

    Pooling time samples of R independent replicas gives the total (within plus
    between replicas) variance; leaving out one replica at a time gives its error
    whatever the time correlation inside a replica.
    """
    x = np.asarray(samples, dtype=np.float64)
    rel = float(x.std(ddof=1) / x.mean())
    r = x.shape[0]
    loo = np.array([np.delete(x, i, axis=0).std(ddof=1) / np.delete(x, i, axis=0).mean() for i in range(r)])
    err = float(np.sqrt((r - 1) / r * np.sum((loo - loo.mean()) ** 2)))
    return rel, err


def fit_exponent(n, y, yerr) -> tuple[float, float, float, float]:
    """Weighted least squares of ln y = a + b ln N: (b, b_err, a, chi2 per dof).

    The error is scaled up by sqrt(chi2/dof) when the scatter exceeds the error bars.
    """
    lx = np.log(np.asarray(n, dtype=np.float64))
    ly = np.log(np.asarray(y, dtype=np.float64))
    sig = np.asarray(yerr, dtype=np.float64) / np.asarray(y, dtype=np.float64)
    sig = np.where(sig > 0, sig, np.nanmax(sig) if np.any(sig > 0) else 1.0)
    w = 1.0 / sig**2
    a_mat = np.stack([np.ones_like(lx), lx], axis=1)
    cov = np.linalg.inv(a_mat.T @ (w[:, None] * a_mat))
    coef = cov @ (a_mat.T @ (w * ly))
    dof = max(1, lx.size - 2)
    chi2 = float(np.sum(w * (ly - a_mat @ coef) ** 2) / dof)
    err = math.sqrt(cov[1, 1]) * max(1.0, math.sqrt(chi2))
    return float(coef[1]), err, float(coef[0]), chi2


def relaxation_time(t, y) -> float:
    """First time at which |y - y_plateau| <= |y(0) - y_plateau| / e (NaN if never).

    y_plateau is the mean over the last quarter of the run.
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    k = max(1, int(round(TAIL * y.size)))
    y_inf = float(np.mean(y[-k:]))
    d0 = abs(y[0] - y_inf)
    hit = np.flatnonzero(np.abs(y - y_inf) <= d0 / math.e)
    return float(t[hit[0]]) if hit.size else float("nan")


def _tail(y: np.ndarray) -> np.ndarray:
    k = max(2, int(round(TAIL * y.shape[0])))
    return y[-k:]


def judge(ds: xr.Dataset, c: dict, z_max: float) -> tuple[dict, dict, list]:
    """Measured and expected numbers and the list of checks (True/False/None)."""
    m: dict[str, float] = {}
    e: dict[str, float] = {}
    checks: list = []
    n, dim = c["n_particles"], c["dimension"]
    ex = ds.sel(process="expansion")
    t = ex["time"].values
    s = ex["spatial_entropy"].values
    s_tail = _tail(s)
    m_cells = c["n_cells"] ** dim
    m["expansion_entropy_start"] = float(s[0])
    m["expansion_entropy_plateau"] = float(s_tail.mean())
    e["expansion_entropy_plateau"] = math.log(m_cells)
    m["expansion_tau_entropy"] = relaxation_time(t, s)
    m["expansion_tau_left_fraction"] = relaxation_time(t, ex["left_fraction"].values)
    # plateau = ln M up to the frame-to-frame sd and the Miller-Madow over-correction of a
    # sub-Poissonian fluid, at most (M - 1) / (2 N)
    sd = float(s_tail.std(ddof=1))
    checks.append(abs(s_tail.mean() - math.log(m_cells)) < (m_cells - 1) / (2 * n) + z_max * max(sd, 1e-3)
                  and s_tail.mean() - s[0] > z_max * max(sd, 1e-3))
    # flat density and vanishing flow at the last frame: Poisson-level scatter per slab
    nbar = n / c["n_bins"]
    counts = ex["density"].values[-1] / ex["density"].values[-1].mean() * nbar
    m["expansion_density_max_abs_z"] = float(np.max(np.abs(counts - nbar)) / math.sqrt(nbar))
    flow = ex["flow_x"].values[-1]
    m["expansion_flow_max_abs_z"] = float(np.nanmax(np.abs(flow)) / math.sqrt(c["kT"] / nbar))
    e["expansion_density_max_abs_z"] = e["expansion_flow_max_abs_z"] = z_max + 0.5
    checks.append(m["expansion_density_max_abs_z"] < z_max + 0.5)  # +0.5: max over n_bins slabs
    checks.append(m["expansion_flow_max_abs_z"] < z_max + 0.5)

    co = ds.sel(process="contact")
    tc = co["time"].values
    dT = co["kT_left"].values - co["kT_right"].values
    m["contact_dT_start"] = float(dT[0])
    m["contact_dT_plateau"] = float(_tail(dT).mean())
    m["contact_tau_temperature"] = relaxation_time(tc, dT)
    sd_dT = float(_tail(dT).std(ddof=1))
    checks.append(abs(_tail(dT).mean()) < max(0.1 * abs(dT[0]), z_max * sd_dT))
    h = co["h_function"].values
    t_final = float(co["kT_final"])
    h_ref = float(co["h_reference"])  # Maxwell samples of the same N, bins and correction
    m["contact_h_start"] = float(h[0])
    m["contact_h_plateau"] = float(_tail(h).mean())
    e["contact_h_plateau"] = h_ref
    m["contact_tau_h"] = relaxation_time(tc, h)
    m["contact_kT_final"] = t_final
    h_sd = math.sqrt(dim / (2.0 * n))  # sd of a plug-in entropy from n samples, sqrt(var ln f / n)
    checks.append(h[0] - _tail(h).mean() > z_max * h_sd and abs(_tail(h).mean() - h_ref) < z_max * h_sd)
    tprof = np.nanmean(_tail(co["temperature_profile"].values), axis=0)
    rel = np.nanmax(np.abs(tprof / np.nanmean(tprof) - 1.0))
    m["contact_temperature_profile_max_rel_dev"] = float(rel)
    e["contact_temperature_profile_max_rel_dev"] = z_max * math.sqrt(2.0 / (dim * nbar))
    checks.append(rel < e["contact_temperature_profile_max_rel_dev"])

    e_tot = ds["kinetic_energy"].values + ds["potential_energy"].values
    m["energy_drift_per_particle"] = float(np.abs(e_tot - e_tot[:, :1]).max() / n)  # Verlet O(dt^2)
    sizes = ds["n_particles"].values
    for name in OBSERVABLES:
        y = ds["rel_sd"].sel(observable=name).values
        yerr = ds["rel_sd_err"].sel(observable=name).values
        if sizes.size < 3:
            checks.append(None)
            continue
        b, b_err, _, chi2 = fit_exponent(sizes, y, yerr)
        m[f"exponent_{name}"] = b
        m[f"exponent_{name}_err"] = b_err
        e[f"exponent_{name}"] = -0.5
        checks.append(None if b_err > 0.1 else abs(b + 0.5) < z_max * b_err)
    return m, e, checks


def plot_relaxation(ds: xr.Dataset, c: dict) -> Figure:
    """3 x 3 panels: expansion snapshots coloured by speed; density and temperature
    profiles; S(t) and left fraction; H(t); half temperatures; the N^-1/2 plot."""
    fig = Figure(figsize=(13.0, 11.0), layout="constrained")
    ax = fig.subplots(3, 3)
    ex = ds.sel(process="expansion")
    co = ds.sel(process="contact")
    snaps = ds["snapshot"].values
    t = ex["time"].values
    for j, k in enumerate([0, 1, len(snaps) - 1]):  # start, mid-expansion, end
        a = ax[0, j]
        pos = ex["snapshot_positions"].values[k]
        sp = ex["snapshot_speed"].values[k]
        sc = a.scatter(pos[:, 0], pos[:, 1], c=sp, s=max(0.3, 3000.0 / pos.shape[0]), cmap="viridis",
                       vmin=0, vmax=3 * math.sqrt(c["kT"]), linewidths=0)
        a.set(title=f"free expansion, t = {t[snaps[k]]:.1f} tau", xlabel="x [sigma]", ylabel="y [sigma]",
              aspect="equal")
    fig.colorbar(sc, ax=ax[0, 2], label="speed [sigma/tau]")
    x = ds["x_bin"].values
    frames = np.unique(np.linspace(0, ex.sizes["frame"] - 1, 5).round().astype(int))
    for f in frames:
        ax[1, 0].plot(x, ex["density"].values[f], label=f"t = {t[f]:.0f}")
        ax[1, 1].plot(x, co["temperature_profile"].values[f], label=f"t = {co['time'].values[f]:.0f}")
    ax[1, 0].set(xlabel="x / L_x", ylabel="density [sigma^-d]", title="expansion: density profiles")
    ax[1, 1].set(xlabel="x / L_x", ylabel="kT [epsilon]", title="thermal contact: temperature profiles")
    ax[1, 0].legend(fontsize=7)
    ax[1, 1].legend(fontsize=7)
    a = ax[1, 2]
    m_cells = c["n_cells"] ** c["dimension"]
    a.plot(t, ex["spatial_entropy"].values, label="spatial entropy S(t)")
    a.axhline(math.log(m_cells), color="k", ls=":", lw=0.8, label="ln(cells)")
    a.set(xlabel="t [tau]", ylabel="S [k_B]", title="expansion: coarse-grained entropy")
    a2 = a.twinx()
    a2.plot(t, ex["left_fraction"].values, color="C3", lw=0.8)
    a2.set_ylabel("left-half fraction", color="C3")
    a.legend(fontsize=7, loc="center right")
    a = ax[2, 0]
    tc = co["time"].values
    a.plot(tc, co["h_function"].values, label="thermal contact")
    a.plot(t, ex["h_function"].values, label="free expansion")
    a.axhline(float(co["h_reference"]), color="C0", ls=":", lw=0.8, label="Maxwell, final kT (same N, bins)")
    a.axhline(float(ex["h_reference"]), color="C1", ls=":", lw=0.8)
    a.set(xlabel="t [tau]", ylabel="H [-d ln(sigma/tau)]", title="Boltzmann H(t) (Miller-Madow)")
    a.legend(fontsize=7)
    a = ax[2, 1]
    a.plot(tc, co["kT_left"].values, label="left half")
    a.plot(tc, co["kT_right"].values, label="right half")
    a.set(xlabel="t [tau]", ylabel="kT [epsilon]", title="thermal contact: half temperatures")
    a.legend(fontsize=7)
    a = ax[2, 2]
    n = ds["n_particles"].values
    for name in OBSERVABLES:
        y = ds["rel_sd"].sel(observable=name).values
        yerr = ds["rel_sd_err"].sel(observable=name).values
        line = a.errorbar(n, y, yerr=yerr, fmt="o", ms=4, label=name)
        if n.size >= 3:
            b, b_err, a0, _ = fit_exponent(n, y, yerr)
            a.plot(n, np.exp(a0) * n**b, color=line[0].get_color(), lw=0.8,
                   label=f"  slope {b:.3f} ± {b_err:.3f}")
    a.set(xscale="log", yscale="log", xlabel="N", ylabel="relative sd", title="equilibrium fluctuations vs N^-1/2")
    a.legend(fontsize=7)
    return fig
