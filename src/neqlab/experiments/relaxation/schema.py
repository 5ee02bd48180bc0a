"""The ``relaxation`` dataset: coordinates, data variables and attributes with units.

Each relaxation run has its own time axis: the free expansion's variables are named
``expansion_*`` on ``t_expansion``, the thermal contact's ``contact_*`` on ``t_contact``
(profiles add ``x_bin``). Per-process values (particle snapshots, the final kinetic
temperature, the Maxwell reference of H) are on ``process``; the snapshot taken at
record ``snapshot`` of a run is at time ``t_<process>[snapshot]``. The equilibrium sweep
gives ``rel_sd`` and its error on (``observable``, ``n_particles``).

The density's unit depends on the dimension (sigma^-2 or sigma^-3): :func:`schema_for`
gives the schema of a d-dimensional run; :data:`SCHEMA` is that of the default (2D).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from neqlab.experiments.relaxation.config import Config
from neqlab.io import trajectory
from neqlab.io.schema import Schema, Var

# (name, long name, units or None for the density's sigma^-d) of the recorded series
_SERIES = {
    "h_function": ("Boltzmann H of the velocity distribution, velocities in sigma/tau (Miller-Madow corrected)", "1"),
    "spatial_entropy": ("coarse-grained spatial entropy -sum p ln p over n_cells^d cells (Miller-Madow corrected)",
                        "k_B"),
    "left_fraction": ("fraction of the particles in the left half x < L_x/2", "1"),
    "kT_left": ("kinetic temperature of the left half", "epsilon"),
    "kT_right": ("kinetic temperature of the right half", "epsilon"),
    "kinetic_energy": ("total kinetic energy", "epsilon"),
    "potential_energy": ("total potential energy", "epsilon"),
}
_PROFILES = {
    "density": ("number density of the slab", None),
    "temperature_profile": ("kinetic temperature of the slab about its flow velocity", "epsilon"),
    "flow_x": ("mean velocity along x of the slab (NaN: empty slab)", "sigma tau^-1"),
}
_RUNS = {"expansion": "free expansion", "contact": "thermal contact"}


@lru_cache(maxsize=2)
def schema_for(dimension: int) -> Schema:
    """The schema of a run in ``dimension`` (2 or 3) dimensions."""
    density_units = f"sigma^-{int(dimension)}"
    data = {}
    for run, what in _RUNS.items():
        t = f"t_{run}"
        for name, (long_name, units) in _PROFILES.items():
            data[f"{run}_{name}"] = Var((t, "x_bin"), units or density_units, f"{what}: {long_name}")
        for name, (long_name, units) in _SERIES.items():
            data[f"{run}_{name}"] = Var((t,), units, f"{what}: {long_name}")
    data.update({
        "snapshot_positions": Var(("process", "snapshot", "particle", "axis"), "sigma",
                                  "particle positions at the snapshot (float32)"),
        "snapshot_speed": Var(("process", "snapshot", "particle"), "sigma tau^-1", "particle speeds at the snapshot"),
        "kT_final": Var(("process",), "epsilon", "kinetic temperature over the last quarter of the run"),
        "h_reference": Var(("process",), "1",
                           "H of Maxwell samples at kT_final with the run's N, bins and correction (20 draws)"),
        "rel_sd": Var(("observable", "n_particles"), "1",
                      "relative standard deviation at equilibrium (pooled over times and replicas)"),
        "rel_sd_err": Var(("observable", "n_particles"), "1", "jackknife standard error of rel_sd over replicas"),
    })
    return Schema(
        "relaxation",
        coords={
            "t_expansion": Var(("t_expansion",), "tau", "time since the release (free expansion)"),
            "t_contact": Var(("t_contact",), "tau", "time since the halves were put in contact (thermal contact)"),
            "x_bin": Var(("x_bin",), "1", "slab centre x / L_x"),
            "process": Var(("process",), "1", "relaxation run", "str"),
            "snapshot": Var(("snapshot",), "1", "record index of the snapshot on t_expansion and t_contact", "int"),
            "observable": Var(("observable",), "1", "equilibrium observable of the N sweep", "str"),
            "n_particles": Var(("n_particles",), "1", "particles N of the equilibrium sweep", "int"),
            **trajectory.COORDS,
        },
        data_vars={**data, **trajectory.DATA_VARS},
    )


SCHEMA = schema_for(Config().dimension)


def schema_for_config(config: dict) -> Schema:
    """The schema of a result whose stored config is ``config`` (its dimension sets the units)."""
    return schema_for(int(config["dimension"]))


def assemble(config: Config, runs: dict[str, dict], kT_final: dict[str, float], h_reference: dict[str, float],
             rel_sd: np.ndarray, rel_sd_err: np.ndarray, sizes, frames, observables):
    """The dataset of one run from the two relaxation runs and the sweep's statistics."""
    c = config
    data = {}
    coords = {}
    for run, rec in runs.items():
        coords[f"t_{run}"] = rec["time"]
        for name in (*_PROFILES, *_SERIES):
            data[f"{run}_{name}"] = rec[name]
    processes = list(runs)
    data.update({
        "snapshot_positions": np.stack([runs[p]["snapshot_positions"] for p in processes]),
        "snapshot_speed": np.stack([runs[p]["snapshot_speed"] for p in processes]),
        "kT_final": np.array([kT_final[p] for p in processes]),
        "h_reference": np.array([h_reference[p] for p in processes]),
        "rel_sd": rel_sd,
        "rel_sd_err": rel_sd_err,
    })
    expansion = runs["expansion"]
    if "trajectory_positions" in expansion:  # the free expansion's kept frames (trajectory_every > 0)
        for name in ("trajectory_positions", "trajectory_velocities", "trajectory_step", "trajectory_box",
                     "trajectory_periodic"):
            data[name] = expansion[name]
        coords["frame"] = expansion["trajectory_step"] * c.dt
        coords["axis"] = np.array(trajectory.AXES[: c.dimension])
    coords.update({
        "x_bin": (np.arange(c.n_bins) + 0.5) / c.n_bins,
        "process": processes,
        "snapshot": np.asarray(frames),
        "observable": list(observables),
        "n_particles": np.asarray(sizes, dtype=np.int64),
    })
    return schema_for(c.dimension).assemble(data, coords=coords)
