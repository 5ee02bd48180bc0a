"""Run ``steady_state``: the sheared fluid's four parts and the piston gases in one runner call.

Every part is cut into work items of a fixed number of chains, systems or gases (fixed by
the config alone), mapped over the runner's workers together, dearest first (load
balance); no result depends on the order or the number of workers.
"""

from __future__ import annotations

from neqlab.experiments._frame import Cost, owned_runner, stamp
from neqlab.experiments.steady_state.config import (CLAIM, GREEN_KUBO_EVERY, NAME, SECTION, WINDOW_CAP, Config,
                                                    coarse_records, piston_plan, record_every, steps_of, tail_sizes,
                                                    window_strides)
from neqlab.experiments.steady_state.schema import assemble
from neqlab.experiments.steady_state.tasks import (PARTS, Fluid, GreenKuboRun, LyapunovRun, PistonGases,
                                                   ShearFilm, SteadyShear, TransientChains, run_task)

CHAINS_PER_ITEM = 32
SYSTEMS_PER_ITEM = 8
GASES_PER_ITEM = 32
LYAPUNOV_SYSTEMS = 2
LYAPUNOV_SEGMENTS = 10
LYAPUNOV_TRANSIENT = 2.0  # [tau] of tangent dynamics before the segments
RENORM_EVERY = 25  # steps between re-orthonormalisations
TAIL_FRACTION = 4  # a tail size runs n_chains / 4 chains (the same starts per chain)


def _blocks(n: int, size: int) -> list[tuple[int, int]]:
    return [(lo, min(size, n - lo)) for lo in range(0, n, size)]


def fluid_of(config: Config, n_particles: int | None = None) -> Fluid:
    c = config
    return Fluid(n_particles or c.n_particles, c.density, c.kT, c.dt, c.thermostat, c.t_equilibrate)


def tasks_for(config: Config) -> dict[str, list]:
    """The work items by group: transient, tail (one list per size, concatenated), steady,
    green_kubo, lyapunov, piston (forward items, then reverse)."""
    c = config
    fl = fluid_of(c)
    n_samples = c.n_trajectories // c.n_chains
    trans = [TransientChains(fl, c.shear_rate, c.t_transient, n_samples, c.t_gap, PARTS["transient"], lo, n, c.seed)
             for lo, n in _blocks(c.n_chains, CHAINS_PER_ITEM)]
    tail = [TransientChains(fluid_of(c, size), c.shear_rate, c.t_transient, n_samples, c.t_gap, PARTS["tail"] + i,
                            lo, n, c.seed)
            for i, size in enumerate(tail_sizes(c))
            for lo, n in _blocks(max(2, c.n_chains // TAIL_FRACTION), CHAINS_PER_ITEM)]
    win = tuple(steps_of(w, c.dt) for w in c.windows)
    coarse = coarse_records(c)
    steady = [SteadyShear(fl, c.shear_rate, c.t_steady, record_every(c), win, window_strides(c), coarse, lo, n, c.seed)
              for lo, n in _blocks(c.n_steady_systems, SYSTEMS_PER_ITEM)]
    gk = [GreenKuboRun(fl, c.t_green_kubo, GREEN_KUBO_EVERY, lo, n, c.seed)
          for lo, n in _blocks(c.n_steady_systems, SYSTEMS_PER_ITEM)]
    lyap = [LyapunovRun(fluid_of(c, c.lyapunov_n_particles), c.shear_rate, c.t_lyapunov, LYAPUNOV_TRANSIENT,
                        LYAPUNOV_SEGMENTS, RENORM_EVERY, LYAPUNOV_SYSTEMS, c.seed)]
    pist = []
    for d, (a0, a1, before, after) in piston_plan(c).items():
        pist += [PistonGases(c.piston_n_particles, c.piston_density, c.kT, c.piston_dt, c.piston_period, a0, a1,
                             c.piston_n_transient, before, after, c.t_equilibrate, d, lo, n, c.seed)
                 for lo, n in _blocks(c.piston_n_replicas, GASES_PER_ITEM)]
    film = []
    if c.trajectory_every > 0:
        film = [ShearFilm(fl, c.shear_rate, max(1, steps_of(c.trajectory_every, c.dt)), c.trajectory_max_frames, c.seed)]
    return {"transient": trans, "tail": tail, "steady": steady, "green_kubo": gk, "lyapunov": lyap, "piston": pist,
            "film": film}


# single-core costs measured on the 2-core test machine (docs/experiments/steady_state.md)
SHEAR_SECONDS_PER_PARTICLE_STEP = 1.9e-6 / 56  # batched SLLOD, density 0.8
PISTON_SECONDS_PER_PARTICLE_STEP = 0.67e-6 / 32  # one gas per call, thermal walls, piston
LYAPUNOV_SECONDS_PER_TAU_56 = 0.167  # 221 tangent vectors at N = 56; ~ N^2 (tangent steps and QR)


def _cost(task) -> float:
    """Rough single-core seconds of one work item."""
    if isinstance(task, TransientChains):
        fl = task.fluid
        per = max(task.times) + task.t_gap
        n_steps = task.n_samples * per / fl.dt + 200 * 25
        return task.n_chains * n_steps * fl.n_particles * SHEAR_SECONDS_PER_PARTICLE_STEP * 1.1
    if isinstance(task, SteadyShear):
        return task.n_systems * (task.t_run + 10.0) / task.fluid.dt * task.fluid.n_particles \
            * SHEAR_SECONDS_PER_PARTICLE_STEP
    if isinstance(task, GreenKuboRun):
        return task.n_systems * task.t_run / task.fluid.dt * task.fluid.n_particles * SHEAR_SECONDS_PER_PARTICLE_STEP
    if isinstance(task, ShearFilm):
        return (task.every * task.n_frames + 10.0 / task.fluid.dt) * task.fluid.n_particles \
            * SHEAR_SECONDS_PER_PARTICLE_STEP
    if isinstance(task, LyapunovRun):
        return task.n_systems * (task.t_run + task.t_transient) * LYAPUNOV_SECONDS_PER_TAU_56 \
            * (task.fluid.n_particles / 56.0) ** 2
    periods = task.n_transient + task.n_before + task.n_after
    n_steps = (task.t_equilibrate + periods * task.period) / task.dt
    return task.n_replicas * n_steps * task.n_particles * PISTON_SECONDS_PER_PARTICLE_STEP


def estimate(config: Config) -> Cost:
    """Rough peak memory [bytes] and single-core time [s].

    Time: the items' costs at the rates measured on the test machine (shear 1.9 us per
    system-step at N = 56, piston 0.67 us per step at N = 32, a Lyapunov spectrum 0.17 s
    per tau at N = 56); memory: the steady-state records of one item, the stored windows,
    the transient samples and the Green-Kubo records.
    """
    c = config
    items = [t for g in tasks_for(c).values() for t in g]
    seconds = sum(_cost(t) for t in items)
    n_rec = steps_of(c.t_steady, c.dt) // record_every(c)
    memory = (8.0 * 3 * SYSTEMS_PER_ITEM * n_rec * 2 + 8.0 * c.n_trajectories * len(c.t_transient) * 2
              + 8.0 * WINDOW_CAP * len(c.windows) * 2
              + 8.0 * c.n_steady_systems * steps_of(c.t_green_kubo, c.dt) / GREEN_KUBO_EVERY + 2e8)
    return Cost(memory, seconds, ("n_trajectories", "t_transient", "t_steady", "t_lyapunov", "piston_n_replicas",
                                  "piston_n_periods"))


def run(config: Config, *, runner=None):
    """Run every part; return the dataset of :mod:`~neqlab.experiments.steady_state.schema`."""
    groups = tasks_for(config)
    items = [t for g in groups.values() for t in g]
    order = sorted(range(len(items)), key=lambda j: -_cost(items[j]))
    with owned_runner(runner) as r:
        done = r.map(run_task, [items[j] for j in order], name=NAME, key=config.to_json(), label=NAME)
    res = [None] * len(items)
    for j, out in zip(order, done):
        res[j] = out
    out, k = {}, 0
    for g, its in groups.items():
        out[g], k = res[k: k + len(its)], k + len(its)
    ds = assemble(config, groups, out)
    return stamp(ds, config, name=NAME, section=SECTION, claim=CLAIM)


__all__ = ["estimate", "run", "tasks_for"]
