"""Observables per sample: the numba kernels against the NumPy path they replaced, in the same run.

- ``coarse_graining``'s cell counting: ln(touched cells) and -sum p ln p of a cloud of
  200 000 points (the quick scale's ``n_points``: a 1/512 square after 6 cat-map steps)
  on its five grids (8 to 128 cells per side), as ``forward_runs`` computes them (one
  count per grid) against the NumPy path (``cg_entropy`` twice per grid, each a floor,
  cast, modulo and bincount over the cloud).
- ``loschmidt``'s observation of one sample (``tasks.observe``: velocity, position and
  mu-space entropies, S_hydro on 8 x 8 cells) of a 2D gas of N = 20000 (the default
  large system; ``_small``: N = 2500, the small one), CPU time per sample, against the
  same function with the NumPy twins swapped in (the observables as they were before
  their kernels); and S_hydro alone. The gas: density 0.3, positions uniform
  in the left 60 % of the box, Maxwell velocities at kT = 1 plus a flow of 0.3 along
  axis 0 (the cost depends on N and the cells, not on the physics of the state).
- The cold first call of the kernels (numba compiling them into an empty cache, in a
  fresh process): the compile wait a user meets once; no baseline.

Both paths must give the same floats, bit for bit: the benchmark raises if they do not.
The NumPy twins are ``tests/observables/_numpy_observables.py`` (loaded by path).
Ratios: NumPy CPU time / kernel CPU time (above 1: the kernels are faster), minimum
over repeats on a noisy machine; every path runs on one thread (the kernels are serial).

    python benchmarks/bench_observables.py [--smoke]
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from _machine import machine
from _timing import best_of

ROOT = Path(__file__).resolve().parents[1]
N_POINTS, SIDES, N_GAS, N_GAS_SMALL = 200_000, (8, 16, 32, 64, 128), 20_000, 2_500
SMOKE = {"n_points": 2_000, "n_gas": 500, "repeat": 2}


def _twin():
    path = ROOT / "tests" / "observables" / "_numpy_observables.py"
    spec = importlib.util.spec_from_file_location("_numpy_observables", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cloud(n_points: int) -> np.ndarray:
    from neqlab.models.maps import CatMap

    rng = np.random.default_rng(0)
    pts = 0.3 + rng.random((n_points, 2)) / 512
    return CatMap().step(pts, 6)


def _gas(n: int) -> SimpleNamespace:
    rng = np.random.default_rng(1)
    box = np.full(2, math.sqrt(n / 0.3))
    x = rng.random((n, 2)) * box * np.array([0.6, 1.0])
    v = rng.normal(size=(n, 2)) + np.array([0.3, 0.0])
    return SimpleNamespace(positions=x, velocities=v, box=box)


@contextlib.contextmanager
def numpy_path(twin):
    """The loschmidt observation with the NumPy twins in place of the kernels' callers."""
    from neqlab.experiments.loschmidt import tasks

    swaps = [(tasks, "velocity_entropy", twin.velocity_entropy), (tasks, "spatial_entropy", twin.spatial_entropy),
             (tasks, "mu_entropy", twin.mu_entropy), (tasks, "hydro_entropy", twin.hydro_entropy)]
    saved = [(mod, name, getattr(mod, name)) for mod, name, _ in swaps]
    try:
        for mod, name, fn in swaps:
            setattr(mod, name, fn)
        yield
    finally:
        for mod, name, fn in saved:
            setattr(mod, name, fn)


def _entry(value, baseline, unit, name):
    return {"value": value, "unit": unit, "baseline": baseline, "ratio": baseline / value, "baseline_name": name}


_COLD = r"""
import json, time
import numpy as np
t0 = time.perf_counter()
from neqlab.observables import cells, entropy, hydro
t_import = time.perf_counter() - t0
rng = np.random.default_rng(0)
x, v, box = rng.random((50, 2)) * 4.0, rng.normal(size=(50, 2)), np.array([4.0, 4.0])
calls = {
    "cell counts": lambda: cells.cg_entropy(x, 4, 4.0),
    "cell index": lambda: cells.cell_index(x, 4, 4.0),
    "curve cells": lambda: cells.curve_cells(x, 4, 4.0),
    "S_hydro (uniform)": lambda: hydro.hydro_entropy(x, v, box, 2, eos="ideal"),
    "S_hydro (linear)": lambda: hydro.hydro_entropy(x, v, box, 1, eos="ideal", flow="linear", min_count=4),
    "histograms": lambda: (entropy.spatial_entropy(x, box, 2), entropy.velocity_entropy(v, 1.0),
                           entropy.mu_entropy(x, v, box, 2)),
}
out = {"import": t_import}
for name, fn in calls.items():
    t = time.perf_counter(); fn(); out[name] = time.perf_counter() - t
print(json.dumps(out))
"""


def cold_first_calls() -> dict[str, float]:
    """Seconds of the first call of each kernel family in a fresh process with an empty numba cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        out = subprocess.run([sys.executable, "-c", _COLD], env=env, capture_output=True, text=True, timeout=600,
                             check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(smoke: bool = False) -> dict:
    """``smoke``: tiny sizes (make test checks that the benchmark still runs)."""
    from neqlab.experiments.coarse_graining.tasks import _touched_and_gibbs
    from neqlab.experiments.loschmidt.tasks import observe
    from neqlab.observables.hydro import hydro_entropy

    twin = _twin()
    n_points = SMOKE["n_points"] if smoke else N_POINTS
    n_gas = SMOKE["n_gas"] if smoke else N_GAS
    n_small = SMOKE["n_gas"] if smoke else N_GAS_SMALL
    repeat = SMOKE["repeat"] if smoke else 7
    sides = np.array(SIDES, dtype=np.int64)
    out = {}

    pts = _cloud(n_points)
    new = best_of(lambda: _touched_and_gibbs(pts, sides, 1.0), repeat, warm=True)
    old = best_of(lambda: ([twin.cg_entropy(pts, int(m), 1.0) for m in sides],
                           [twin.cg_entropy(pts, int(m), 1.0, kind="gibbs") for m in sides]), repeat, warm=True)
    if new.result != tuple(old.result):
        raise AssertionError(f"cell entropies differ from the NumPy path: {new.result} vs {old.result}")
    out["observables_cg_cells_5_grids"] = _entry(
        1e3 * new.cpu, 1e3 * old.cpu, "ms CPU per cloud", f"NumPy floor/cast/%/bincount, {n_points} points, 5 grids")

    per = 5 if smoke else 20
    for n, tag in ((n_gas, ""), (n_small, "_small")):
        gas = _gas(n)

        def observe_n():
            return [observe(gas, 1.0, 8) for _ in range(per)][-1]

        def hydro_n(fn=hydro_entropy):
            return [fn(gas.positions, gas.velocities, gas.box, 8) for _ in range(per)][-1]

        new_obs, new_h = best_of(observe_n, repeat, warm=True), best_of(hydro_n, repeat, warm=True)
        with numpy_path(twin):
            old_obs = best_of(observe_n, repeat, warm=True)
        old_h = best_of(lambda: hydro_n(twin.hydro_entropy), repeat, warm=True)
        if new_obs.result != old_obs.result or new_h.result != old_h.result:
            raise AssertionError(f"observe differs from the NumPy path: {new_obs.result} vs {old_obs.result}")
        out[f"observables_loschmidt_observe{tag}"] = _entry(
            1e3 * new_obs.cpu / per, 1e3 * old_obs.cpu / per, "ms CPU per sample", f"NumPy path, N = {n}")
        out[f"observables_hydro_entropy{tag}"] = _entry(
            1e3 * new_h.cpu / per, 1e3 * old_h.cpu / per, "ms CPU per call", f"NumPy path, N = {n}, 8 x 8 cells")

    cold = cold_first_calls()
    compile_s = sum(t for k, t in cold.items() if k != "import")
    print("cold first calls [s]: " + ", ".join(f"{k} {t:.2f}" for k, t in cold.items()), file=sys.stderr)
    out["observables_kernels_cold_first_calls"] = {
        "value": compile_s, "unit": "s (empty cache)", "baseline": math.nan, "ratio": math.nan,
        "baseline_name": "first calls of every observables kernel, fresh process"}
    print(f"machine: {machine()}", file=sys.stderr)
    return out


if __name__ == "__main__":
    from run_all import print_table  # this directory is on sys.path when run as a script

    print_table(run(smoke="--smoke" in sys.argv[1:]))
