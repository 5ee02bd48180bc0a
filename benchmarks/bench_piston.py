"""Benchmark: the piston ensembles of ``crooks`` (ideal gas, event-driven; interacting gas, MD).

Timed in the same run:

- Ideal-gas piston (1D, thermal wall at 0, piston L0 = 1 -> 0.5 at speed 0.5, kT = 1):
  the numba event-driven kernel on 1 and 2 cores against a vectorised NumPy version of
  the same event loop (all particles advanced one collision per sweep, PCG64 draws).
  Rate: particle drives per second (one particle from equilibrium through the drive).
- Interacting piston (2D WCA, N = 16, rho0 = 0.2, thermal walls, the crooks defaults:
  t_equilibrate = 5, t_drive = 20, dt = 0.004): drives per second on 1 and 2 runner workers,
  and the particle-steps per second inside them against the engine's bulk rate (the
  same Verlet kernel, N = 20 000 periodic WCA gas at rho = 0.5, 1 thread): the ratio
  is the efficiency of the engine on many small systems.

    python benchmarks/bench_piston.py [--smoke]

``run(smoke=True)``: the same cases and code paths with few particles and drives, one
repeat (checks that the benchmark still works; its figures mean nothing).
"""

from __future__ import annotations

import functools
import time

import numba
import numpy as np

from neqlab.experiments.crooks.tasks import GasPistonDrive, gas_piston_drive
from neqlab.models.gas import Params, advance, lattice_gas
from neqlab.models.piston import PistonParams, run as piston_run
from neqlab.runner import Runner

M_IDEAL = 1_000_000
REPEAT = 3
PP = PistonParams(L0=1.0, L1=0.5, t_move=1.0, kT=1.0)  # piston speed 0.5


def _check_jarzynski(e: np.ndarray) -> None:
    """<exp(-W/kT)> = 1/2 exactly for L0 -> L0/2; 0.005 is 10 standard errors at M = 1e6
    (about 5e-4); smaller smoke ensembles use 4 of their own standard errors if that is wider."""
    jar = float(np.mean(e))
    tol = max(0.005, 4.0 * float(np.std(e)) / np.sqrt(e.size))
    assert abs(jar - 0.5) < tol, (jar, tol)


def _ideal_kernel_rate(threads: int, m: int = M_IDEAL, repeat: int = REPEAT) -> float:
    numba.set_num_threads(threads)
    piston_run(PP, seed=0, replicas=np.arange(100))  # compile
    best = np.inf
    for _ in range(repeat):  # best of REPEAT: the first call also pays the page faults of its arrays
        t0 = time.perf_counter()
        out = piston_run(PP, seed=0, replicas=np.arange(m))
        best = min(best, time.perf_counter() - t0)
    rate = m / best
    _check_jarzynski(np.exp(-out["work"]))
    return rate


def _ideal_numpy_block(rng: np.random.Generator, m: int) -> np.ndarray:
    """The same drive for m particles, one event per particle per sweep; returns exp(-W/kT) per particle."""
    L0, L1, kT = PP.L0, PP.L1, PP.kT
    t_move = PP.t_move
    u_move = (L1 - L0) / t_move
    sig = np.sqrt(kT)
    x = L0 * rng.random(m)
    v = sig * rng.standard_normal(m)
    t = np.zeros(m)
    w = np.zeros(m)
    act = np.arange(m)
    while act.size:
        xa, va, ta = x[act], v[act], t[act]
        pis = L0 + u_move * ta  # every tracked particle is inside the drive (t < t_move)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_wall = np.where(va < 0, xa / -va, np.inf)
            t_pis = np.where(va > u_move, (pis - xa) / (va - u_move), np.inf)
        t_hit = np.minimum(t_wall, t_pis)
        done = ta + t_hit >= t_move  # no further collision before the piston stops: W is final
        hit_wall = ~done & (t_wall <= t_pis)
        hit_pis = ~done & ~hit_wall
        tn = np.where(done, t_move, ta + t_hit)
        xn = np.where(hit_wall, 0.0, np.where(hit_pis, L0 + u_move * tn, xa + va * (tn - ta)))
        vn = va.copy()
        nw = int(hit_wall.sum())
        vn[hit_wall] = sig * np.sqrt(-2.0 * np.log1p(-rng.random(nw)))
        vp = 2.0 * u_move - va[hit_pis]
        w[act[hit_pis]] += 0.5 * (vp * vp - va[hit_pis] ** 2)
        vn[hit_pis] = vp
        x[act], v[act], t[act] = xn, vn, tn
        act = act[~done]
    return np.exp(-w)


def _ideal_numpy_rate(m: int = M_IDEAL, repeat: int = REPEAT) -> float:
    rng = np.random.Generator(np.random.PCG64(1))
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        e = _ideal_numpy_block(rng, m)
        best = min(best, time.perf_counter() - t0)
    rate = m / best
    _check_jarzynski(e)  # same physics as the kernel
    return rate


GAS = GasPistonDrive(n=16, density=0.2, length=5.0, kT=1.0, t_drive=20.0, t_equilibrate=5.0, dt=0.004,
                     forward=True, sub=2)  # the crooks run's stream for rho0 = 0.2 (density index 1), forward


def _gas_drive_rate(workers: int, n_drives: int = 300) -> float:
    task = functools.partial(gas_piston_drive, GAS)
    gas_piston_drive(GAS, np.arange(2), 0)  # compile
    with Runner(workers=workers, progress=False) as r:
        t0 = time.perf_counter()
        out = r.ensemble(task, n_drives, seed=0)
        rate = n_drives / (time.perf_counter() - t0)
    assert out["work"].mean() > GAS.n * np.log(2.0)  # second law: <W> > dF (ideal part alone)
    return rate


def _bulk_rate(n: int = 20_000, steps: int = 200) -> float:
    p = Params(dt=0.004)
    s = lattice_gas(n, 0.5, 1.0, 2, seed=0)
    s = advance(s, p, 10)  # compile and settle the lists
    t0 = time.perf_counter()
    advance(s, p, steps)
    return n * steps / (time.perf_counter() - t0)


def run(smoke: bool = False) -> dict:
    """``smoke``: 10^4 ideal particles, 4 gas drives, a 2000-particle bulk, one repeat."""
    m, repeat, n_drives, n_bulk, bulk_steps = (10_000, 1, 4, 2000, 50) if smoke else (M_IDEAL, REPEAT, 300, 20_000, 200)
    i1, i2 = _ideal_kernel_rate(1, m, repeat), _ideal_kernel_rate(2, m, repeat)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    inp = _ideal_numpy_rate(m, repeat)
    g1, g2 = _gas_drive_rate(1, n_drives), _gas_drive_rate(2, n_drives)
    bulk = _bulk_rate(n_bulk, bulk_steps)
    steps = round((GAS.t_equilibrate + GAS.t_drive) / GAS.dt)
    ps1 = g1 * GAS.n * steps
    return {
        "piston_ideal_1core_vs_numpy": {"value": i1, "unit": "drives/s", "baseline": inp, "ratio": i1 / inp,
                                        "baseline_name": "NumPy vectorised event loop, 1 thread"},
        "piston_ideal_2cores_vs_numpy": {"value": i2, "unit": "drives/s", "baseline": inp, "ratio": i2 / inp,
                                         "baseline_name": "NumPy vectorised event loop, 1 thread"},
        "piston_gas_n16_2workers_vs_1": {"value": g2, "unit": "drives/s", "baseline": g1, "ratio": g2 / g1,
                                         "baseline_name": "same drives on 1 runner worker"},
        "piston_gas_n16_1core_vs_bulk_md": {"value": ps1, "unit": "particle-steps/s", "baseline": bulk,
                                            "ratio": ps1 / bulk,
                                            "baseline_name": f"engine bulk rate, N = {n_bulk}, 1 thread"},
    }


if __name__ == "__main__":
    from run_all import print_table  # this directory is on sys.path when run as a script

    import sys

    print_table(run(smoke="--smoke" in sys.argv))
