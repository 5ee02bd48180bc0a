"""Benchmark: ``steady_state``'s work — the piston gases, and the sheared fluid's paths new vs old.

Sheared fluid (:func:`shear_paths`; process CPU time, old and new timed alternately in
the same run, median of 3): the offset moves' potential energies of 32 systems (N = 56)
by one batch kernel against the former Python loop of three kernel calls per system; the
run loop of a one-thread work item by the serial kernel against the former prange kernel
on one numba thread; and one transient work item of the quick scale end to end on both
paths, whose outputs must be equal bit for bit (the benchmark raises otherwise).

Piston gases. The oscillating piston runs many small gases (N <= 64, thermal walls, a moving wall),
each through :func:`neqlab.models.gas.advance` once per period. Timed in the same run:

- the cost per step of one gas against N (4 .. 64): a fixed per-step cost would show as a
  floor at small N (what a batched many-gases kernel would remove);
- one period per call (the experiment) against ten periods per call: the per-call
  overhead of the Python wrapper;
- the experiment's work items (:class:`~neqlab.experiments.steady_state.tasks.PistonGases`)
  on the runner with 1 and 2 workers: the parallelism over gases that the runner's items
  give without a batched kernel.

Process CPU time per step (robust on a loaded machine) and wall-clock rates, best of 3;
prints the CPU model (lscpu) and the load average. ``run()`` returns the figures as
ratios for ``run_all.py``; ``run(smoke=True)`` runs the same cases with N = 4 and 8, two
periods, two work items of one gas and one repeat, and a transient item of 2 chains and 2
starts (checks that the benchmark still works).

    python benchmarks/bench_steady_state.py [--smoke]
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import statistics
import sys
import time

import numba
import numpy as np

from _machine import cpu_model
from _timing import best_of
from neqlab.core.protocol import Cycle
from neqlab.experiments.steady_state import tasks as steady_tasks
from neqlab.experiments.steady_state.config import SCALES
from neqlab.experiments.steady_state.run import tasks_for
from neqlab.experiments.steady_state.tasks import PistonGases, run_task
from neqlab.models import shear
from neqlab.models.gas import Params, ThermalWalls, advance, lattice_gas
from neqlab.models.shear import _kernels as K
from neqlab.models.shear.dynamics import kernel_params, thermostat_code
from neqlab.runner import Runner

RHO, KT, DT, PERIOD, AMP = 0.3, 1.0, 0.004, 10.0, 0.2
REPEAT = 3


def _best(fn, work: float, repeat: int = REPEAT) -> tuple[float, float]:
    """(CPU seconds per unit of work, wall seconds per unit), best of ``repeat`` after a warm-up."""
    t = best_of(fn, repeat, warm=True)
    return t.cpu / work, t.wall / work


def _gas(n: int):
    p = Params(dt=DT)
    s = lattice_gas(n, RHO, KT, 2, seed=0, periodic=False, aspect=(1.0, 1.0))
    walls = ThermalWalls(KT, 1)
    s = advance(s, p, 500, bath=walls)
    cyc = Cycle(float(s.box[0]), AMP, PERIOD)
    return dataclasses.replace(s, time=0.0), p, walls, cyc


def per_step(n: int, periods_per_call: int = 1, n_periods: int = 4, repeat: int = REPEAT) -> tuple[float, float]:
    s0, p, walls, cyc = _gas(n)
    steps = int(round(PERIOD / DT))

    def go():
        s = s0
        for _ in range(n_periods // periods_per_call):
            s = advance(dataclasses.replace(s, time=0.0), p, steps * periods_per_call, piston=cyc, bath=walls)

    return _best(go, n_periods * steps, repeat)


def items_rate(workers: int, n_items: int = 4, gases_per_item: int = 4, n_periods: int = 2) -> float:
    """Wall seconds of ``n_items`` work items of ``gases_per_item`` gases (N = 32), ``n_periods``
    before and after the amplitude change, on ``workers`` runner workers (after a warm-up item)."""
    items = [PistonGases(32, RHO, KT, DT, PERIOD, AMP, 0.14, 0, n_periods, n_periods, 1.0, 0, first, gases_per_item, 0)
             for first in range(0, n_items * gases_per_item, gases_per_item)]
    with Runner(workers=workers, progress=False) as r:
        r.map(run_task, items[:1])  # warm-up
        t0 = time.perf_counter()
        r.map(run_task, items)
        return time.perf_counter() - t0


# ----------------------------------------------------------------------------- sheared fluid
def _old_potential_energy(state, params):
    """The former path: a Python loop over systems, three generic kernel calls each
    (every pair's list, the forces, the observables)."""
    prm = kernel_params(state, params)
    m, n, d = state.positions.shape
    f = np.empty((n, d))
    obs = np.empty(4)
    acc = np.zeros(3)
    pi = np.empty(n * (n - 1) // 2, np.int32)
    pj = np.empty(n * (n - 1) // 2, np.int32)
    epot = np.empty(m)
    for s in range(m):
        x = state.positions[s]
        npairs, pi, pj = K.make_list(x, float(state.offset[s]), prm, K.ALL_PAIRS, pi, pj)
        K.forces(x, float(state.offset[s]), prm, pi, pj, npairs, f, acc)
        epot[s] = acc[0]
        K.observe(state.momenta[s], f, acc[1], params.shear_rate, thermostat_code(params), state.volume, obs)
    return epot


@contextlib.contextmanager
def old_path():
    """steady_state's sheared fluid on the former path: energies by :func:`_old_potential_energy`,
    one-thread runs through the prange kernel on one numba thread."""
    saved = steady_tasks.potential_energy, K.RUN_BATCH[2, False], numba.get_num_threads()
    steady_tasks.potential_energy = _old_potential_energy
    K.RUN_BATCH[2, False] = K.RUN_BATCH[2, True]
    numba.set_num_threads(1)
    try:
        yield
    finally:
        steady_tasks.potential_energy, K.RUN_BATCH[2, False], threads = saved
        numba.set_num_threads(threads)


def _alternate(new, old, repeat: int) -> tuple[float, float]:
    """Median process CPU seconds of ``new()`` and ``old()`` (each run once first), alternating."""
    def cpu(fn):
        c0 = time.process_time()
        fn()
        return time.process_time() - c0

    new(), old()
    a, b = [], []
    for _ in range(repeat):
        a.append(cpu(new))
        b.append(cpu(old))
    return statistics.median(a), statistics.median(b)


def shear_paths(smoke: bool = False) -> dict:
    """The sheared fluid's new paths against the old ones (module docstring)."""
    repeat = 1 if smoke else REPEAT
    m, n_steps, calls = (4, 50, 20) if smoke else (32, 2500, 500)
    p = shear.ShearParams(dt=0.004, shear_rate=0.2, thermostat="isoenergetic", threads=1)
    s = shear.advance(shear.lattice_state(56, 0.8, 1.0, n_systems=m, seed=0), p, 200)
    out = {}
    e_new, e_old = _alternate(lambda: [shear.potential_energy(s, p) for _ in range(calls)],
                              lambda: [_old_potential_energy(s, p) for _ in range(calls)], repeat)
    if not np.array_equal(shear.potential_energy(s, p), _old_potential_energy(s, p)):
        raise AssertionError("the batch potential energies differ from the per-system loop")
    out[f"steady_state_offset_move_energies_m{m}_n56"] = {
        "value": e_new / calls * 1e6, "unit": "CPU us/call", "baseline": e_old / calls * 1e6, "ratio": e_old / e_new,
        "baseline_name": "Python loop over systems, 3 kernel calls each (former path)"}

    def run_old():
        with old_path():
            shear.advance(s, p, n_steps)

    r_new, r_old = _alternate(lambda: shear.advance(s, p, n_steps), run_old, repeat)
    out[f"steady_state_shear_run_1thread_m{m}_n56"] = {
        "value": r_new / (m * n_steps) * 1e6, "unit": "CPU us/system-step", "baseline": r_old / (m * n_steps) * 1e6,
        "ratio": r_old / r_new, "baseline_name": "prange kernel on 1 numba thread (former path)"}

    item = tasks_for(SCALES["quick"])["transient"][0]
    if smoke:
        item = dataclasses.replace(item, n_chains=2, n_samples=2)
    res = {}

    def item_new():
        res["new"] = run_task(item)

    def item_old():
        with old_path():
            res["old"] = run_task(item)

    t_new, t_old = _alternate(item_new, item_old, repeat)
    if not np.array_equal(res["new"]["omega"], res["old"]["omega"]):
        raise AssertionError("the transient work item differs between the new and the old path")
    out["steady_state_transient_item_quick"] = {
        "value": t_new, "unit": "CPU s/item", "baseline": t_old, "ratio": t_old / t_new,
        "baseline_name": f"same item ({item.n_chains} chains x {item.n_samples} starts), former path; same bits"}
    return out


def run(smoke: bool = False) -> dict:
    """The figures of :func:`main` as ratios (the lines are printed to stderr as well)."""
    sizes, n_periods, repeat = ((4, 8), 2, 1) if smoke else ((4, 8, 16, 32, 64), 4, REPEAT)
    n_call, many = (8, 2) if smoke else (32, 10)  # one period per call against ``many``
    n_items, per_item, item_periods = (2, 1, 1) if smoke else (4, 4, 2)
    log = sys.stderr
    print(f"CPU: {cpu_model()}; load average {os.getloadavg()[0]:.2f}", file=log)
    print(f"one gas per call, thermal walls and piston, density {RHO}, dt {DT}:", file=log)
    out: dict[str, dict] = {}
    base = None
    for n in sizes:
        cpu, _ = per_step(n, 1, n_periods, repeat)
        base = base or cpu
        print(f"  N = {n:2d}: {cpu * 1e6:6.3f} us CPU per step ({cpu / n * 1e9:6.1f} ns per particle-step), "
              f"ratio to N = {sizes[0]}: {cpu / base:5.2f}", file=log)
        out[f"steady_state_gas_n{n}_cpu_per_step"] = {
            "value": cpu * 1e6, "unit": "CPU us/step", "baseline": base * 1e6, "ratio": cpu / base,
            "baseline_name": f"the same at N = {sizes[0]} (ratio: cost growth)"}
    one, _ = per_step(n_call, 1, many, repeat)
    ten, _ = per_step(n_call, many, many, repeat)
    print(f"N = {n_call}, one period per call / {many} periods per call: {one / ten:.3f} (per-call overhead)", file=log)
    out[f"steady_state_gas_n{n_call}_1_vs_{many}_periods_per_call"] = {
        "value": one * 1e6, "unit": "CPU us/step", "baseline": ten * 1e6, "ratio": one / ten,
        "baseline_name": f"{many} periods per call (ratio: per-call overhead)"}
    w1 = items_rate(1, n_items, per_item, item_periods)
    w2 = items_rate(2, n_items, per_item, item_periods)
    n_gases = n_items * per_item
    print(f"{n_gases} piston gases in {n_items} items: {w1:.2f} s wall on 1 worker, {w2:.2f} s on 2 "
          f"(speed-up {w1 / w2:.2f}); load average {os.getloadavg()[0]:.2f}", file=log)
    out[f"steady_state_{n_gases}_gases_{n_items}_items_2workers_vs_1"] = {
        "value": w2, "unit": "s", "baseline": w1, "ratio": w1 / w2,
        "baseline_name": "same items on 1 runner worker (ratio = baseline / value)"}
    print(f"sheared fluid, new path against the former one (CPU time, median of {1 if smoke else REPEAT}); "
          f"load average {os.getloadavg()[0]:.2f}", file=log)
    sh = shear_paths(smoke)
    for name, r in sh.items():
        print(f"  {name}: {r['value']:.4g} {r['unit']} against {r['baseline']:.4g} (ratio {r['ratio']:.2f})", file=log)
    out.update(sh)
    return out


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from run_all import print_table

    print_table(run(smoke="--smoke" in sys.argv))
