"""Experiment `liouville` (essay §4): phase volume and the fine-grained Gibbs entropy.

A region of phase space is followed two ways in each *case* (a map, or a flow with one
integrator): its boundary, a closed curve refined where neighbours separate (new points
evolved from the initial curve), whose enclosed area comes from the shoelace formula;
and a cloud of ``n_points`` points, whose fine-grained Gibbs entropy -<ln rho> is
estimated from k-nearest-neighbour distances (Kozachenko-Leonenko; for the Gaussian
ensemble of the oscillator, exactly from the covariance, 1/2 ln det(2 pi e Sigma)).
Symplectic maps and integrators keep both constant; explicit Euler (det J = 1 + h^2
per step on the oscillator), RK4 (1 - h^6/72 + h^8/576) and the dissipative Henon map
(|det J| = b) change them. The Boltzmann entropy ln(area/h) is reported with h a
parameter. Records after the boundary ran out of vertices are NaN (``resolved`` = 0).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import xarray as xr

from neqlab.core.config import ConfigBase, param
from neqlab.core.rng import Stream, replica_rng
from neqlab.experiments._legacy import Verdict
from neqlab.models.flows import Flow, HarmonicOscillator, Pendulum
from neqlab.models.maps import CatMap, HenonMap, StandardMap
from neqlab.observables.phase_volume import (
    boundary_area, boundary_start, boundary_step, gaussian_entropy, knn_entropy,
)

NAME = "liouville"
SECTION = "§4 The origin of irreversibility"
CLAIM = (
    "Hamiltonian dynamics conserves phase-space volume (Liouville), so the fine-grained "
    "Gibbs entropy of an ensemble stays constant; only non-symplectic dynamics changes it."
)

CASES = (
    "cat", "standard", "henon",
    "pendulum/leapfrog", "pendulum/yoshida4", "pendulum/rk4", "pendulum/euler",
    "oscillator/leapfrog", "oscillator/yoshida4", "oscillator/rk4", "oscillator/euler",
)
SYMPLECTIC = ("cat", "standard", "pendulum/leapfrog", "pendulum/yoshida4", "oscillator/leapfrog", "oscillator/yoshida4")
AREA_TOL = 1e-10  # the acceptance: relative area change while resolved
N_PLOT = 4000  # cloud points kept per snapshot for the figure
N_SNAP = 4


@dataclass(frozen=True)
class Config(ConfigBase):
    experiment: ClassVar[str] = NAME
    k: float = param(1.5, lo=0.0, hi=100.0, doc="standard-map kick strength K [dimensionless]")
    n_map_steps: int = param(10, lo=1, hi=200, unit="steps", doc="map iterations")
    n_flow_steps: int = param(500, lo=1, hi=100_000, unit="steps", doc="integrator steps of the flows")
    dt: float = param(0.1, lo=0.0, hi=1.0, lo_open=True, unit="time", doc="integrator step h")
    n_records: int = param(8, lo=1, hi=200, doc="records over the run (each case)")
    n_points: int = param(1_000_000, lo=100, hi=20_000_000, doc="points in each cloud")
    n_vertices: int = param(256, lo=16, hi=100_000, doc="initial boundary vertices")
    max_vertices: int = param(300_000, lo=100, hi=20_000_000, doc="boundary resolved while below this")
    max_segment: float = param(0.02, lo=0.0, hi=10.0, lo_open=True, unit="phase length", doc="refine longer segments")
    max_sagitta: float = param(1e-6, lo=0.0, hi=1.0, lo_open=True, unit="phase length", doc="refine more bent segments")
    h: float = param(1e-3, lo=0.0, hi=1e3, lo_open=True, unit="action", doc="Planck cell in S_B = ln(area/h)")
    knn_k: int = param(4, lo=1, hi=64, doc="neighbour order of the Gibbs entropy estimate")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")


SMALL = Config(n_map_steps=4, n_flow_steps=40, n_records=4, n_points=5_000, max_vertices=20_000)
SCALES = {
    "quick": Config(n_map_steps=8, n_flow_steps=300, n_records=6, n_points=100_000, max_vertices=100_000),
    "default": Config(),
    "full": Config(n_map_steps=14, n_flow_steps=2000, n_records=20, n_points=4_000_000, max_vertices=3_000_000),
}


def _disc(c, r):
    def curve(s):
        a = 2.0 * np.pi * np.asarray(s)
        return np.stack([c[0] + r * np.cos(a), c[1] + r * np.sin(a)], axis=1)
    return curve


def _setup(case: str, cfg: Config):
    """(model, boundary curve, n_steps, torus period or None, gaussian cloud?) of a case."""
    if case == "cat":
        return CatMap(), _disc((0.5, 0.5), 0.1), cfg.n_map_steps, 1.0, False
    if case == "standard":
        return StandardMap(k=cfg.k), _disc((0.5, 1.0), 0.3), cfg.n_map_steps, 2 * math.pi, False
    if case == "henon":
        return HenonMap(), _disc((0.1, 0.1), 0.05), cfg.n_map_steps, None, False
    system, integ = case.split("/")
    if system == "pendulum":
        # librating region (energies 0.02-1.1 < 2): sheared, never near the separatrix
        return Flow(Pendulum(), integ, cfg.dt), _disc((1.0, 0.0), 0.6), cfg.n_flow_steps, None, False
    return Flow(HarmonicOscillator(), integ, cfg.dt), _disc((0.0, 0.0), 1.0), cfg.n_flow_steps, None, True


def _cloud(curve, n, gaussian, rng):
    if gaussian:  # N(0, 0.25 diag(1, 0.5)): the Gaussian ensemble of the oscillator
        return rng.normal(size=(n, 2)) * np.array([0.5, 0.5 * math.sqrt(0.5)])
    c = curve(np.array([0.0, 0.5])).mean(axis=0)
    r = 0.5 * np.linalg.norm(curve(np.array([0.0]))[0] - curve(np.array([0.5]))[0])
    rad = r * np.sqrt(rng.random(n))
    ang = 2 * np.pi * rng.random(n)
    return np.stack([c[0] + rad * np.cos(ang), c[1] + rad * np.sin(ang)], axis=1)


def _run_case(case_index: int, cfg: Config) -> dict[str, np.ndarray]:
    case = CASES[case_index]
    model, curve, n_steps, period, gaussian = _setup(case, cfg)
    rng = replica_rng(cfg.seed, 0, Stream.LIOUVILLE_CLOUD, sub=case_index)
    cloud = _cloud(curve, cfg.n_points, gaussian, rng)
    if period:
        cloud = np.mod(cloud, period)
    ref = dict(max_segment=cfg.max_segment * (period or 1.0), max_sagitta=cfg.max_sagitta, max_vertices=cfg.max_vertices)
    b = boundary_step(boundary_start(curve, cfg.n_vertices), model, curve, 0, **ref)
    edges = np.unique(np.round(np.linspace(0, n_steps, cfg.n_records + 1)).astype(int))
    edges = np.pad(edges, (0, cfg.n_records + 1 - edges.size), mode="edge")
    snaps = set(np.round(np.linspace(0, cfg.n_records, N_SNAP)).astype(int).tolist())
    keys = ("t", "area", "n_vertices", "resolved", "gibbs_entropy", "gibbs_entropy_sub")
    out = {k: np.full(cfg.n_records + 1, np.nan) for k in keys}
    snap = np.full((N_SNAP, N_PLOT, 2), np.nan)
    done, si = 0, 0
    for r, e in enumerate(edges):
        if e > done:
            b = boundary_step(b, model, curve, int(e - done), **ref)
            cloud = model.step(cloud, int(e - done))
            done = int(e)
        out["t"][r] = done * model.time_per_step
        out["n_vertices"][r] = b.n_vertices
        out["resolved"][r] = float(b.resolved)
        out["area"][r] = abs(boundary_area(b)) if b.resolved else np.nan
        if gaussian:
            out["gibbs_entropy"][r] = gaussian_entropy(np.cov(cloud.T))
            out["gibbs_entropy_sub"][r] = gaussian_entropy(np.cov(cloud[::8].T))
        else:
            # the same estimator on every 8th point: a drift that grows as N shrinks is the
            # estimator losing resolution on thin filaments, not a change of the entropy
            out["gibbs_entropy"][r] = knn_entropy(cloud, k=cfg.knn_k, period=period)
            out["gibbs_entropy_sub"][r] = knn_entropy(cloud[::8], k=cfg.knn_k, period=period)
        if r in snaps:
            snap[si, : min(N_PLOT, cloud.shape[0])] = cloud[:N_PLOT]
            si += 1
    out["snapshot"] = snap
    out["period"] = np.array(np.nan if period is None else period)
    out["det_per_step"] = np.array(float(np.linalg.det(model.jacobian(cloud[:1]))[0]))
    return out


def run(config: Config, *, runner=None) -> xr.Dataset:
    from neqlab.runner import Runner

    runner = runner or Runner(progress=False)
    res = runner.map(functools.partial(_run_case, cfg=config), list(range(len(CASES))), name=NAME, key=config.to_json())
    stack = {k: np.stack([r[k] for r in res]) for k in res[0]}
    rec = ("case", "record")
    ds = xr.Dataset(
        {
            "t": (rec, stack["t"], {"units": "time (map steps or integrator time)"}),
            "area": (rec, stack["area"], {"units": "action", "long_name": "area enclosed by the boundary"}),
            "area_rel_change": (rec, stack["area"] / stack["area"][:, :1] - 1.0),
            "n_vertices": (rec, stack["n_vertices"]),
            "resolved": (rec, stack["resolved"]),
            "gibbs_entropy": (rec, stack["gibbs_entropy"], {"long_name": "fine-grained Gibbs entropy -<ln rho>"}),
            "gibbs_entropy_sub": (rec, stack["gibbs_entropy_sub"], {"long_name": "the same from every 8th point"}),
            "boltzmann_entropy": (rec, np.log(stack["area"]) - math.log(config.h)),
            "det_per_step": ("case", stack["det_per_step"]),
            "period": ("case", stack["period"]),
            "snapshot": (("case", "snap", "point", "axis"), stack["snapshot"]),
        },
        coords={"case": list(CASES), "record": np.arange(config.n_records + 1), "is_symplectic": ("case", [c in SYMPLECTIC for c in CASES])},
    )
    ds.attrs.update({"area_tol": AREA_TOL, "h": config.h, "n_points": config.n_points, "dt": config.dt})
    return ds


def _summary(ds: xr.Dataset) -> dict[str, float]:
    rel = ds["area_rel_change"]
    symp = rel.sel(case=[c for c in CASES if c in SYMPLECTIC])
    oscar = {}
    n_osc = ds["t"].sel(case="oscillator/euler").values[-1] / ds.attrs["dt"]
    for integ in ("euler", "rk4"):
        det = float(ds["det_per_step"].sel(case=f"oscillator/{integ}"))
        meas = float(rel.sel(case=f"oscillator/{integ}").values[-1]) + 1.0
        oscar[f"oscillator_{integ}_area_ratio"] = meas
        oscar[f"oscillator_{integ}_exact_ratio"] = det ** n_osc
    g = ds["gibbs_entropy"]
    return {
        "max_rel_area_change_symplectic": float(np.nanmax(np.abs(symp.values))),
        "resolved_records_symplectic": float(np.isfinite(symp.values).sum()),
        "pendulum_euler_rel_area_change": float(np.nanmax(np.abs(rel.sel(case="pendulum/euler").values))),
        "pendulum_rk4_rel_area_change": float(np.nanmax(np.abs(rel.sel(case="pendulum/rk4").values))),
        "henon_area_ratio_per_step": _ratio_per_step(ds, "henon"),
        "gibbs_drift_oscillator_leapfrog": float(np.ptp(g.sel(case="oscillator/leapfrog").values)),
        "gibbs_drift_oscillator_euler": float(g.sel(case="oscillator/euler").values[-1] - g.sel(case="oscillator/euler").values[0]),
        "gibbs_drift_pendulum_leapfrog": float(np.ptp(g.sel(case="pendulum/leapfrog").values)),
        "gibbs_drift_pendulum_leapfrog_sub": float(np.ptp(ds["gibbs_entropy_sub"].sel(case="pendulum/leapfrog").values)),
        "gibbs_drift_standard": float(np.ptp(g.sel(case="standard").values)),
        "gibbs_drift_standard_sub": float(np.ptp(ds["gibbs_entropy_sub"].sel(case="standard").values)),
        **oscar,
    }


def _ratio_per_step(ds: xr.Dataset, case: str) -> float:
    a = ds["area"].sel(case=case).values
    t = ds["t"].sel(case=case).values
    ok = np.flatnonzero(np.isfinite(a) & (t > 0))
    if ok.size == 0:
        return float("nan")
    j = ok[-1]
    return float((a[j] / a[0]) ** (1.0 / t[j]))


def verdict(ds: xr.Dataset) -> Verdict:
    m = _summary(ds)
    tol = float(ds.attrs["area_tol"])
    conserved = m["max_rel_area_change_symplectic"] <= tol and m["resolved_records_symplectic"] > 0
    broken = m["pendulum_euler_rel_area_change"] > 100 * tol and m["pendulum_rk4_rel_area_change"] > 100 * tol
    ok = conserved and broken
    return Verdict(
        experiment=NAME, claim=CLAIM, holds=bool(ok), measured=m,
        expected={"max_rel_area_change_symplectic": tol, "henon_area_ratio_per_step": 0.3,
                  "gibbs_drift_oscillator_leapfrog": 0.0},
        conditions=(
            f"area of boundaries refined while below {int(np.nanmax(ds['n_vertices'].values))} vertices; "
            f"cat map, standard map and leapfrog/Yoshida flows conserve it to "
            f"{m['max_rel_area_change_symplectic']:.1e} (tolerance {tol:g}); Euler changes it by "
            f"{m['pendulum_euler_rel_area_change']:.2g} and RK4 by {m['pendulum_rk4_rel_area_change']:.1e} "
            f"(pendulum); Gibbs entropy from {int(ds.attrs['n_points'])}-point clouds"
        ),
    )


def plot(ds: xr.Dataset):
    """Filamenting region (standard map), area vs time per integrator, Gibbs entropy."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 6.4), layout="constrained")
    axs = fig.subplots(2, 4)
    t = ds["t"]
    std = ds["snapshot"].sel(case="standard").values
    per = float(ds["period"].sel(case="standard"))
    snap_rec = np.round(np.linspace(0, ds.sizes["record"] - 1, N_SNAP)).astype(int)
    for j, ax in enumerate(axs[0]):
        ax.plot(std[j, :, 0], std[j, :, 1], ",", color="C0", alpha=0.6)
        ax.set(xlim=(0, per), ylim=(0, per), xlabel="x [rad]", ylabel="p",
               title=f"standard map K={_cfg(ds, 'k')}, step {int(t.sel(case='standard').values[snap_rec[j]])}")
        ax.set_aspect("equal")
    ax = axs[1, 0]
    for c in ("cat", "standard", "henon"):
        y = np.abs(ds["area_rel_change"].sel(case=c).values[1:])
        ax.semilogy(t.sel(case=c).values[1:], np.maximum(y, 1e-17), "o-", label=c)
    ax.axhline(float(ds.attrs["area_tol"]), color="k", ls="--", lw=0.8, label="tolerance")
    ax.set(xlabel="map step", ylabel="|A(t)/A(0) - 1|", title="maps: area change, until the outline\nis too long to follow")
    ax.legend(fontsize=7)
    for ax, system in ((axs[1, 1], "pendulum"), (axs[1, 2], "oscillator")):
        for integ in ("leapfrog", "yoshida4", "rk4", "euler"):
            c = f"{system}/{integ}"
            y = np.abs(ds["area_rel_change"].sel(case=c).values[1:])
            ax.semilogy(t.sel(case=c).values[1:], np.maximum(y, 1e-17), ".-", label=integ)
        ax.axhline(float(ds.attrs["area_tol"]), color="k", ls="--", lw=0.8)
        ax.set(xlabel=f"time (h = {ds.attrs['dt']:g})", ylabel="|A(t)/A(0) - 1|", title=f"{system}: area by integrator")
        ax.legend(fontsize=7)
    ax = axs[1, 3]
    for i, c in enumerate(("cat", "standard", "pendulum/leapfrog", "pendulum/rk4", "pendulum/euler")):
        for var, ls, lab in (("gibbs_entropy", "-", c), ("gibbs_entropy_sub", ":", None)):
            g = ds[var].sel(case=c)
            ax.plot(t.sel(case=c) / t.sel(case=c).max(), g - g.values[0], ls, color=f"C{i}", marker=".", label=lab)
    ax.set(xlabel="t / t_end", ylabel="S_Gibbs(t) - S_Gibbs(0)",
           title="Gibbs -<ln rho>, kNN: N solid, N/8 dotted")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=7)
    osc = ds["gibbs_entropy"].sel(case="oscillator/euler").values
    axs[1, 2].set_title(f"oscillator (Gaussian S_G: Euler +{osc[-1] - osc[0]:.2f})", fontsize=9)
    return fig


def _cfg(ds: xr.Dataset, key: str):
    import json

    try:
        return json.loads(ds.attrs["config"])[key]
    except (KeyError, ValueError):
        return "?"
