"""Benchmark: the interacting-gas piston of ``crooks`` in one engine call per chunk, against
one ``advance`` per replica, timed in the same run on the same replicas (same bits, checked).

- ``crooks_gas_nN_batch_vs_advance`` (N = 4, 16, 64; rho0 = 0.2, the quick essay's
  drive: 5 tau in the bath, then L = 5 -> 2.5 sigma in 20 tau, dt = 0.004): drives per
  second of ``gas_piston_drive(method="batch")`` (the relaxations, drives and energies
  of a chunk of replicas in one numba call) against ``method="advance"`` (two
  ``advance`` and two ``potential_energy`` calls per replica), on the calling thread;
  both place their disks with the insertion kernel (its own gain is the next entry).
- ``crooks_place_n64_kernel_vs_python``: the random insertion of the start (64 disks,
  box 5 x 64 sigma) in a numba kernel drawing from the replica's Generator, against the
  Python insertion loop it replaced (the same draws).
- ``crooks_trap_overdamped_pairs_vs_single``: the overdamped Langevin kernel of the
  dragged trap (the quick run's main ensemble: 1500 steps of 0.001 tau), trajectories
  in interleaved pairs against the same step one trajectory at a time (the kernel
  before; same bits, checked), on the calling thread.
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
from numba import njit

from _timing import best_of

from neqlab.experiments.crooks import config as crooks_config
from neqlab.experiments.crooks.run import tasks_for
from neqlab.experiments.crooks.tasks import MIN_GAP, GasPistonDrive, gas_piston_drive, place
from neqlab.models.langevin import _kernels as LK
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
    t = best_of(fn, repeat)
    return t.wall, t.result


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


@njit(nogil=True)
def _one_at_a_time(x, keys, c, lam, scal, rec_every, work, heat, rec):
    """The overdamped kernel's loop before the pairs: one trajectory after another."""
    bad = 0
    for i in range(x.shape[0]):
        bad += LK._overdamped_one(i, x, keys, c, lam, scal, rec_every, work, heat, rec)
    return bad


def _trap_rates(m: int, repeat: int) -> tuple[float, float]:
    n = 1500
    c = np.array([[0.0, 1.0, 0.0, 0.0, 1.0, 1.0]])  # dragged trap, k = 1: U = (x - lam)^2 / 2
    lam = np.linspace(0.0, 3.0, n + 1)
    scal = np.array([1e-3, 1.0, 1.0])
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=(m, 1))
    k0 = rng.integers(0, 2**63, size=m).astype(np.uint64)

    def one(fn):
        x, k, w, q = x0.copy(), k0.copy(), np.zeros(m), np.zeros(m)
        fn(x, k, c, lam, scal, 0, w, q, np.empty((m, 0, 3)))
        return x, k, w, q

    one(LK.overdamped_run_serial), one(_one_at_a_time)  # compile
    tp, a = _best(lambda: one(LK.overdamped_run_serial), repeat)
    ts, b = _best(lambda: one(_one_at_a_time), repeat)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    return m * n / tp, m * n / ts


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
    p, o = _trap_rates(100 if smoke else 20_000, repeat)
    out["crooks_trap_overdamped_pairs_vs_single"] = {"value": p, "unit": "trajectory-steps/s", "baseline": o,
                                                     "ratio": p / o,
                                                     "baseline_name": "one trajectory at a time, 1 thread"}
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
