"""Benchmark: overdamped dragged trap, M = 10^6 trajectories x 1000 steps, float64.

Timed in the same run: the neqlab kernel (per-trajectory counter-based ziggurat
noise, deterministic for any thread count) on 1 and 2 cores; the raw rate of that
normal generator alone; and a blocked, in-place NumPy version (blocks of 65 536
trajectories, PCG64 normals) on 1 and 2 threads. Rates are trajectory-steps per
second. Targets (issue 7): >= 1.0e8 per core, >= 1.8e8 on 2 cores.

    python benchmarks/bench_langevin.py            # prints a table
"""

from __future__ import annotations

import concurrent.futures as cf
import time

import numba
import numpy as np

from neqlab.core.protocol import Ramp
from neqlab.models.langevin import LangevinParams, advance, dragged_trap, equilibrium_state, trajectory_keys
from neqlab.models.langevin import _kernels as K

M, N_STEPS, DT = 1_000_000, 1000, 1e-3
BLOCK = 65_536


def _tolerance(m: int) -> float:
    """|<W> - 0.3679| bound: 0.01, or 4 standard errors (Var W = 2 kT <W>) for a small ensemble."""
    return max(0.01, 4.0 * np.sqrt(2 * 0.3679 / m))


def _kernel_rate(threads: int, m: int = M) -> float:
    numba.set_num_threads(threads)
    pot, params = dragged_trap(), LangevinParams(dt=DT)
    proto = Ramp(0.0, 1.0, N_STEPS * DT)
    state = equilibrium_state(pot, 0.0, params, seed=0, replicas=np.arange(m))
    advance(equilibrium_state(pot, 0.0, params, seed=0, replicas=np.arange(64)), pot, proto, params, 10)  # compile
    t0 = time.perf_counter()
    end, _ = advance(state, pot, proto, params, N_STEPS)
    rate = m * N_STEPS / (time.perf_counter() - t0)
    mean_w = float(end.work.mean())
    assert abs(mean_w - 0.3679) < _tolerance(m), mean_w  # <W> = 1 - e^{-1} for k = v = gamma = kT = 1
    return rate


def _raw_normal_rate(threads: int, n_streams: int = 200_000, per_stream: int = 1000) -> float:
    numba.set_num_threads(threads)
    keys = trajectory_keys(0, np.arange(n_streams))  # the default noise stream
    K.sum_normals(keys[:10], 10)
    t0 = time.perf_counter()
    K.sum_normals(keys, per_stream)
    return n_streams * per_stream / (time.perf_counter() - t0)


def _numpy_block(rng: np.random.Generator, m: int) -> float:
    """One block of the in-place NumPy integrator; returns the mean work (a check)."""
    k, gamma, kT, v = 1.0, 1.0, 1.0, 1.0
    mob, amp = DT / gamma, np.sqrt(2 * kT * DT / gamma)
    x = rng.standard_normal(m)
    w = np.zeros(m)
    z = np.empty(m)
    d = np.empty(m)
    for t in range(N_STEPS):
        lam1 = v * DT * (t + 1)
        np.subtract(x, lam1 - 0.5 * v * DT, out=d)  # W_n = -k (x - lam_mid) dlam, exact for a quadratic
        np.multiply(d, k * v * DT, out=d)
        w -= d
        rng.standard_normal(out=z)
        np.subtract(x, lam1, out=d)
        x -= (mob * k) * d
        x += amp * z
    return float(w.mean())


def _numpy_rate(threads: int, m: int = M) -> float:
    blocks = [min(BLOCK, m - lo) for lo in range(0, m, BLOCK)]
    rngs = [np.random.Generator(np.random.PCG64(j)) for j in range(len(blocks))]
    t0 = time.perf_counter()
    if threads == 1:
        means = [_numpy_block(r, b) for r, b in zip(rngs, blocks)]
    else:
        with cf.ThreadPoolExecutor(threads) as pool:
            means = list(pool.map(_numpy_block, rngs, blocks))
    rate = m * N_STEPS / (time.perf_counter() - t0)
    assert abs(np.average(means, weights=blocks) - 0.3679) < _tolerance(m)  # same physics as the kernel
    return rate


def run(smoke: bool = False) -> dict:
    """``smoke``: a tiny ensemble that runs in a second (make test checks the benchmark still works)."""
    m = 4096 if smoke else M
    k1, k2 = _kernel_rate(1, m), _kernel_rate(2, m)
    z1, z2 = _raw_normal_rate(1, n_streams=m, per_stream=100 if smoke else 1000), _raw_normal_rate(2, n_streams=m, per_stream=100 if smoke else 1000)
    n1, n2 = _numpy_rate(1, m), _numpy_rate(2, m)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    unit = "trajectory-steps/s"
    return {
        "langevin_overdamped_1core_vs_numpy": {"value": k1, "unit": unit, "baseline": n1, "ratio": k1 / n1,
                                               "baseline_name": "NumPy blocked in-place, 1 thread"},
        "langevin_overdamped_2cores_vs_numpy": {"value": k2, "unit": unit, "baseline": n2, "ratio": k2 / n2,
                                                "baseline_name": "NumPy blocked in-place, 2 threads"},
        "langevin_overdamped_1core_vs_raw_normal": {"value": k1, "unit": unit, "baseline": z1, "ratio": k1 / z1,
                                                    "baseline_name": "raw ziggurat normals/s, 1 core"},
        "langevin_overdamped_2cores_vs_raw_normal": {"value": k2, "unit": unit, "baseline": z2, "ratio": k2 / z2,
                                                     "baseline_name": "raw ziggurat normals/s, 2 cores"},
        "langevin_overdamped_1core_vs_target": {"value": k1, "unit": unit, "baseline": 1.0e8, "ratio": k1 / 1.0e8,
                                                "baseline_name": "issue target 1.0e8 per core"},
        "langevin_overdamped_2cores_vs_target": {"value": k2, "unit": unit, "baseline": 1.8e8, "ratio": k2 / 1.8e8,
                                                 "baseline_name": "issue target 1.8e8 on 2 cores"},
    }


if __name__ == "__main__":
    from run_all import print_table  # this directory is on sys.path when run as a script

    print_table(run())
