"""Benchmark: the interacting-gas piston of ``crooks`` in one engine call per chunk, against
one ``advance`` per replica, timed in the same run on the same replicas (same bits, checked).

- ``crooks_gas_nN_batch_vs_advance`` (N = 4, 16, 64; rho0 = 0.2, the quick essay's
  drive: 5 tau in the bath, then L = 5 -> 2.5 sigma in 20 tau, dt = 0.004): drives per
  second of ``gas_piston_drive(method="batch")`` (the relaxations, drives and energies
  of a chunk of replicas in one numba call) against ``method="advance"`` (two
  ``advance`` and two ``potential_energy`` calls per replica), on the calling thread.
- ``crooks_place_n64_kernel_vs_python``: the random insertion of the start (64 disks,
  box 5 x 64 sigma) in a numba kernel drawing from the replica's Generator, against the
  Python insertion loop it replaced (the same draws).
- ``crooks_quick_gas_2workers_batch_vs_advance``: every gas-piston ensemble of
  ``neqlab run crooks --scale quick`` (2 densities x N = 4, 16, 64 x 2 directions x 400
  drives) on a 2-worker runner, both ways: the gas part of the quick essay's crooks.

    python benchmarks/bench_crooks.py [--smoke]

``run(smoke=True)``: the same cases and code paths with 2-4 short drives (checks that
the benchmark still works; its figures mean nothing).
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import time

import numpy as np

from neqlab.experiments.crooks import config as crooks_config
from neqlab.experiments.crooks.run import tasks_for
from neqlab.experiments.crooks.tasks import MIN_GAP, GasPistonDrive, gas_piston_drive, place
from neqlab.runner import Runner

REPEAT = 3


def _python_place(n: int, lx: float, ly: float, rng: np.random.Generator) -> np.ndarray:
    """The insertion loop ``place`` ran in Python before its kernel (the same draws)."""
    x = np.empty((n, 2))
    k = 0
    while k < n:
        p = rng.uniform((0.0, 0.0), (lx, ly))
        if k and np.min(np.sum((x[:k] - p) ** 2, axis=1)) < MIN_GAP**2:
            continue
        x[k] = p
        k += 1
    return x


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _drive_rates(task: GasPistonDrive, n_drives: int, repeat: int) -> tuple[float, float]:
    reps = np.arange(n_drives)
    for m in ("batch", "advance"):
        gas_piston_drive(task, reps[:1], 0, method=m)  # compile (or load the cache)
    tb, b = _best(lambda: gas_piston_drive(task, reps, 0, method="batch"), repeat)
    ta, a = _best(lambda: gas_piston_drive(task, reps, 0, method="advance"), repeat)
    for k in a:
        assert np.array_equal(a[k], b[k]), k  # the same bits, or the comparison means nothing
    return n_drives / tb, n_drives / ta


def _place_rates(n: int, repeat: int, draws: int) -> tuple[float, float]:
    lx, ly = 5.0, n / (0.2 * 5.0)
    place(n, lx, ly, np.random.default_rng(0))  # compile

    def many(fn):
        return [fn(n, lx, ly, np.random.default_rng(s)) for s in range(draws)]

    tk, xk = _best(lambda: many(place), repeat)
    tp, xp = _best(lambda: many(_python_place), repeat)
    assert all(np.array_equal(a, b) for a, b in zip(xk, xp))
    return draws / tk, draws / tp


def _quick_gas(smoke: bool) -> tuple[float, float, int]:
    cfg = crooks_config.SCALES["quick"]
    if smoke:
        cfg = dataclasses.replace(cfg, gas_piston_replicas=20, gas_piston_t_drive=1.0, gas_piston_t_equilibrate=0.1,
                                  gas_piston_n=(4,), gas_piston_density=(0.2,))
    gas = {k: v for k, v in tasks_for(cfg).items() if k.startswith("crooks_gas_")}
    times = {}
    outs = {}
    for method in ("batch", "advance"):
        with Runner(workers=2, progress=False) as r:
            t0 = time.perf_counter()
            outs[method] = {k: r.ensemble(functools.partial(gas_piston_drive, task, method=method), n, seed=cfg.seed)
                            for k, (task, n) in gas.items()}
            times[method] = time.perf_counter() - t0
    for k in gas:
        assert all(np.array_equal(outs["batch"][k][q], outs["advance"][k][q]) for q in outs["batch"][k])
    n_drives = sum(n for _, n in gas.values())
    return n_drives / times["batch"], n_drives / times["advance"], n_drives


def run(smoke: bool = False) -> dict:
    """``smoke``: 2 drives of 0.5 tau per size, 2 insertions, a 20-drive quick gas part of 1 tau drives, one repeat."""
    repeat = 1 if smoke else REPEAT
    n_drives = 2 if smoke else 40
    out = {}
    for n in (4, 16, 64):
        task = GasPistonDrive(n=n, density=0.2, length=5.0, kT=1.0, t_drive=0.5 if smoke else 20.0,
                              t_equilibrate=0.1 if smoke else 5.0, dt=0.004, forward=True, sub=2)
        b, a = _drive_rates(task, n_drives, repeat)
        out[f"crooks_gas_n{n}_batch_vs_advance"] = {
            "value": b, "unit": "drives/s", "baseline": a, "ratio": b / a,
            "baseline_name": "one advance per replica (method='advance'), 1 thread"}
    k, p = _place_rates(64, repeat, 2 if smoke else 200)
    out["crooks_place_n64_kernel_vs_python"] = {"value": k, "unit": "starts/s", "baseline": p, "ratio": k / p,
                                                "baseline_name": "Python insertion loop, same draws"}
    b, a, total = _quick_gas(smoke)
    out["crooks_quick_gas_2workers_batch_vs_advance"] = {
        "value": b, "unit": "drives/s", "baseline": a, "ratio": b / a,
        "baseline_name": f"the quick run's {total} gas drives, one advance per replica, 2 workers"}
    return out


if __name__ == "__main__":
    from _machine import machine
    from run_all import print_table  # this directory is on sys.path when run as a script

    print(f"CPU: {machine()}", file=sys.stderr)
    print_table(run(smoke="--smoke" in sys.argv))
