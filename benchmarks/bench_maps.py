"""Point-cloud map iteration: numba kernel vs vectorised NumPy, timed in the same run.

Target (issue 6): >= 1e8 point-steps/s per core for the cat and standard maps.
Run standalone: ``python benchmarks/bench_maps.py``.
"""

from __future__ import annotations

import numpy as np

from _timing import best_of
from neqlab.models.maps import CatMap, StandardMap

N_POINTS = 1_000_000
N_STEPS = 100
N_STEPS_NUMPY = 10


def _numpy_cat(pts, n):
    x, y = pts[:, 0].copy(), pts[:, 1].copy()
    for _ in range(n):
        x += y
        x -= np.floor(x)
        y += x
        y -= np.floor(y)
    return x, y


def _numpy_standard(pts, k, n):
    two_pi = 2 * np.pi
    x, p = pts[:, 0].copy(), pts[:, 1].copy()
    for _ in range(n):
        p += k * np.sin(x)
        x += p
        p -= two_pi * np.floor(p / two_pi)
        x -= two_pi * np.floor(x / two_pi)
    return x, p


def _best(fn, repeats=3):
    return best_of(fn, repeats).wall


def run(smoke: bool = False) -> dict:
    """``smoke``: a tiny cloud that runs in a second (make test checks the benchmark still works)."""
    n_points = 2_000 if smoke else N_POINTS
    rng = np.random.default_rng(0)
    pts = rng.random((n_points, 2))
    out = {}
    cases = [
        ("cat_map_point_steps", CatMap(), lambda: _numpy_cat(pts, N_STEPS_NUMPY)),
        ("standard_map_point_steps", StandardMap(k=2.0), lambda: _numpy_standard(pts * 6.28, 2.0, N_STEPS_NUMPY)),
    ]
    for name, model, baseline in cases:
        src = pts * (model.period or 1.0)
        model.step(src[:10], 1)  # compile / load from cache outside the timing
        t_nb = _best(lambda: model.step(src, N_STEPS))
        t_np = _best(baseline)
        rate = n_points * N_STEPS / t_nb
        base = n_points * N_STEPS_NUMPY / t_np
        out[name] = {
            "value": rate, "unit": "point-steps/s (1 core)", "baseline": base,
            "ratio": rate / base, "baseline_name": "vectorised NumPy, in place, 1e6 points",
        }
    return out


if __name__ == "__main__":
    from run_all import print_table  # this directory is on sys.path when run as a script

    print_table(run())
