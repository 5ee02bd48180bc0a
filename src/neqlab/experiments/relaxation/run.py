"""Run ``relaxation``: the two isolated relaxation runs, then the equilibrium N sweep."""

from __future__ import annotations

import numpy as np

from neqlab.experiments._frame import Cost, owned_runner, stamp
from neqlab.experiments.relaxation.config import CLAIM, NAME, SECTION, Config
from neqlab.experiments.relaxation.schema import assemble
from neqlab.experiments.relaxation.tasks import (OBSERVABLES, PROCESSES, EquilibriumSample, FreeExpansion, Recording,
                                                 ThermalContact, box_aspect, equilibrium_samples, h_reference, kT_final,
                                                 relaxation_run, snapshot_frames)
from neqlab.io.trajectory import trajectory_bytes
from neqlab.observables.relaxation import relative_fluctuation


def tasks_for(config: Config) -> dict[str, list]:
    """Checkpoint name -> the work items of that stage: the two runs, then the sweep."""
    c = config
    aspect = box_aspect(c)
    common = dict(n_particles=c.n_particles, density=c.density, dimension=c.dimension, aspect=aspect,
                  t_equilibrate=c.t_equilibrate, seed=c.seed)
    runs = [
        FreeExpansion(kT=c.kT, fill=c.fill, record=Recording.of(c, "expansion", c.t_expansion),
                      trajectory_frames=trajectory_frames(c), **common),
        ThermalContact(kT_hot=c.kT_hot, kT_cold=c.kT_cold, record=Recording.of(c, "contact", c.t_contact), **common),
    ]
    stride = max(1, int(round(c.t_sample / c.n_samples / c.dt)))
    sweep = [EquilibriumSample(n_particles=n, replica=r, density=c.sweep_density, kT=c.kT, dimension=c.dimension,
                               aspect=aspect, t_equilibrate=min(c.t_equilibrate, 1.0), stride=stride,
                               n_samples=c.n_samples, dt=c.dt, seed=c.seed)
             for n in sorted(set(c.sweep_sizes)) for r in range(c.n_replicas)]
    return {"relaxation": runs, "fluctuations": sweep}


def trajectory_frames(config: Config) -> int:
    """Keep every k-th recorded frame of the free expansion: k ~ trajectory_every / (t_expansion / n_frames),
    at least 1, widened so that at most trajectory_max_frames frames are kept; 0 for none."""
    c = config
    if c.trajectory_every <= 0:
        return 0
    k = max(1, round(c.trajectory_every / (c.t_expansion / c.n_frames)))
    return max(k, -(-c.n_frames // max(1, c.trajectory_max_frames - 1)))


def estimate(config: Config) -> Cost:
    """Rough peak memory (the largest gas, ~300 bytes per particle with its neighbour lists)
    and single-core time (MD at ~3e7 particle-steps/s)."""
    c = config
    steps = (c.t_expansion + c.t_contact + 2 * c.t_equilibrate) / c.dt
    sweep = sum(n * (c.t_sample + min(c.t_equilibrate, 1.0)) / c.dt for n in set(c.sweep_sizes)) * c.n_replicas
    k = trajectory_frames(c)
    traj = trajectory_bytes(c.n_frames // k + 1, c.n_particles, c.dimension, 8) if k else 0
    memory = 300.0 * max(c.n_particles, max(c.sweep_sizes)) + 8.0 * 2 * (c.n_frames + 1) * (3 * c.n_bins + 10) + traj
    return Cost(memory, (c.n_particles * steps + sweep) / 3e7,
                ("n_particles", "t_expansion", "t_contact", "sweep_sizes", "n_replicas", "t_sample", "dt",
                 "trajectory_every"))


def run(config: Config, *, runner=None):
    """Run both relaxations and the sweep; return the dataset of :mod:`~neqlab.experiments.relaxation.schema`."""
    c = config
    key = c.to_json()
    tasks = tasks_for(c)
    with owned_runner(runner) as r:
        rel = r.map(relaxation_run, tasks["relaxation"], name="relaxation", key=key, label="relaxation runs")
        fl = r.map(equilibrium_samples, tasks["fluctuations"], name="fluctuations", key=key,
                   label="fluctuation sweep")
    runs = dict(zip(PROCESSES, rel))
    t_final = {p: kT_final(runs[p]["kinetic_energy"], c.n_particles, c.dimension) for p in PROCESSES}
    h_ref = {p: h_reference(c, p, t_final[p]) for p in PROCESSES}
    sizes = sorted(set(c.sweep_sizes))
    rel_sd = np.empty((len(OBSERVABLES), len(sizes)))
    rel_err = np.empty_like(rel_sd)
    for j, n in enumerate(sizes):
        block = [res for task, res in zip(tasks["fluctuations"], fl) if task.n_particles == n]
        for o, name in enumerate(OBSERVABLES):
            rel_sd[o, j], rel_err[o, j] = relative_fluctuation(np.stack([b[name] for b in block]))
    ds = assemble(c, runs, t_final, h_ref, rel_sd, rel_err, sizes, snapshot_frames(c.n_frames), OBSERVABLES)
    return stamp(ds, c, name=NAME, section=SECTION, claim=CLAIM)


__all__ = ["estimate", "run", "tasks_for"]
