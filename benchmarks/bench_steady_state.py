"""Benchmark: the piston gases of ``steady_state`` — is one small gas per engine call too dear?

The oscillating piston runs many small gases (N <= 64, thermal walls, a moving wall),
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
periods, two work items of one gas and one repeat (checks that the benchmark still works).

    python benchmarks/bench_steady_state.py [--smoke]
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import time

from _machine import cpu_model
from neqlab.core.protocol import Cycle
from neqlab.experiments.steady_state.tasks import PistonGases, run_task
from neqlab.models.gas import Params, ThermalWalls, advance, lattice_gas
from neqlab.runner import Runner

RHO, KT, DT, PERIOD, AMP = 0.3, 1.0, 0.004, 10.0, 0.2
REPEAT = 3


def _best(fn, work: float, repeat: int = REPEAT) -> tuple[float, float]:
    """(CPU seconds per unit of work, wall seconds per unit), best of ``repeat`` after a warm-up."""
    fn()
    cpu = wall = math.inf
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return cpu / work, wall / work


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
    return out


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from run_all import print_table

    print_table(run(smoke="--smoke" in sys.argv))
