"""Benchmark: the sheared fluid (SLLOD, N = 56 WCA disks, rho = 0.8, gamma = 0.5, isokinetic).

Timed in the same run:

- the batched kernel (M = 512 systems in one call, prange over systems) on 1 and 2
  threads against the same trajectories run one system per call (1 thread);
- the pair list against all pairs at N = 56 (both batched, 1 thread);
- the engine's plain Verlet (``neqlab.models.gas``, one system of 56 disks per call, no
  shear or thermostat) as the reference rate of one small system today;
- the Lyapunov spectrum (221 vectors of the constraint surface, 1 thread): seconds per
  unit of simulated time, split into the tangent steps and the LAPACK QR.

Rates are system-steps per second (trajectory-steps) of wall-clock time, best of 3;
the single-thread entries also give the process CPU time per system-step, which a
loaded shared machine disturbs much less. Prints the CPU model (lscpu) and the load.

    python benchmarks/bench_shear.py [--smoke]

``run(smoke=True)``: the same cases and kernels (N = 56) with 16 systems, 20 steps per
call, one repeat and 50 tangent steps (checks that the benchmark still works).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time

import numba
import numpy as np

from _machine import cpu_model
from _timing import best_of
from neqlab.models import gas
from neqlab.models.shear import ShearParams, advance, equilibrium_ensemble, tangent_step
from neqlab.observables import shear as obs

N, RHO, GAMMA = 56, 0.8, 0.5
M = 512
STEPS = 200
REPEAT = 3


def _best(fn, work: float, repeat: int = REPEAT) -> tuple[float, float]:
    """(work per wall second, CPU seconds per unit of work), best of ``repeat`` after a warm-up."""
    t = best_of(fn, repeat, warm=True)  # the warm-up call compiles
    return work / t.wall, t.cpu / work


def _batched_rate(s, p, steps: int = STEPS, repeat: int = REPEAT):
    return _best(lambda: advance(s, p, steps), s.n_systems * steps, repeat)


def _one_per_call_rate(s, p, n_sys: int = 64, steps: int = STEPS, repeat: int = REPEAT):
    singles = [s.select([i]) for i in range(n_sys)]
    return _best(lambda: [advance(x, p, steps) for x in singles], n_sys * steps, repeat)


def _gas_rate(n_sys: int = 64, steps: int = STEPS, repeat: int = REPEAT):
    gp = gas.Params(dt=0.004)
    g0 = gas.advance(gas.lattice_gas(N, RHO, 1.0, 2, seed=0), gp, 250)
    states = [g0.copy() for _ in range(n_sys)]
    return _best(lambda: [gas.advance(g, gp, steps) for g in states], n_sys * steps, repeat)


def _lyapunov_cost(s, p, n_steps: int = 250) -> tuple[float, float]:
    """(tangent seconds, QR seconds) per unit time for one system, renormalising every 25 steps."""
    one = s.select([0])
    q = obs._qr(np.random.default_rng(0).normal(size=(1, 4 * N, 4 * N - 3)))[0]
    tangent_step(one, p, q, 25)
    t0 = time.perf_counter()
    _, t, _ = tangent_step(one, p, q, n_steps)
    t_tan = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(n_steps // 25):
        obs._qr(t)
    t_qr = time.perf_counter() - t0
    per_unit = 1.0 / (n_steps * p.dt)
    return t_tan * per_unit, t_qr * per_unit


def run(smoke: bool = False) -> dict:
    """``smoke``: 16 systems, 20 steps per call, one repeat, 50 tangent steps (make test runs it)."""
    print(f"CPU: {cpu_model()}; numba threads available: {numba.config.NUMBA_NUM_THREADS}; "
          f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    m, steps, repeat, n_single, n_tangent = (16, 20, 1, 4, 50) if smoke else (M, STEPS, REPEAT, 64, 250)
    p1 = ShearParams(shear_rate=GAMMA, threads=1)
    s = advance(equilibrium_ensemble(N, RHO, 1.0, n_systems=m, seed=0, t_eq=0.1 if smoke else 1.0), p1,
                10 if smoke else 100)
    b1, c1 = _batched_rate(s, p1, steps, repeat)
    b2, _ = _batched_rate(s, dataclasses.replace(p1, threads=2), steps, repeat)
    single, c_single = _one_per_call_rate(s, p1, n_single, steps, repeat)
    allp, c_allp = _batched_rate(s, dataclasses.replace(p1, neighbours="all_pairs"), steps, repeat)
    g, c_gas = _gas_rate(n_single, steps, repeat)
    tan, qr = _lyapunov_cost(s, p1, n_tangent)
    return {
        "shear_n56_batched_1core_cpu_per_step": {
            "value": c1 * 1e6, "unit": "CPU us/system-step", "baseline": c_single * 1e6, "ratio": c_single / c1,
            "baseline_name": "one system per call (ratio: CPU-time speed-up)"},
        "shear_n56_pair_list_vs_all_pairs_cpu": {
            "value": c1 * 1e6, "unit": "CPU us/system-step", "baseline": c_allp * 1e6, "ratio": c_allp / c1,
            "baseline_name": "all pairs every step (ratio: CPU-time speed-up)"},
        "shear_n56_vs_gas_verlet_cpu": {
            "value": c1 * 1e6, "unit": "CPU us/system-step", "baseline": c_gas * 1e6, "ratio": c_gas / c1,
            "baseline_name": "gas engine Verlet, NVE, one per call (ratio: speed-up)"},
        "shear_n56_batched_1core_vs_one_per_call": {
            "value": b1, "unit": "system-steps/s", "baseline": single, "ratio": b1 / single,
            "baseline_name": "same kernel, one system per call, 1 thread"},
        "shear_n56_batched_2cores_vs_one_per_call": {
            "value": b2, "unit": "system-steps/s", "baseline": single, "ratio": b2 / single,
            "baseline_name": "same kernel, one system per call, 1 thread"},
        "shear_n56_pair_list_vs_all_pairs": {
            "value": b1, "unit": "system-steps/s", "baseline": allp, "ratio": b1 / allp,
            "baseline_name": "all pairs every step, batched, 1 thread"},
        "shear_n56_batched_1core_vs_gas_verlet": {
            "value": b1, "unit": "system-steps/s", "baseline": g, "ratio": b1 / g,
            "baseline_name": "gas engine Verlet (NVE, no shear), one system per call"},
        "shear_n56_lyapunov_221_vectors": {
            "value": tan + qr, "unit": "s per tau", "baseline": tan, "ratio": (tan + qr) / tan,
            "baseline_name": "its tangent steps alone (rest: QR every 25 steps)"},
    }


if __name__ == "__main__":
    from run_all import print_table  # this directory is on sys.path when run as a script

    print_table(run(smoke="--smoke" in sys.argv))
