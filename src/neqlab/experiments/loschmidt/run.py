"""Run ``loschmidt``: both sizes under every protocol, the exact control, lambda_max, the phase map.

Two stages through the runner. First: the expansion of each size (its t_r is found when
the left-half fraction crosses ``f_left_reverse``), the small system's late reversal,
lambda_max at the mean and at the released density, and the phase map. Second, at each
size's measured t_r: the uniform
gas with equal speeds (``velocity`` protocol) and the same expansion on the
bit-reversible integrator (the control). Big items first in each stage (load balance);
no result depends on the order or the number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from neqlab.experiments._frame import Cost, owned_runner, stamp
from neqlab.experiments.loschmidt.config import CLAIM, NAME, PROTOCOLS, SECTION, Config
from neqlab.experiments.loschmidt.schema import assemble
from neqlab.experiments.loschmidt.tasks import Gas, Lyapunov, Reversal, ReversalSweep, run_task
from neqlab.io.trajectory import trajectory_bytes

N_SHOW = 2000  # particles kept for the snapshots (at most)
N_SEGMENTS = 8  # blocks of the lambda_max measurement


def sizes_of(config: Config) -> list[int]:
    """The gases of the run: n_particles, then n_particles_large if not 0."""
    return [config.n_particles] + ([config.n_particles_large] if config.n_particles_large else [])


def _gas(c: Config, n: int, **kw) -> Gas:
    base = dict(n_particles=n, dimension=c.dimension, density=c.density, fill=c.fill, kT=c.kT,
                t_equilibrate=c.t_equilibrate, dt=c.dt, expansion_axis=c.expansion_axis, seed=c.seed)
    return Gas(**{**base, **kw})


def trajectory_samples(config: Config) -> int:
    """Keep every k-th observable sample of the small system's expansion as a trajectory frame:
    k ~ trajectory_every / t_sample, at least 1, widened so that the film (forward and back, at most
    2 t_reverse) keeps at most trajectory_max_frames frames; 0 for none."""
    c = config
    if c.trajectory_every <= 0:
        return 0
    k = max(1, round(c.trajectory_every / c.t_sample))
    n_samples = 2 * int(math.ceil(c.t_reverse / c.t_sample)) + 1
    return max(k, -(-n_samples // max(1, c.trajectory_max_frames - 1)))


def _reversal(c: Config, gas: Gas, **kw) -> Reversal:
    base = dict(precision=c.precision, eps=c.eps, t_reverse=c.t_reverse, f_left_reverse=c.f_left_reverse,
                t_sample=c.t_sample, n_cells=c.n_cells, n_show=min(N_SHOW, c.n_particles))
    return Reversal(gas, **{**base, **kw})


def _map_tasks(c: Config) -> list[ReversalSweep]:
    if not c.phase_map:
        return []
    times = tuple(sorted(c.map_t_reverse))
    out = []
    for dim, sizes in ((2, c.map_n_particles), (3, c.map_n_particles_3d)):
        for n in sizes:
            if n == 0:
                continue
            for prec in ("f32", "f64", "exact"):
                out.append(ReversalSweep(_gas(c, n, dimension=dim), prec, 0.0, times, c.t_sample, c.n_cells))
    for e in c.map_eps:
        out.append(ReversalSweep(_gas(c, c.n_particles), "exact", float(e), times, c.t_sample, c.n_cells))
    return out


def tasks_for(config: Config, reversal_times: Mapping[int, float] | None = None) -> dict[str, list]:
    """The work items by group.

    Without ``reversal_times``: the first stage, ``expansion`` (one :class:`Reversal` per
    size), ``late`` (the small system's expansion reversed at ``t_reverse_late``, after the
    flow has dissipated), ``lyapunov`` (mean, then released density) and ``map``. With the t_r [tau]
    measured for each size's expansion: the second stage, ``velocity`` and ``control``,
    reversed at those times.
    """
    c = config
    sizes = sizes_of(c)
    if reversal_times is None:
        lyap = [Lyapunov(c.lyapunov_n_particles, c.dimension, density, c.kT, c.t_equilibrate, c.dt, c.t_lyapunov,
                         N_SEGMENTS, c.seed) for density in (c.density, c.density / c.fill)]
        return {"expansion": [_reversal(c, _gas(c, n), trajectory_samples=trajectory_samples(c) if n == sizes[0] else 0)
                              for n in sizes],
                "late": [_reversal(c, _gas(c, sizes[0]), f_left_reverse=0.0, t_reverse=c.t_reverse_late, n_show=1)],
                "lyapunov": lyap, "map": _map_tasks(c)}
    return {
        "velocity": [_reversal(c, _gas(c, n, fill=1.0, velocities="monokinetic"), f_left_reverse=0.0,
                               t_reverse=float(reversal_times[n])) for n in sizes],
        # the same expansion on the bit-reversible integrator, reversed at the same t_r
        "control": [_reversal(c, _gas(c, n), precision="exact", eps=0.0, f_left_reverse=0.0, n_show=1,
                              t_reverse=float(reversal_times[n])) for n in sizes],
    }


def _t_max(task: Reversal | ReversalSweep) -> float:
    return max(task.t_reverse) if isinstance(task, ReversalSweep) else task.t_reverse


def _cost(task) -> float:
    """Relative cost of a task: particle-steps of its longest run (3D about three times dearer)."""
    if isinstance(task, Lyapunov):
        return task.n_particles * (1.0 + 2.0 * task.t_lyapunov)
    return task.gas.n_particles * (1.0 + 2.0 * _t_max(task)) * (3.0 if task.gas.dimension == 3 else 1.0)


def _run_groups(runner, groups: dict[str, list], name: str, key: str) -> dict[str, list[dict]]:
    """Run every task of ``groups`` in one runner call, big items first (load balance);
    return the results by group, in the tasks' order."""
    tasks = [t for g in groups.values() for t in g]
    order = sorted(range(len(tasks)), key=lambda j: -_cost(tasks[j]))
    done = runner.map(run_task, [tasks[j] for j in order], name=name, key=key)
    res = [None] * len(tasks)
    for j, r in zip(order, done):
        res[j] = r
    out, k = {}, 0
    for g, items in groups.items():
        out[g], k = res[k: k + len(items)], k + len(items)
    return out


# one core, 2D f64 with observables every 0.25 tau: the default run took 180 s of CPU
# (docs/experiments/loschmidt.md, AMD EPYC, 2 cores) for 9.9e9 counted particle-steps
PARTICLE_STEPS_PER_S = 5e7


def estimate(config: Config) -> Cost:
    """Rough peak memory [bytes] and single-core time [s].

    Time: particle-steps of every run at about 5e7 per second (2D), a reversal at stage
    taken at its latest time ``t_reverse`` (an upper bound; at the essay's sizes t_r is
    9 and 24 tau, and the quick scale's small runs reach their stage far earlier, so its
    estimate is ~3x its time); memory: the stored frames of the biggest run (one position array per
    sample up to t_r) plus the dataset (every series on the longest run's time grid).
    """
    c = config
    first = tasks_for(c)
    t_stage = {n: c.t_reverse for n in sizes_of(c)}
    second = tasks_for(c, t_stage)
    tasks = [t for group in (*first.values(), *second.values()) for t in group]
    steps = sum(_cost(t) for t in tasks) / c.dt
    frames = max(t.gas.n_particles * t.gas.dimension * 8.0 * (2.0 + _t_max(t) / c.t_sample)
                 for t in tasks if not isinstance(t, Lyapunov))
    n_t = 1 + 2 * max(c.t_reverse, c.t_reverse_late) / c.t_sample
    dataset = 8.0 * n_t * len(PROTOCOLS) * len(sizes_of(c)) * 14
    k = trajectory_samples(c)
    film = trajectory_bytes(int(2 * math.ceil(c.t_reverse / c.t_sample)) // k + 1, c.n_particles, c.dimension) if k else 0
    return Cost(frames + dataset + film + 2e8, steps / PARTICLE_STEPS_PER_S,
                ("n_particles_large", "t_reverse", "t_reverse_late", "map_n_particles", "map_t_reverse", "t_lyapunov",
                 "trajectory_every"))


def run(config: Config, *, runner=None):
    """Run both sizes under every protocol, the control, lambda_max and the phase map; return the dataset.

    Each group of :func:`tasks_for` named after a protocol of :data:`PROTOCOLS` gives that
    protocol's runs (one per size, small first; ``late`` the small one only); ``control``,
    ``lyapunov`` and ``map`` the rest.
    """
    c = config
    key = c.to_json()
    sizes = sizes_of(c)
    first = tasks_for(c)
    with owned_runner(runner) as r:
        out = _run_groups(r, first, "loschmidt", key)
        t_r = {n: float(run_["t_reverse"]) for n, run_ in zip(sizes, out["expansion"])}
        out.update(_run_groups(r, tasks_for(c, t_r), "loschmidt_second", key))
    runs = {p: out[p] for p in PROTOCOLS}
    ds = assemble(c, sizes, runs, out["control"], out["lyapunov"], first["map"], out["map"])
    return stamp(ds, c, name=NAME, section=SECTION, claim=CLAIM)


__all__ = ["estimate", "run", "sizes_of", "tasks_for"]
