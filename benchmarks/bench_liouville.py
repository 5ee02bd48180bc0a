"""liouville's two hot spots, each against its old path timed in the same run.

* ``liouville_knn_entropy``: the k-th neighbour distances of the Gibbs entropy on
  liouville's quick clouds (100 000 points: a disc after 8 standard-map steps on the
  torus, the Henon map's attractor, a pendulum's sheared disc), the numba k-d tree of
  ``knn_entropy`` against scipy's cKDTree (the old path, same formula); the values must
  be equal (the same bits), else the benchmark fails.
* ``liouville_pendulum_<integrator>``: point-steps/s of ``Flow(Pendulum(), ...).step`` on
  100 000 points, against vectorised NumPy kick-drift-kick that evaluates the force at
  every kick (2 sines per leapfrog step, 6 per Yoshida-4 step; the kernel shares a(q)
  between the closing and the opening kick at the same q: 1 and 3).
* ``liouville_quick_work_items``: CPU seconds of the quick scale's 11 work items run one
  after the other in this process (what ``neqlab run liouville --scale quick --workers 1``
  spends outside start-up and saving); no baseline.

Single-threaded throughout (the runner parallelises over work items, not inside them).
Run standalone: ``python benchmarks/bench_liouville.py [--smoke]``.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from _timing import best_of
from neqlab.experiments.liouville.config import SCALES, SMALL
from neqlab.experiments.liouville.run import tasks_for
from neqlab.experiments.liouville.tasks import track_region
from neqlab.models.flows import Flow, Pendulum
from neqlab.models.maps import HenonMap, StandardMap
from neqlab.observables.phase_volume import knn_entropy


def _disc(n, centre, radius, rng):
    rad = radius * np.sqrt(rng.random(n))
    ang = 2 * np.pi * rng.random(n)
    return np.stack([centre[0] + rad * np.cos(ang), centre[1] + rad * np.sin(ang)], axis=1)


def _clouds(n):
    """(name, points, period) as liouville's quick records see them."""
    rng = np.random.default_rng(0)
    two_pi = 2 * math.pi
    std = StandardMap(k=1.5).step(np.mod(_disc(n, (0.5, 1.0), 0.3, rng), two_pi), 8)
    hen = HenonMap().step(_disc(n, (0.1, 0.1), 0.05, rng), 8)
    pend = Flow(Pendulum(), "leapfrog", 0.1).step(_disc(n, (1.0, 0.0), 0.6, rng), 300)
    return [("standard", std, two_pi), ("henon", hen, None), ("pendulum", pend, None)]


def _ckdtree_entropy(points, k, period):
    """knn_entropy's old path: scipy's cKDTree, the same estimator."""
    from scipy.spatial import cKDTree
    from scipy.special import digamma

    x = np.mod(points, period) if period else points
    r = cKDTree(x, boxsize=period).query(x, k=k + 1, workers=1)[0][:, k]
    n, d = x.shape
    log_vball = 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d + 1.0)
    return float(digamma(n) - digamma(k) + log_vball + d * np.mean(np.log(r)))


def _numpy_pendulum(pts, h, n_steps, weights):
    q, p = pts[:, 0].copy(), pts[:, 1].copy()
    for _ in range(n_steps):
        for w in weights:
            hw = w * h
            p -= 0.5 * hw * np.sin(q)
            q += hw * p
            p -= 0.5 * hw * np.sin(q)
    return q, p


def run(smoke: bool = False) -> dict:
    """``smoke``: small clouds and the SMALL config (make test checks the benchmark still runs)."""
    n = 3_000 if smoke else 100_000
    repeat = 1 if smoke else 3
    out = {}
    new = old = 0.0
    for name, pts, period in _clouds(n):
        a = best_of(lambda: knn_entropy(pts, k=4, period=period), repeat, warm=True)
        b = best_of(lambda: _ckdtree_entropy(pts, 4, period), repeat, warm=True)
        if a.result != b.result:
            raise AssertionError(f"{name}: knn_entropy {a.result!r} != cKDTree {b.result!r}: not the same bits")
        new += a.cpu
        old += b.cpu
    out["liouville_knn_entropy"] = {
        "value": old / new, "unit": "x cKDTree (speed-up)", "baseline": 1.0, "ratio": old / new,
        "baseline_name": f"scipy cKDTree on the same 3 clouds of {n} points (same bits), CPU time"}
    h, n_steps = 0.1, 10 if smoke else 100
    y4 = (1.0 / (2.0 - 2.0 ** (1 / 3)), -(2.0 ** (1 / 3)) / (2.0 - 2.0 ** (1 / 3)))
    for integ, weights in (("leapfrog", (1.0,)), ("yoshida4", (y4[0], y4[1], y4[0]))):
        f = Flow(Pendulum(), integ, h)
        pts = _disc(n, (1.0, 0.0), 0.6, np.random.default_rng(1))
        k = best_of(lambda: f.step(pts, n_steps), repeat, warm=True)
        b = best_of(lambda: _numpy_pendulum(pts, h, max(1, n_steps // 10), weights), repeat)
        rate = n * n_steps / k.cpu
        base = n * max(1, n_steps // 10) / b.cpu
        out[f"liouville_pendulum_{integ}"] = {
            "value": rate, "unit": "point-steps/s (1 core)", "baseline": base, "ratio": rate / base,
            "baseline_name": "vectorised NumPy, a(q) at every kick"}
    tasks = tasks_for(SMALL if smoke else SCALES["quick"])
    track_region(tasks[0])  # compile or load every kernel outside the timing
    c0 = time.process_time()
    for t in tasks:
        track_region(t)
    out["liouville_quick_work_items"] = {
        "value": time.process_time() - c0, "unit": "s CPU (1 thread)", "baseline": float("nan"),
        "ratio": float("nan"), "baseline_name": f"{len(tasks)} work items of the {'SMALL' if smoke else 'quick'} scale"}
    return out


if __name__ == "__main__":
    from _machine import machine
    from run_all import print_table  # this directory is on sys.path when run as a script

    print(f"CPU: {machine()}", file=sys.stderr)
    print_table(run(smoke="--smoke" in sys.argv))
