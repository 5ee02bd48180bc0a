"""Loschmidt reversal at the essay's scale: one N = 20000 run (2D, f64, free expansion,
forward + backward, with all observables) against the engine's raw advance rate on the
same gas, timed in the same run.

Target (issue 5): the whole run (equilibration, forward to the stage f_L < 0.85,
reversal, back) in under 60 s wall time on 2 cores. The ratio run-rate / raw-rate
shows what sampling, observables and return errors cost on top of the MD.
"""

from __future__ import annotations

import math
import sys
import time

from neqlab.experiments._loschmidt_run import initial_state, reversal_run
from neqlab.models.gas import Params, advance

N = 20000


def _item() -> dict:
    return dict(kind="run", n_particles=N, dimension=2, density=0.3, fill=0.5, kT=1.0, t_equil=10.0, dt=0.002,
                velocities="maxwell", precision="f64", eps=0.0, t_reverse=100.0, f_left_reverse=0.85,
                t_sample=0.25, cells=8, n_show=2000, seed=0)


def run() -> dict:
    small = dict(_item(), n_particles=500, t_equil=0.1, f_left_reverse=0.0, t_reverse=0.5, n_show=10)
    reversal_run(small)  # compile / load the numba cache
    item = _item()
    t0 = time.perf_counter()
    r = reversal_run(item)
    wall = time.perf_counter() - t0
    n_steps = int(round(item["t_equil"] / item["dt"])) + 2 * int(round(float(r["t_reverse"]) / item["dt"]))
    rate = N * n_steps / wall
    # raw engine rate on the released gas, one advance call (no sampling)
    s = initial_state(N, 2, 0.3, 0.5, 1.0, 0.0, 0.002, "maxwell", 0)
    p = Params(dt=0.002)
    s = advance(s, p, 100)
    n_raw = 2000
    t0 = time.perf_counter()
    advance(s, p, n_raw)
    raw = N * n_raw / (time.perf_counter() - t0)
    return {
        "loschmidt_n20000_run_wall_s": {
            "value": wall, "unit": "s", "baseline": 60.0, "ratio": wall / 60.0,
            "baseline_name": f"target 60 s (t_r = {float(r['t_reverse']):.2f} tau, {n_steps} steps)",
        },
        "loschmidt_n20000_particle_steps_per_s": {
            "value": rate, "unit": "particle-steps/s", "baseline": raw, "ratio": rate / raw,
            "baseline_name": "raw advance() of the same gas, 1 thread",
        },
    }


if __name__ == "__main__":
    from run_all import print_table  # this directory is on sys.path when run as a script

    res = run()
    print_table(res)
    sys.exit(0 if math.isfinite(res["loschmidt_n20000_run_wall_s"]["value"]) else 1)
