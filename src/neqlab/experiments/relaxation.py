"""Experiment ``relaxation`` (essay §1): an isolated gas relaxes to equilibrium.

Two isolated WCA gases (walls at x = 0 and L_x, periodic in the other axes), run by
velocity Verlet: (a) free expansion, every particle equilibrated in the left fraction
``fill`` of the box and released; (b) thermal contact, the left half at ``kT_hot``
and the right half at ``kT_cold``. Recorded per frame: density, temperature and flow
profiles along x, Boltzmann's H of the velocity distribution, the spatial
coarse-grained entropy (``n_cells`` per axis, Miller-Madow corrected), the
left-half fraction and the temperatures of the two halves. Then, at equilibrium
(periodic box, random start), an N sweep through ``runner.map``: relative
fluctuations of the kinetic energy (the kinetic/potential partition of the conserved
energy), the virial pressure and the left-half particle number, pooled over time and
``n_replicas`` replicas, against N; the exponent of a weighted log-log fit.
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
from neqlab.experiments._legacy import Verdict, config_of
from neqlab.experiments._relaxation_analysis import OBSERVABLES, judge, plot_relaxation, pooled_rel_sd
from neqlab.models.gas import (Params, advance, confined_gas, equilibrate, random_gas,
                               thermal_contact_gas)
from neqlab.observables import entropy, thermo
from neqlab.runner import Runner

NAME = "relaxation"
SECTION = "§1 What is nonequilibrium"
CLAIM = (
    "An isolated gas prepared out of equilibrium relaxes: profiles flatten, flows vanish, "
    "the entropy rises to a plateau; at equilibrium the relative fluctuations of "
    "macroscopic quantities scale as N^-1/2."
)
Z_MAX = 4.0


@dataclass(frozen=True)
class Config(ConfigBase):
    """Parameters of the relaxation experiment (reduced units)."""

    experiment: ClassVar[str] = NAME
    dimension: int = param(2, choices=(2, 3), doc="space dimension")
    n_particles: int = param(2500, lo=50, hi=10**6, doc="particles in the relaxation runs")
    density: float = param(0.3, lo=0.01, hi=0.7, unit="length^-dim", doc="mean number density")
    kT: float = param(1.0, lo=0.05, hi=10.0, unit="energy", doc="temperature of the free-expansion gas and of the sweep")
    kT_hot: float = param(3.0, lo=0.05, hi=10.0, unit="energy", doc="initial temperature of the left half (thermal contact)")
    kT_cold: float = param(0.3, lo=0.05, hi=10.0, unit="energy", doc="initial temperature of the right half (thermal contact)")
    fill: float = param(0.5, lo=0.2, hi=0.9, doc="free expansion: initial fraction of the box length occupied")
    aspect: float = param(0.25, lo=0.05, hi=10.0, doc="box length L_x / L_y (and / L_z); short L_x relaxes fast")
    t_expansion: float = param(100.0, lo=1.0, hi=1e5, unit="time", doc="duration of the free-expansion run")
    t_contact: float = param(400.0, lo=1.0, hi=1e5, unit="time", doc="duration of the thermal-contact run")
    t_equilibrate: float = param(5.0, lo=0.0, hi=1e4, unit="time", doc="rescaled equilibration before each run")
    n_frames: int = param(100, lo=8, hi=10**5, doc="recorded frames per run")
    n_bins: int = param(20, lo=2, hi=1000, doc="profile slabs along x")
    n_cells: int = param(8, lo=2, hi=100, doc="spatial-entropy cells per axis")
    sweep_sizes: tuple[int, ...] = param((500, 2000, 8000, 32000, 100000), lo=50, hi=10**6, doc="N of the fluctuation sweep")
    n_replicas: int = param(12, lo=2, hi=10**4, doc="replicas per N in the sweep")
    sweep_density: float = param(0.3, lo=0.01, hi=0.7, unit="length^-dim", doc="density of the sweep")
    t_sample: float = param(4.0, lo=0.1, hi=1e4, unit="time", doc="sampling time per sweep replica")
    n_samples: int = param(20, lo=2, hi=10**5, doc="samples per sweep replica")
    dt: float = param(0.002, lo=1e-5, hi=0.01, unit="time", doc="time step")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")


SMALL = Config(n_particles=300, density=0.4, t_expansion=8.0, t_contact=8.0, t_equilibrate=0.5,
               n_frames=16, n_bins=6, n_cells=4, sweep_sizes=(100, 200, 400), n_replicas=3,
               t_sample=0.5, n_samples=4, dt=0.002)
SCALES = {
    "quick": Config(n_particles=1000, density=0.4, t_expansion=60.0, t_contact=150.0,
                    t_equilibrate=2.0, n_frames=60, n_bins=16, n_cells=8,
                    sweep_sizes=(200, 400, 800, 1600, 3200, 6400), n_replicas=24, t_sample=3.0,
                    n_samples=15, dt=0.003),
    "default": Config(),
    "full": Config(n_particles=20000, aspect=0.1, t_expansion=300.0, t_contact=2000.0, n_frames=200,
                   sweep_sizes=(1000, 4000, 16000, 64000, 256000), n_replicas=16,
                   t_sample=10.0, n_samples=40),
}


def _periodic(dim: int) -> tuple[bool, ...]:
    return (False,) + (True,) * (dim - 1)


def _aspect(c: Config) -> tuple[float, ...]:
    return (c.aspect,) + (1.0,) * (c.dimension - 1)


def _half_temperatures(s) -> tuple[float, float]:
    v = np.asarray(s.velocities, dtype=np.float64)
    left = np.asarray(s.positions)[:, 0] < 0.5 * float(s.box[0])
    out = []
    for m in (left, ~left):
        k = int(m.sum())
        out.append(float(np.sum(v[m] ** 2) / (s.dim * (k - 1))) if k > 1 else float("nan"))
    return out[0], out[1]


def _kT_final(rec: dict, c: Config) -> float:
    """Kinetic temperature over the last quarter of a run (walls: dim N - (dim - 1) dof)."""
    k = rec["kinetic_energy"]
    tail = k[-max(2, len(k) // 4):]
    return float(2.0 * np.mean(tail) / (c.dimension * c.n_particles - (c.dimension - 1)))


# -- tasks (top level, picklable: run through the runner) -----------------------------
def _relax_task(process: str, *, config_json: str) -> dict[str, np.ndarray]:
    c = Config.from_json(config_json)
    p = Params(dt=c.dt)
    kw = dict(seed=c.seed, aspect=_aspect(c), periodic=_periodic(c.dimension), t_eq=c.t_equilibrate, params=p)
    if process == "expansion":
        s = confined_gas(c.n_particles, c.density, c.kT, c.dimension, fill=c.fill, replica=0, **kw)
        t_total = c.t_expansion
    else:
        s = thermal_contact_gas(c.n_particles, c.density, c.kT_hot, c.kT_cold, c.dimension, replica=1, **kw)
        t_total = c.t_contact
    stride = max(1, int(round(t_total / c.n_frames / c.dt)))
    snap_frames = snapshot_frames(c.n_frames)
    v_max = 7.0 * math.sqrt(max(c.kT, c.kT_hot, c.kT_cold))
    h_bin = h_bin_width(c, process)
    rec: dict[str, list] = {k: [] for k in ("density", "temperature_profile", "flow_x", "h_function",
                                            "spatial_entropy", "left_fraction", "kT_left", "kT_right",
                                            "kinetic_energy", "potential_energy", "time")}
    snaps_x, snaps_v = [], []
    for frame in range(c.n_frames + 1):
        if frame:
            s = advance(s, p, stride)
        rec["density"].append(thermo.density_profile(s, c.n_bins)[1])
        rec["temperature_profile"].append(thermo.temperature_profile(s, c.n_bins)[1])
        rec["flow_x"].append(thermo.flow_profile(s, c.n_bins)[1][:, 0])
        rec["h_function"].append(entropy.h_function(s.velocities, bin_width=h_bin, v_max=v_max,
                                                     miller_madow=True))
        rec["spatial_entropy"].append(entropy.spatial_entropy(s.positions, s.box, c.n_cells, miller_madow=True))
        rec["left_fraction"].append(entropy.half_fraction(s.positions, s.box))
        tl, tr = _half_temperatures(s)
        rec["kT_left"].append(tl)
        rec["kT_right"].append(tr)
        rec["kinetic_energy"].append(thermo.kinetic_energy(s))
        rec["potential_energy"].append(thermo.potential_energy(s, p))
        rec["time"].append(frame * stride * c.dt)
        if frame in snap_frames:
            snaps_x.append(np.asarray(s.positions, dtype=np.float32))
            snaps_v.append(np.linalg.norm(np.asarray(s.velocities, dtype=np.float32), axis=1))
    out = {k: np.asarray(v) for k, v in rec.items()}
    out["snapshot_positions"] = np.stack(snaps_x)
    out["snapshot_speed"] = np.stack(snaps_v)
    return out


def _fluctuation_task(item: tuple[int, int], *, config_json: str) -> dict[str, np.ndarray]:
    """One equilibrium replica of size N: time series of K, P and the left-half count."""
    n, replica = item
    c = Config.from_json(config_json)
    p = Params(dt=c.dt)
    # replica id unique per (N, replica): independent streams for every sweep member
    s = random_gas(n, c.sweep_density, c.kT, c.dimension, seed=c.seed, replica=1 + n * 10_000 + replica,
                   aspect=_aspect(c))
    s = equilibrate(s, p, c.kT, min(c.t_equilibrate, 1.0))  # local structure only: ~1 tau
    stride = max(1, int(round(c.t_sample / c.n_samples / c.dt)))
    k, pr, nl = [], [], []
    for _ in range(c.n_samples):
        s = advance(s, p, stride)
        k.append(thermo.kinetic_energy(s))
        pr.append(thermo.pressure(s, p))
        nl.append(entropy.half_fraction(s.positions, s.box) * n)
    return {"kinetic_energy": np.array(k), "pressure": np.array(pr), "n_left": np.array(nl)}


def h_bin_width(c: Config, process: str) -> float:
    """Velocity bin of H [sigma/tau]: sqrt(kT)/2 at the run's mean temperature.

    Coarse enough that N = 1000..20000 particles fill the occupied bins well (the
    Miller-Madow correction is then accurate); the binning itself lowers H by
    dim * bin^2 / (24 kT) = 1 % of |H|, the same for the reference below.
    """
    kT = c.kT if process == "expansion" else 0.5 * (c.kT_hot + c.kT_cold)
    return 0.5 * math.sqrt(kT)


def h_reference(c: Config, process: str, kT_final: float, n_draws: int = 20) -> float:
    """Mean H of n_draws Maxwell samples of N velocities at kT_final, same bins and
    correction as the run: the plateau the estimator should reach, bias included."""
    rng = replica_rng(c.seed, 0, Stream.RELAXATION_H_REFERENCE)
    v_max = 7.0 * math.sqrt(max(c.kT, c.kT_hot, c.kT_cold))
    vals = [entropy.h_function(rng.normal(scale=math.sqrt(kT_final), size=(c.n_particles, c.dimension)),
                               bin_width=h_bin_width(c, process), v_max=v_max, miller_madow=True)
            for _ in range(n_draws)]
    return float(np.mean(vals))


def snapshot_frames(n_frames: int) -> list[int]:
    """Frames kept as particle snapshots: start, early, middle, end."""
    return sorted({0, max(1, n_frames // 10), n_frames // 3, n_frames})


def run(config: Config, *, runner: Runner | None = None) -> xr.Dataset:
    """Run both relaxation processes and the fluctuation sweep; return the dataset."""
    runner = runner or Runner(progress=False)
    c = config
    key = c.to_json()
    processes = ["expansion", "contact"]
    rel = runner.map(functools.partial(_relax_task, config_json=key), processes, name="relaxation",
                     key=key, label="relaxation runs")
    sizes = sorted(set(c.sweep_sizes))
    items = [(n, r) for n in sizes for r in range(c.n_replicas)]
    fl = runner.map(functools.partial(_fluctuation_task, config_json=key), items, name="fluctuations",
                    key=key, label="fluctuation sweep")
    rel_sd = np.empty((len(OBSERVABLES), len(sizes)))
    rel_err = np.empty_like(rel_sd)
    for j, n in enumerate(sizes):
        block = [fl[i] for i, it in enumerate(items) if it[0] == n]
        for o, name in enumerate(OBSERVABLES):
            rel_sd[o, j], rel_err[o, j] = pooled_rel_sd(np.stack([b[name] for b in block]))
    frames = snapshot_frames(c.n_frames)
    x_bin = (np.arange(c.n_bins) + 0.5) / c.n_bins
    prof = ("process", "frame", "x_bin")
    ser = ("process", "frame")
    ds = xr.Dataset(
        {name: (prof, np.stack([r[name] for r in rel])) for name in ("density", "temperature_profile", "flow_x")}
        | {name: (ser, np.stack([r[name] for r in rel])) for name in
           ("h_function", "spatial_entropy", "left_fraction", "kT_left", "kT_right", "kinetic_energy",
            "potential_energy", "time")}
        | {
            "snapshot_positions": (("process", "snapshot", "particle", "axis"),
                                   np.stack([r["snapshot_positions"] for r in rel])),
            "snapshot_speed": (("process", "snapshot", "particle"), np.stack([r["snapshot_speed"] for r in rel])),
            "h_reference": (("process",), np.array([h_reference(c, pr, _kT_final(r, c)) for pr, r in
                                                    zip(processes, rel)])),
            "kT_final": (("process",), np.array([_kT_final(r, c) for r in rel])),
            "rel_sd": (("observable", "n_particles"), rel_sd),
            "rel_sd_err": (("observable", "n_particles"), rel_err),
        },
        coords={"process": processes, "frame": np.arange(c.n_frames + 1), "x_bin": x_bin,
                "snapshot": np.asarray(frames), "n_particles": np.asarray(sizes, dtype=np.int64),
                "observable": list(OBSERVABLES)},
    )
    ds["time"].attrs = {"long_name": "time since release", "units": "tau"}
    ds["x_bin"].attrs = {"long_name": "slab centre x / L_x", "units": "1"}
    ds["density"].attrs = {"long_name": "number density", "units": "sigma^-dim"}
    ds["temperature_profile"].attrs = {"long_name": "local kinetic temperature", "units": "epsilon"}
    ds["h_function"].attrs = {"long_name": "Boltzmann H (Miller-Madow corrected)", "units": "-dim ln(sigma/tau)"}
    ds["spatial_entropy"].attrs = {"long_name": "coarse-grained spatial entropy (Miller-Madow)", "units": "k_B"}
    ds["rel_sd"].attrs = {"long_name": "relative standard deviation at equilibrium", "units": "1"}
    return ds


def verdict(ds: xr.Dataset) -> Verdict:
    """Entropy rise to the plateau, flat profiles, equal halves, N^-1/2 exponents."""
    measured, expected, checks = judge(ds, config_of(ds), Z_MAX)
    holds = False if False in checks else (None if None in checks else True)
    c = config_of(ds)
    conditions = (
        f"{c['dimension']}D WCA, N={c['n_particles']}, density {c['density']}, walls in x; expansion from "
        f"fill={c['fill']} for {c['t_expansion']} tau; contact kT {c['kT_hot']}/{c['kT_cold']} for "
        f"{c['t_contact']} tau; sweep N={list(c['sweep_sizes'])} x {c['n_replicas']} replicas at density "
        f"{c['sweep_density']}; checks at |z| < {Z_MAX:g}; seed={c['seed']}"
    )
    return Verdict(NAME, CLAIM, holds, measured, expected, conditions)


def plot(ds: xr.Dataset):
    """Snapshots coloured by speed, profiles, H(t), S(t), T halves, the N^-1/2 plot."""
    return plot_relaxation(ds, config_of(ds))
