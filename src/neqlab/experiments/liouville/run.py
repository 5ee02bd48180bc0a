"""Run ``liouville``: every map and every (system, integrator) pair as one work item."""

from __future__ import annotations

from neqlab.experiments._frame import Cost, owned_runner, stamp
from neqlab.experiments.liouville.config import CLAIM, NAME, SECTION, Config
from neqlab.experiments.liouville.schema import assemble
from neqlab.experiments.liouville.tasks import (HENON_B, INTEGRATORS, MAPS, SYSTEMS, FlowRegion, MapRegion, Tracking,
                                                track_region)


def tasks_for(config: Config) -> list[MapRegion | FlowRegion]:
    """The regions to follow: the three maps, then every system with every integrator."""
    c = config
    tr = Tracking.of(c)
    return ([MapRegion(m, c.k, c.n_map_steps, tr) for m in MAPS]
            + [FlowRegion(s, i, c.dt, c.n_flow_steps, tr) for s in SYSTEMS for i in INTEGRATORS])


def estimate(config: Config) -> Cost:
    """Rough peak memory (clouds, kNN trees, boundaries) and single-core time (kNN ~1e6 points/s)."""
    c = config
    n_cases = len(MAPS) + len(SYSTEMS) * len(INTEGRATORS)
    memory = 2 * 200.0 * c.n_points + 6 * 16.0 * c.max_vertices
    records = c.n_records + 1
    seconds = n_cases * records * 1.2 * c.n_points / 1e6 + len(SYSTEMS) * len(INTEGRATORS) * c.n_flow_steps * (
        c.n_points + c.max_vertices) / 1e8
    return Cost(memory, seconds, ("n_points", "n_records", "max_vertices", "n_flow_steps"))


def run(config: Config, *, runner=None):
    """Follow every region; return the dataset of :mod:`~neqlab.experiments.liouville.schema`."""
    tasks = tasks_for(config)
    with owned_runner(runner) as r:
        res = r.map(track_region, tasks, name=NAME, key=config.to_json(), label="regions")
    maps = {t.map: out for t, out in zip(tasks, res) if isinstance(t, MapRegion)}
    flows = {(t.system, t.integrator): out for t, out in zip(tasks, res) if isinstance(t, FlowRegion)}
    ds = assemble(config, maps, flows, HENON_B)
    return stamp(ds, config, name=NAME, section=SECTION, claim=CLAIM)


__all__ = ["estimate", "run", "tasks_for"]
