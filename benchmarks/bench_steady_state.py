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
prints the CPU model (lscpu) and the load average.

    python benchmarks/bench_steady_state.py
"""

from __future__ import annotations

import dataclasses
import math
import os
import subprocess
import time

from neqlab.core.protocol import Cycle
from neqlab.experiments.steady_state.tasks import PistonGases, run_task
from neqlab.models.gas import Params, ThermalWalls, advance, lattice_gas
from neqlab.runner import Runner

RHO, KT, DT, PERIOD, AMP = 0.3, 1.0, 0.004, 10.0, 0.2
REPEAT = 3


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name:")),
                "unknown")


def _best(fn, work: float) -> tuple[float, float]:
    """(CPU seconds per unit of work, wall seconds per unit), best of REPEAT after a warm-up."""
    fn()
    cpu = wall = math.inf
    for _ in range(REPEAT):
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


def per_step(n: int, periods_per_call: int = 1, n_periods: int = 4) -> tuple[float, float]:
    s0, p, walls, cyc = _gas(n)
    steps = int(round(PERIOD / DT))

    def go():
        s = s0
        for _ in range(n_periods // periods_per_call):
            s = advance(dataclasses.replace(s, time=0.0), p, steps * periods_per_call, piston=cyc, bath=walls)

    return _best(go, n_periods * steps)


def items_rate(workers: int) -> float:
    items = [PistonGases(32, RHO, KT, DT, PERIOD, AMP, 0.14, 0, 2, 2, 1.0, 0, first, 4, 0) for first in range(0, 16, 4)]
    with Runner(workers=workers, progress=False) as r:
        r.map(run_task, items[:1])  # warm-up
        t0 = time.perf_counter()
        r.map(run_task, items)
        return time.perf_counter() - t0


def main() -> None:
    print(f"CPU: {cpu_model()}; load average {os.getloadavg()[0]:.2f}")
    print("one gas per call, thermal walls and piston, density 0.3, dt 0.004:")
    base = None
    for n in (4, 8, 16, 32, 64):
        cpu, wall = per_step(n)
        base = base or cpu
        print(f"  N = {n:2d}: {cpu * 1e6:6.3f} us CPU per step ({cpu / n * 1e9:6.1f} ns per particle-step), "
              f"ratio to N = 4: {cpu / base:5.2f}")
    one, _ = per_step(32, 1, 10)
    ten, _ = per_step(32, 10, 10)
    print(f"N = 32, one period per call / ten periods per call: {one / ten:.3f} (per-call overhead)")
    w1, w2 = items_rate(1), items_rate(2)
    print(f"16 piston gases in 4 items: {w1:.2f} s wall on 1 worker, {w2:.2f} s on 2 (speed-up {w1 / w2:.2f}); "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
