"""The ``loschmidt`` dataset: coordinates, data variables and attributes with units.

Per (``protocol``, ``n_particles``): the entropies, the flow energy and the left-half
fraction on the time grid ``t`` (forward, then backward after ``reversal_time``; NaN past
the end of a shorter run, and for the ``late`` protocol of the large system, which is not
run), the return error on the
backward time ``s``, the fitted error growth; the exact-integrator control per size;
snapshots; the running lambda_max; the phase map as a table over ``map_point``, with the
median fitted round-off level per (``fit_precision``, ``fit_dimension``).

Entropies are per particle in k_B; ``h_function`` is Boltzmann's H of the velocities
(= minus the velocity entropy); ``hydro_entropy`` the local-equilibrium (thermodynamic)
entropy S_hydro. A further entropy is one more data variable on (protocol, n_particles, t)
with its ``_err`` (see tasks.OBSERVED).
"""

from __future__ import annotations

import numpy as np

from neqlab.experiments.loschmidt.config import PROTOCOLS, Config
from neqlab.experiments.loschmidt.tasks import OBSERVED, ReversalSweep, hydro_cells
from neqlab.io import trajectory
from neqlab.io.schema import Schema, Var
from neqlab.observables.divergence import growth_fit
from neqlab.testing.reference import unit_roundoff

PN = ("protocol", "n_particles")
PNT = ("protocol", "n_particles", "t")
MAP = ("map_point",)
FIT_PRECISIONS = ("f32", "f64")  # the float precisions whose round-off level the map fits

SERIES = {  # the OBSERVED series: (units, long_name)
    "h_function": ("1", "Boltzmann's H of the velocities per particle (component histograms, Miller-Madow) = -S_v/k_B"),
    "h_function_err": ("1", "standard error of h_function"),
    "spatial_entropy": ("k_B", "coarse-grained position entropy per particle (n_cells per axis, Miller-Madow)"),
    "spatial_entropy_err": ("k_B", "standard error of spatial_entropy"),
    "left_fraction": ("1", "fraction of the particles in the left half of axis 0"),
    "mu_entropy": ("k_B", "mu-space entropy -H of f(x, v) per particle (n_cells slabs along axis 0 times velocity "
                          "bins of sqrt(kT)/2, product of the component histograms, Grassberger-corrected)"),
    "mu_entropy_err": ("k_B", "standard error of mu_entropy"),
    "hydro_entropy": ("k_B", "local-equilibrium entropy S_hydro = sum_c N_c s(rho_c, T_c) per counted particle "
                             "(hydro_n_cells per axis, WCA equation of state, each cell's mean velocity as its rest "
                             "frame; cells with fewer than 2 particles left out)"),
    "hydro_entropy_err": ("k_B", "standard error of hydro_entropy (cells as independent samples: an upper bound "
                                 "for an isolated gas)"),
    "hydro_thermal_entropy": ("k_B", "thermal part of hydro_entropy, sum_c N_c (d/2) [ln(2 pi kT_c) + 1] per counted "
                                     "particle (the rest is positional: cell counts and the WCA excess)"),
    "flow_energy": ("epsilon", "kinetic energy of the cells' mean flow per counted particle, minus its noise "
                               "(about 0 without a macroscopic flow)"),
}
assert tuple(SERIES) == OBSERVED

SCHEMA = Schema(
    "loschmidt",
    coords={
        "protocol": Var(("protocol",), "1", "protocol: free expansion, or uniform gas with equal speeds", "str"),
        "n_particles": Var(("n_particles",), "1", "particles N of the gas", "int"),
        "t": Var(("t",), "tau", "time since the release (velocities reversed at reversal_time, then run back)"),
        "s": Var(("s",), "tau", "backward time since the reversal"),
        "snapshot": Var(("snapshot",), "1", "when the snapshot is taken: at the reversal or at the end", "str"),
        "shown": Var(("shown",), "1", "shown particle of the snapshots (a random subset)", "int"),
        "axis": Var(("axis",), "1", "space axis", "str"),
        "t_lyapunov": Var(("t_lyapunov",), "tau", "measurement time of lambda_max after the transient"),
        "map_point": Var(MAP, "1", "phase-map point", "int", optional=True),
        "fit_precision": Var(("fit_precision",), "1", "float precision of the phase map's error fit", "str",
                             optional=True),
        "fit_dimension": Var(("fit_dimension",), "1", "space dimension of the phase map's error fit", "int",
                             optional=True),
        "frame": trajectory.COORDS["frame"],  # the small system's film (trajectory_every > 0)
    },
    data_vars={
        **{name: Var(PNT, u, ln) for name, (u, ln) in SERIES.items()},
        **trajectory.DATA_VARS,
        "return_error": Var(("protocol", "n_particles", "s"), "sigma",
                            "rms distance to the mirrored forward state (minimum image)"),
        "reversal_time": Var(PN, "tau", "time t_r at which every velocity was reversed"),
        "returned_bitwise": Var(PN, "1", "back at the initial state bit for bit (exact integrator only; false where "
                                          "not run)", "bool"),
        "reached_stage": Var(("n_particles",), "1", "the expansion reached f_left_reverse before t_reverse", "bool"),
        "hydro_n_cells": Var(("n_particles",), "1", "cells per axis of hydro_entropy", "int"),
        "growth_rate": Var(PN, "tau^-1", "growth rate of the return error, fit eps_fit exp(rate s) (NaN: no fit)"),
        "eps_fit": Var(PN, "sigma", "initial error eps_eff of the same fit (NaN: no fit)"),
        "control_return_error": Var(("n_particles", "s"), "sigma",
                                    "return error of the exact-integrator control (expansion, same t_r)"),
        "control_returned_bitwise": Var(("n_particles",), "1", "the exact-integrator control came back bit for bit",
                                        "bool"),
        "snapshot_positions": Var(("n_particles", "snapshot", "shown", "axis"), "sigma",
                                  "positions of the shown particles (expansion protocol)"),
        "initial_x": Var(("n_particles", "shown"), "1",
                         "initial position along axis 0 as a fraction of the occupied length"),
        "box_length": Var(("n_particles", "axis"), "sigma", "box length along each axis"),
        "lyapunov_running": Var(("t_lyapunov",), "tau^-1", "running estimate of lambda_max at the mean density"),
        "map_dimension": Var(MAP, "1", "space dimension", "int", optional=True),
        "map_n_particles": Var(MAP, "1", "particles N", "int", optional=True),
        "map_precision": Var(MAP, "1", "precision: f32, f64 or exact", "str", optional=True),
        "map_eps": Var(MAP, "sigma", "rms kick per particle at the reversal", optional=True),
        "map_t_reverse": Var(MAP, "tau", "reversal time t_r", optional=True),
        "map_return_error": Var(MAP, "sigma", "return error at the end of the backward run", optional=True),
        "map_spatial_undone": Var(MAP, "1", "fraction of the position entropy rise undone", optional=True),
        "map_h_undone": Var(MAP, "1", "fraction of the velocity entropy rise undone", optional=True),
        "map_mu_undone": Var(MAP, "1", "fraction of the mu-space entropy rise undone", optional=True),
        "map_hydro_undone": Var(MAP, "1", "fraction of the rise of S_hydro undone", optional=True),
        "map_returned": Var(MAP, "1", "return error below return_threshold", "bool", optional=True),
        "map_eps_eff": Var(MAP, "sigma", "effective error at the reversal: eps, or the fitted round-off level "
                           "of the precision (unit round-off if no fit), 0 for the exact integrator", optional=True),
        "map_eps_fit": Var(("fit_precision", "fit_dimension"), "sigma",
                           "median fitted round-off level eps_eff of the map runs (NaN: no fit)", optional=True),
    },
    attrs={
        "lyapunov_max": Var((), "tau^-1", "largest Lyapunov exponent at the mean density (two copies)"),
        "lyapunov_max_err": Var((), "tau^-1", "standard error of lyapunov_max"),
        "lyapunov_max_initial": Var((), "tau^-1", "largest Lyapunov exponent at the released gas's density"),
        "lyapunov_max_initial_err": Var((), "tau^-1", "standard error of lyapunov_max_initial"),
        "map_growth_rate_median": Var((), "tau^-1", "median fitted error growth rate of the map runs",
                                      optional=True),
    },
)


def _pad(a: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    out[: a.size] = a
    return out


def map_eps_eff(prec: np.ndarray, eps: np.ndarray, fit: np.ndarray, dim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """eps_eff per map point [sigma] and the fitted medians per (FIT_PRECISIONS, dimension 2, 3).

    eps_eff is eps if given; else the median fitted round-off level of that precision and
    dimension (the unit round-off if no fit), 0 for the exact integrator.
    """
    out = np.array(eps, dtype=float)
    fitted = np.full((len(FIT_PRECISIONS), 2), np.nan)
    for i, p in enumerate(FIT_PRECISIONS):
        for j, d in enumerate((2, 3)):
            sel = (prec == p) & (eps == 0) & (dim == d)
            good = fit[sel][np.isfinite(fit[sel])]
            out[sel] = float(np.median(good)) if good.size else unit_roundoff(p)
            if good.size:
                fitted[i, j] = float(np.median(good))
    return out, fitted


def _map_table(config: Config, tasks: list[ReversalSweep], results: list[dict]) -> tuple[dict, dict, dict]:
    rows = []
    for task, r in zip(tasks, results):
        for j in range(r["t_reverse"].size):
            rows.append((task.gas.dimension, task.gas.n_particles, task.precision, task.eps, r["t_reverse"][j],
                         r["return_error"][j], r["spatial_undone"][j], r["h_undone"][j], r["mu_undone"][j],
                         float(r["growth_rate"]), float(r["eps_fit"]), r["hydro_undone"][j]))
    cols = list(zip(*rows))
    names = ["map_dimension", "map_n_particles", "map_precision", "map_eps", "map_t_reverse", "map_return_error",
             "map_spatial_undone", "map_h_undone", "map_mu_undone"]
    data = {name: (np.array(col, dtype=str) if name == "map_precision" else np.array(col))
            for name, col in zip(names, cols)}
    data["map_hydro_undone"] = np.array(cols[11])
    data["map_returned"] = np.array(cols[5]) < config.return_threshold
    eps_eff, fitted = map_eps_eff(np.array(cols[2], dtype=str), np.array(cols[3]), np.array(cols[10]),
                                  np.array(cols[0]))
    data["map_eps_eff"] = eps_eff
    dims = sorted({int(d) for d in cols[0]})
    data["map_eps_fit"] = fitted[:, [d - 2 for d in dims]]
    coords = {"map_point": np.arange(len(rows)), "fit_precision": list(FIT_PRECISIONS), "fit_dimension": dims}
    rates = [float(r["growth_rate"]) for r in results]
    attrs = {"map_growth_rate_median": float(np.nanmedian(rates + [np.nan]))}
    return data, coords, attrs


def _series(runs: list[dict | None], name: str, n: int) -> np.ndarray:
    """One series per size on a grid of ``n`` samples (NaN past the end, all NaN if not run)."""
    return np.array([_pad(r[name], n) if r is not None else np.full(n, np.nan) for r in runs])


def assemble(config: Config, sizes: list[int], runs: dict[str, list[dict | None]], control: list[dict],
             lyapunov: list[dict], map_tasks: list[ReversalSweep], map_results: list[dict]):
    """The dataset of one run.

    ``runs[protocol]``: the :func:`~neqlab.experiments.loschmidt.tasks.reversal` outputs,
    one per size (``sizes``, small first; a shorter list or None where a size was not run);
    ``control``: the exact-integrator expansions; ``lyapunov``: lambda_max at the mean and at
    the released density; the phase map's tasks and outputs (empty without a map).
    """
    c = config
    by_p = [list(runs[p]) + [None] * (len(sizes) - len(runs[p])) for p in PROTOCOLS]
    done = [r for rs in by_p for r in rs if r is not None]
    n_t = max(r["h_function"].size for r in done)
    n_s = max(r["return_error"].size for r in done)
    t = np.arange(n_t) * (max(1, round(c.t_sample / c.dt)) * c.dt)
    ds_s = t[1] - t[0] if t.size > 1 else c.t_sample
    data = {name: np.array([_series(rs, name, n_t) for rs in by_p]) for name in OBSERVED}
    data["return_error"] = np.array([_series(rs, "return_error", n_s) for rs in by_p])
    data["reversal_time"] = np.array([[float(r["t_reverse"]) if r is not None else np.nan for r in rs]
                                      for rs in by_p])
    data["returned_bitwise"] = np.array([[r is not None and bool(r["returned_bitwise"]) for r in rs] for rs in by_p])
    nan2 = (float("nan"), float("nan"))
    fits = [[growth_fit(np.arange(r["return_error"].size) * ds_s, r["return_error"])[:2] if r is not None else nan2
             for r in rs] for rs in by_p]
    data["growth_rate"] = np.array([[f[0] for f in row] for row in fits])
    data["eps_fit"] = np.array([[f[1] for f in row] for row in fits])
    exp_runs = runs["expansion"]
    data["reached_stage"] = np.array([bool(r["reached_stage"]) for r in exp_runs])
    data["hydro_n_cells"] = np.array([hydro_cells(n, c.dimension, c.n_cells) for n in sizes])
    data["control_return_error"] = np.array([_pad(r["return_error"], n_s) for r in control])
    data["control_returned_bitwise"] = np.array([bool(r["returned_bitwise"]) for r in control])
    n_show = min(r["initial_x"].size for r in exp_runs)
    data["snapshot_positions"] = np.array([r["snapshot"][:, :n_show] for r in exp_runs])
    data["initial_x"] = np.array([r["initial_x"][:n_show] for r in exp_runs])
    data["box_length"] = np.array([r["box"] for r in exp_runs])
    data["lyapunov_running"] = lyapunov[0]["running"]
    small = exp_runs[0]
    if "trajectory_positions" in small:  # the small system's film, forward and back (trajectory_every > 0)
        for name in ("trajectory_positions", "trajectory_velocities", "trajectory_step", "trajectory_periodic"):
            data[name] = small[name]
        data["trajectory_box"] = np.asarray(small["box"], dtype=np.float64)
        frame_t = small["trajectory_step"] * c.dt  # film time: forward, then on through the backward run
    coords = {"protocol": list(PROTOCOLS), "n_particles": sizes, "t": t, "s": t[:n_s],
              "snapshot": ["reversal", "end"], "shown": np.arange(n_show), "axis": ["x", "y", "z"][: c.dimension],
              "t_lyapunov": 0.1 * np.arange(1, lyapunov[0]["running"].size + 1)}
    if "trajectory_positions" in small:
        coords["frame"] = frame_t
    attrs = {"lyapunov_max": float(lyapunov[0]["value"]), "lyapunov_max_err": float(lyapunov[0]["err"]),
             "lyapunov_max_initial": float(lyapunov[1]["value"]),
             "lyapunov_max_initial_err": float(lyapunov[1]["err"])}
    if map_tasks:
        m_data, m_coords, m_attrs = _map_table(c, map_tasks, map_results)
        data.update(m_data)
        coords.update(m_coords)
        attrs.update(m_attrs)
    return SCHEMA.assemble(data, coords=coords, attrs=attrs)
