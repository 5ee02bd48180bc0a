"""Experiment ``loschmidt`` (essay §2.3): velocity reversal; why 2500 particles go back and 20000 do not.

Two gases, ``n_particles`` and ``n_particles_large``, at the same density, each run
under two protocols and reversed at time t_r:

* ``expansion``: the gas fills the first ``fill`` of the box (equilibrated behind a
  wall), is released, and every velocity is reversed when the left-half fraction first
  drops below ``f_left_reverse`` (the same macroscopic stage in both boxes, hence a
  longer t_r for the larger box) or at ``t_reverse``. Judged by the coarse-grained
  position entropy (``cells`` per axis, Miller-Madow corrected).
* ``velocity``: a uniform gas whose particles all have the same speed (Orban &
  Bellemans 1967), reversed at the same t_r as the expansion run of its size. Judged
  by Boltzmann's velocity H-function (Miller-Madow corrected; see
  :mod:`neqlab.experiments._loschmidt_run` for the estimators and their bias).

The microscopic return error (rms distance to the mirrored forward state, minimum
image) is recorded against backward time; lambda_max of the gas (two-copy method) and
the fitted error growth give lambda t_r against ln(sigma/eps_eff). A phase map sweeps
N (2D and 3D), t_r, precision and eps through the runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import xarray as xr

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError
from neqlab.experiments import _loschmidt_run as R
from neqlab.experiments._loschmidt_plot import plot  # noqa: F401  (the experiment's plot)
from neqlab.experiments._loschmidt_verdict import verdict  # noqa: F401  (the experiment's verdict)
from neqlab.runner import Runner

NAME = "loschmidt"
SECTION = "§2.3 Loschmidt's paradox"
CLAIM = (
    "Reversing every velocity of a gas whose entropy is rising makes the entropy fall back "
    "for 2500 particles but not for 20000: the reversal restores the low-entropy state in the "
    "small system and not in the large one."
)
PROTOCOLS = ("expansion", "velocity")
EPS_MIN_EXACT = 2.0**-33  # half the lattice spacing of the exact integrator [length]


@dataclass(frozen=True)
class Config(ConfigBase):
    """Parameters of the loschmidt experiment (reduced units: sigma = epsilon = m = k_B = 1)."""

    experiment: ClassVar[str] = NAME
    n_particles: int = param(2500, lo=100, hi=200000, doc="particles of the small system")
    n_particles_large: int = param(20000, lo=0, hi=200000, doc="particles of the large system (0: small one only)")
    dimension: int = param(2, choices=(2, 3), doc="space dimension")
    density: float = param(0.3, lo=0.0, hi=0.8, lo_open=True, unit="length^-dim", doc="mean number density")
    fill: float = param(0.5, lo=0.1, hi=1.0, doc="expansion: fraction of axis 0 occupied at release")
    kT: float = param(1.0, lo=0.0, hi=10.0, lo_open=True, unit="energy", doc="temperature at release")
    t_equilibrate: float = param(10.0, lo=0.0, hi=1000.0, unit="time", doc="equilibration behind the wall")
    expansion_axis: str = param("walls", choices=("walls", "periodic"),
                                doc="axis 0 after the release: hard walls, or periodic (the LAMMPS reference run)")
    dt: float = param(0.002, lo=0.0, hi=0.01, lo_open=True, unit="time", doc="time step")
    precision: str = param("f64", choices=("f32", "f64", "exact"), doc="float32/float64 Verlet or the bit-reversible integer leapfrog")
    eps: float = param(0.0, lo=0.0, hi=1.0, unit="length", doc="rms displacement per particle added at the reversal")
    t_reverse: float = param(100.0, lo=0.0, hi=10000.0, lo_open=True, unit="time", doc="reversal time if f_left_reverse = 0, else the latest reversal")
    f_left_reverse: float = param(0.85, lo=0.0, hi=1.0, hi_open=True, doc="reverse when the left-half fraction first drops below this (0: at t_reverse)")
    t_sample: float = param(0.25, lo=0.002, hi=10.0, unit="time", doc="sampling interval of the observables")
    cells: int = param(8, lo=2, hi=64, doc="coarse-graining cells per axis (position entropy; slabs of the mu-space entropy)")
    return_threshold: float = param(0.1, lo=0.0, hi=10.0, lo_open=True, unit="length", doc="returned if the rms return error is below this")
    lyapunov_n_particles: int = param(2500, lo=100, hi=200000, doc="particles of the lambda_max measurement")
    t_lyapunov: float = param(20.0, lo=0.5, hi=1000.0, unit="time", doc="measurement time of lambda_max")
    phase_map: bool = param(True, doc="run the phase map sweep")
    map_n_particles: tuple[int, ...] = param((250, 1000, 2500, 20000), lo=100, hi=200000, doc="2D sizes of the phase map")
    map_n_particles_3d: tuple[int, ...] = param((1000, 4000), lo=0, hi=200000, doc="3D sizes of the phase map (0: none)")
    map_t_reverse: tuple[float, ...] = param((1.0, 2.0, 4.0, 7.0, 10.0, 14.0, 20.0), lo=0.0, hi=1000.0, lo_open=True, unit="time", doc="reversal times of the phase map")
    map_eps: tuple[float, ...] = param((1e-9, 1e-6, 1e-3), lo=0.0, hi=1.0, unit="length", doc="eps of the phase map (exact integrator, n_particles)")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")

    def check(self) -> None:
        if self.f_left_reverse > 0 and self.fill >= 1.0:
            raise ConfigError(f"f_left_reverse must be 0 when fill = 1 (no expansion), got {self.f_left_reverse!r}")
        # the exact integrator's positions are integers times 2^-32: a shift below half a
        # lattice unit rounds back to the same state and perturbs nothing
        if self.precision == "exact" and 0 < self.eps < EPS_MIN_EXACT:
            raise ConfigError(f"eps must be 0 or >= {EPS_MIN_EXACT:.3g} (half the 2^-32 lattice) with precision "
                              f"'exact', got {self.eps!r}")
        if self.n_particles_large == self.n_particles:
            raise ConfigError(f"n_particles_large must be 0 or differ from n_particles ({self.n_particles}), "
                              f"got {self.n_particles_large!r}")
        if self.phase_map and any(e < EPS_MIN_EXACT for e in self.map_eps):
            raise ConfigError(f"map_eps must be a list of numbers in [{EPS_MIN_EXACT:.3g}, 1.0] (the map perturbs the "
                              f"exact integrator, lattice 2^-32), got {self.map_eps!r}")


SMALL = Config(n_particles=300, n_particles_large=1200, t_equilibrate=1.0, f_left_reverse=0.0, t_reverse=2.0,
               lyapunov_n_particles=300, t_lyapunov=2.0, map_n_particles=(200,), map_n_particles_3d=(0,),
               map_t_reverse=(0.5, 2.0), map_eps=(1e-6,))
SCALES = {
    # quick: the essay's size ratio 8 (box ratio 2.8) at N = 1000 vs 8000, reversed later
    # in the expansion (f_L < 0.8) so that the large box's t_r is as long as at default scale
    "quick": Config(n_particles=1000, n_particles_large=8000, f_left_reverse=0.8, t_equilibrate=4.0, t_sample=0.5,
                    lyapunov_n_particles=1000, t_lyapunov=8.0, map_n_particles=(250, 1000), map_n_particles_3d=(0,),
                    map_t_reverse=(1.0, 3.0, 6.0, 10.0, 15.0), map_eps=(1e-9, 1e-5)),
    "default": Config(),
    "full": Config(t_lyapunov=50.0,
                   map_n_particles=(250, 1000, 2500, 5000, 20000, 50000), map_n_particles_3d=(1000, 4000, 20000),
                   map_t_reverse=(1.0, 2.0, 4.0, 7.0, 10.0, 14.0, 20.0, 28.0, 40.0),
                   map_eps=(1e-9, 1e-7, 1e-5, 1e-3)),
}


def _item(c: Config, **kw) -> dict:
    base = {k: getattr(c, k) for k in ("dimension", "density", "fill", "kT", "t_equilibrate", "expansion_axis",
                                       "dt", "precision",
                                       "eps", "t_reverse", "f_left_reverse", "t_sample", "cells", "seed")}
    base.update(velocities="maxwell", n_show=min(2000, c.n_particles))
    base.update(kw)
    return base


def _sizes(c: Config) -> list[int]:
    return [c.n_particles] + ([c.n_particles_large] if c.n_particles_large else [])


def _map_items(c: Config) -> list[dict]:
    if not c.phase_map:
        return []
    tl = tuple(sorted(c.map_t_reverse))
    out = []
    for dim, sizes in ((2, c.map_n_particles), (3, c.map_n_particles_3d)):
        for n in sizes:
            if n == 0:
                continue
            for prec in ("f32", "f64", "exact"):
                out.append(_item(c, kind="map", dimension=dim, n_particles=n, precision=prec, eps=0.0,
                                 t_reverse_list=tl))
    for e in c.map_eps:
        out.append(_item(c, kind="map", n_particles=c.n_particles, precision="exact", eps=float(e), t_reverse_list=tl))
    return out


def _cost(item: dict) -> float:
    t = max(item.get("t_reverse_list", (item.get("t_reverse", 1.0),)))
    return item.get("n_particles", 1) * (1.0 + 2.0 * t) * (3.0 if item.get("dimension") == 3 else 1.0)


def run(config: Config, *, runner: Runner | None = None) -> xr.Dataset:
    """Run both sizes under both protocols, lambda_max, and the phase map; return the dataset."""
    runner = runner or Runner(progress=False)
    c = config
    key = c.to_json()
    sizes = _sizes(c)
    lyap = [_item(c, kind="lyapunov", n_particles=c.lyapunov_n_particles, t_lyapunov=c.t_lyapunov, n_segments=8),
            _item(c, kind="lyapunov", n_particles=c.lyapunov_n_particles, t_lyapunov=c.t_lyapunov, n_segments=8,
                  density=min(0.8, c.density / c.fill))]
    first = [_item(c, kind="run", n_particles=n) for n in sizes] + lyap + _map_items(c)
    order = sorted(range(len(first)), key=lambda j: -_cost(first[j]))  # big items first: load balance
    done = runner.map(R.dispatch, [first[j] for j in order], name="loschmidt", key=key)
    res = [None] * len(first)
    for j, r in zip(order, done):
        res[j] = r
    exp_runs, lyap_res, map_res = res[: len(sizes)], res[len(sizes): len(sizes) + 2], res[len(sizes) + 2:]
    vel_items = [_item(c, kind="run", n_particles=n, fill=1.0, velocities="monokinetic", f_left_reverse=0.0,
                       t_reverse=float(r["t_reverse"])) for n, r in zip(sizes, exp_runs)]
    # the control: the same expansion on the bit-reversible integrator, reversed at the same t_r
    ctl_items = [_item(c, kind="run", n_particles=n, precision="exact", eps=0.0, f_left_reverse=0.0, n_show=1,
                       t_reverse=float(r["t_reverse"])) for n, r in zip(sizes, exp_runs)]
    second = runner.map(R.dispatch, vel_items + ctl_items, name="loschmidt_second", key=key)
    vel_runs, ctl_runs = second[: len(sizes)], second[len(sizes):]
    ds = _dataset(c, sizes, exp_runs, vel_runs, lyap_res, _map_items(c), map_res)
    n_s = ds.sizes["s"]
    ds["control_return_error"] = (("n_particles", "s"), np.array([_pad(r["return_error"], n_s) for r in ctl_runs]))
    ds["control_return_error"].attrs = {"long_name": "return error of the exact-integrator control", "units": "sigma"}
    ds["control_returned_bitwise"] = (("n_particles",),
                                      np.array([int(r["returned_bitwise"]) for r in ctl_runs], dtype=np.int8))
    ds.attrs["control_returned_bitwise"] = int(all(bool(r["returned_bitwise"]) for r in ctl_runs))
    return ds


def _pad(a: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    out[: a.size] = a
    return out


def _dataset(c, sizes, exp_runs, vel_runs, lyap_res, map_items, map_res) -> xr.Dataset:
    runs = [exp_runs, vel_runs]
    n_t = max(r["h_function"].size for rs in runs for r in rs)
    n_s = max(r["return_error"].size for rs in runs for r in rs)
    t = np.arange(n_t) * (max(1, round(c.t_sample / c.dt)) * c.dt)
    dims3 = ("protocol", "n_particles", "t")
    data = {}
    for name in ("h_function", "h_function_err", "spatial_entropy", "spatial_entropy_err", "mu_entropy",
                 "mu_entropy_err", "left_fraction"):
        data[name] = (dims3, np.array([[_pad(r[name], n_t) for r in rs] for rs in runs]))
    data["return_error"] = (("protocol", "n_particles", "s"),
                            np.array([[_pad(r["return_error"], n_s) for r in rs] for rs in runs]))
    data["reversal_time"] = (("protocol", "n_particles"), np.array([[float(r["t_reverse"]) for r in rs] for rs in runs]))
    data["returned_bitwise"] = (("protocol", "n_particles"),
                                np.array([[int(r["returned_bitwise"]) for r in rs] for rs in runs], dtype=np.int8))
    data["reached_stage"] = (("n_particles",), np.array([int(r["reached_stage"]) for r in exp_runs], dtype=np.int8))
    n_show = min(r["initial_x"].size for r in exp_runs)
    axis = ["x", "y", "z"][: c.dimension]
    data["snapshot_positions"] = (("n_particles", "snapshot", "particle", "axis"),
                                  np.array([r["snapshot"][:, :n_show] for r in exp_runs]))
    data["initial_x"] = (("n_particles", "particle"), np.array([r["initial_x"][:n_show] for r in exp_runs]))
    data["box_length"] = (("n_particles", "axis"), np.array([r["box"] for r in exp_runs]))
    data["lyapunov_running"] = (("t_lyapunov",), lyap_res[0]["running"])
    coords = {"protocol": list(PROTOCOLS), "n_particles": sizes, "t": t, "s": t[:n_s],
              "snapshot": ["reversal", "end"], "particle": np.arange(n_show), "axis": axis,
              "t_lyapunov": 0.1 * np.arange(1, lyap_res[0]["running"].size + 1)}
    if map_items:
        rows = []
        for it, r in zip(map_items, map_res):
            for j in range(r["t_reverse"].size):
                rows.append((it["dimension"], it["n_particles"], it["precision"], it["eps"], r["t_reverse"][j],
                             r["return_error"][j], r["spatial_undone"][j], r["h_undone"][j], r["mu_undone"][j],
                             float(r["growth_rate"]), float(r["eps_fit"])))
        cols = list(zip(*rows))
        names = ["map_dimension", "map_n_particles", "map_precision", "map_eps", "map_t_reverse", "map_return_error",
                 "map_spatial_undone", "map_h_undone", "map_mu_undone"]
        for name, col in zip(names, cols):
            arr = np.array(col, dtype=str) if name == "map_precision" else np.array(col)
            data[name] = (("map_point",), arr)
        ret = np.array(cols[5]) < c.return_threshold
        data["map_returned"] = (("map_point",), ret.astype(np.int8))
        eps_eff, fitted = _eps_eff(np.array(cols[2], dtype=str), np.array(cols[3]), np.array(cols[10]),
                                   np.array(cols[0]))
        data["map_eps_eff"] = (("map_point",), eps_eff)
        coords["map_point"] = np.arange(len(rows))
    ds = xr.Dataset(data, coords=coords)
    ds["t"].attrs = {"long_name": "time since release (reversal at reversal_time)", "units": "tau"}
    ds["s"].attrs = {"long_name": "backward time since the reversal", "units": "tau"}
    ds["h_function"].attrs = {"long_name": "velocity H-function per particle (Miller-Madow)", "units": "k_B^-1"}
    ds["spatial_entropy"].attrs = {"long_name": "coarse-grained position entropy per particle (Miller-Madow)", "units": "k_B"}
    ds["return_error"].attrs = {"long_name": "rms distance to the mirrored forward state", "units": "sigma"}
    if map_items:
        ds.attrs.update(fitted)
        ds.attrs["map_growth_rate_median"] = float(np.nanmedian([float(r["growth_rate"]) for r in map_res] + [np.nan]))
    ds.attrs.update({
        "lyapunov_max": float(lyap_res[0]["value"]), "lyapunov_max_err": float(lyap_res[0]["err"]),
        "lyapunov_max_initial": float(lyap_res[1]["value"]), "lyapunov_max_initial_err": float(lyap_res[1]["err"]),
        "t_reverse": float(exp_runs[0]["t_reverse"]), "t_reverse_large": float(exp_runs[-1]["t_reverse"]),
        "precision": c.precision, "density": float(c.density), "dimension": int(c.dimension), "return_threshold": float(c.return_threshold),
        "returned_bitwise": int(all(bool(r["returned_bitwise"]) for rs in runs for r in rs)),
    })
    for p, rs in zip(PROTOCOLS, runs):
        for n, r in zip(sizes, rs):
            s = np.arange(r["return_error"].size) * (t[1] - t[0] if t.size > 1 else c.t_sample)
            rate, eps_fit, npts = R.growth_fit(s, r["return_error"])
            ds.attrs[f"growth_rate_{p}_{n}"] = rate
            ds.attrs[f"eps_fit_{p}_{n}"] = eps_fit
    return ds


UNIT_ROUNDOFF = {"f64": 2.0**-53, "f32": 2.0**-24, "exact": 0.0}


def _eps_eff(prec: np.ndarray, eps: np.ndarray, fit: np.ndarray, dim: np.ndarray) -> tuple[np.ndarray, dict]:
    """eps_eff per map point [length]: eps if given; else the median fitted round-off level of
    that precision and dimension (falling back to the unit round-off if no fit), 0 for the
    exact integrator. Also the fitted medians, as attrs ``eps_fit_<precision>_<dim>d``."""
    out = np.array(eps, dtype=float)
    fitted = {}
    for p in ("f32", "f64"):
        for d in (2, 3):
            sel = (prec == p) & (eps == 0) & (dim == d)
            good = fit[sel][np.isfinite(fit[sel])]
            out[sel] = float(np.median(good)) if good.size else UNIT_ROUNDOFF[p]
            if sel.any():
                fitted[f"eps_fit_{p}_{d}d"] = float(np.median(good)) if good.size else float("nan")
    return out, fitted


def ln_sigma_over_eps(eps_eff: np.ndarray) -> np.ndarray:
    """ln(sigma / eps_eff); +inf for a perfect (eps_eff = 0) reversal."""
    e = np.asarray(eps_eff, float)
    with np.errstate(divide="ignore"):
        return np.where(e > 0, -np.log(np.where(e > 0, e, 1.0)), np.inf)


__all__ = ["CLAIM", "Config", "NAME", "SCALES", "SECTION", "SMALL", "plot", "run", "verdict"]
