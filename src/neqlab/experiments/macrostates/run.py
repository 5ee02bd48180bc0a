"""Run ``macrostates``: the urn, its recurrence and the Kac rings as chunked ensembles."""

from __future__ import annotations

from functools import partial

from neqlab.experiments._frame import Cost, owned_runner, stamp
from neqlab.experiments.macrostates.config import CLAIM, NAME, SECTION, Config
from neqlab.experiments.macrostates.schema import assemble
from neqlab.experiments.macrostates.tasks import (KacRings, UrnPaths, UrnRecurrence, kac_rings, recurrence_cap,
                                                  stride_of, urn_paths, urn_recurrence)

RUNS = {UrnPaths: urn_paths, UrnRecurrence: urn_recurrence, KacRings: kac_rings}
LABELS = {"ehrenfest": "Ehrenfest urn", "recurrence": "Ehrenfest recurrence", "kac": "Kac rings"}


def tasks_for(config: Config) -> dict[str, tuple[object, int]]:
    """Checkpoint name -> (task, number of replicas) of every ensemble of the run."""
    c = config
    return {
        "ehrenfest": (UrnPaths(c.n_particles, c.n_steps, stride_of(c)), c.n_replicas),
        "recurrence": (UrnRecurrence(c.recurrence_n_particles, recurrence_cap(c)), c.n_replicas),
        "kac": (KacRings(c.n_sites, c.marker_fraction), c.n_rings),
    }


def estimate(config: Config) -> Cost:
    """Rough peak memory and single-core time (urn ~1e8 steps/s, ring ~1e9 site-updates/s)."""
    c = config
    n_t = c.n_steps // stride_of(c) + 1
    memory = 8.0 * c.n_replicas * n_t + 4.0 * c.n_rings * (2 * c.n_sites + 1) + 8e3 * 1001 * 13
    seconds = (c.n_replicas * c.n_steps / 1e8 + c.n_replicas * 2.0**c.recurrence_n_particles / 1e8
               + c.n_rings * 4.0 * c.n_sites**2 / 1e9)
    return Cost(memory, seconds, ("n_replicas", "n_steps", "n_rings", "n_sites", "recurrence_n_particles"))


def run(config: Config, *, runner=None):
    """Run the three models; return the dataset of :mod:`~neqlab.experiments.macrostates.schema`."""
    key = config.to_json()
    out = {}
    with owned_runner(runner) as r:
        for name, (task, n) in tasks_for(config).items():
            out[name] = r.ensemble(partial(RUNS[type(task)], task), n, seed=config.seed, name=name, key=key,
                                   label=LABELS[name])
    ds = assemble(config, out["ehrenfest"], out["recurrence"], out["kac"])
    return stamp(ds, config, name=NAME, section=SECTION, claim=CLAIM)


__all__ = ["estimate", "run", "tasks_for"]
