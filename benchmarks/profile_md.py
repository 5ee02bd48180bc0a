"""Where the cycles of a Verlet step go: each phase of the gas kernel timed alone.

Not a ``bench_*`` script (``run_all.py`` skips it): a profile for docs/engine.md. One
worker, CPU time (robust on a shared machine), cycles at the CPU's nominal clock
(``--ghz``, default 2.6, this machine's TSC). Per phase: kick-drift and pair forces
per step, and the three parts of a rebuild (bin + counting sort, gather in cell order,
pair-list build) per rebuild, with the measured rebuild interval.

    python benchmarks/profile_md.py [--n 20000] [--dim 2] [--ghz 2.6]

It calls the engine's private kernels (``neqlab.models.gas._kernels``): a developer's
tool that follows their signatures.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit

from neqlab.models.gas import Params, advance, lattice_gas
from neqlab.models.gas import _kernels as K
from neqlab.models.gas import _workers
from neqlab.models.gas._kernels import sched
from neqlab.models.gas._kernels import verlet as V
from neqlab.models.gas._kernels.pairs import force_task, list_task
from neqlab.models.gas._plumbing import kernel_params

GRIDS = {(1000, 2): (40, 25), (10000, 2): (100, 100), (20000, 2): (200, 100), (100000, 2): (400, 250),
         (1000000, 2): (1000, 1000), (32000, 3): (40, 40, 20)}
PHASES = ("kick-drift", "pair forces", "bin + sort", "gather", "list build")


@njit
def _phase(reps, which, ctl, st, geo, buf, sl, nt, ns):
    x, v, ids = st
    box, periodic, ncell, prm, grid = geo
    f, x0, xt, vt, it, cell_of, order, cell_start, scell, pi, pj = buf
    slab_row, pend, iscr, fscr = sl
    cap = pi.shape[0] // sched.MAX_TASKS
    empty = np.empty(0, x.dtype)
    for _ in range(reps):
        if which == 0:
            for t in range(nt):
                V._drift_task(t, nt, 1, x, v, f, x0, ids, box, periodic, prm, empty, np.empty(0), np.uint64(0), 0,
                              False, fscr)
        elif which == 1:
            for k in range(ns):
                iscr[8 * k] = force_task(x, f, box, periodic, prm, pi, pj, k * cap, pend[8 * k])
        elif which == 2:
            for t in range(nt):
                iscr[8 * t] = V._bin_task(t, nt, x, v, ids, box, periodic, ncell, cell_of, xt, vt, it)
            V._sort(ctl, x.shape[0], ncell, cell_of, order, cell_start, slab_row)
        elif which == 3:
            for t in range(nt):
                V._gather_task(t, nt, x, v, ids, x0, f, scell, order, xt, vt, it, cell_of)
        else:
            for k in range(ns):
                iscr[8 * k] = list_task(k, x, box, periodic, ncell, grid, cell_start, scell, prm[K.P_RLIST2],
                                        slab_row, pi, pj, cap, pend)
    return 0


def profile(n: int = 20000, dim: int = 2, ghz: float = 2.6) -> dict[str, float]:
    """Cycles per particle of each phase (one worker, CPU time)."""
    s = advance(lattice_gas(n, 0.5, 1.0, dim, seed=1, aspect=GRIDS[(n, dim)]), Params(threads=1), 1000)
    x, v, ids = s.positions.copy(), s.velocities.copy(), np.arange(n)
    prm = kernel_params(Params(dt=1e-7), x.dtype)  # tiny steps: the state stays what it is
    box, periodic = s.box.copy(), np.array(s.periodic)
    ncell, grid, nt, ns, cap = _workers._geometry(box, periodic, float(np.sqrt(prm[K.P_RLIST2])), n)
    b = _workers.Buffers(n, dim, x.dtype, int(np.prod(ncell)), cap)
    b.ctl[sched.C_NSLAB] = ns
    args = (b.ctl, (x, v, ids), (box, periodic, ncell, prm, grid), b.verlet(), b.slabs(), nt, ns)
    for w in (2, 3, 4, 0, 1):  # compile, and build the lists the force phase reads
        _phase(1, w, *args)
    reps = max(1, 2_000_000 // n)
    best = [np.inf] * len(PHASES)
    for _ in range(5):
        for w in range(len(PHASES)):
            c0 = time.process_time()
            _phase(reps, w, *args)
            best[w] = min(best[w], (time.process_time() - c0) / reps)
    out = {name: best[w] * ghz * 1e9 / n for w, name in enumerate(PHASES)}
    out["pairs per particle"] = sum(int(b.pend[8 * k] - k * cap) for k in range(ns)) / n
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--dim", type=int, default=2)
    ap.add_argument("--ghz", type=float, default=2.6)
    a = ap.parse_args()
    res = profile(a.n, a.dim, a.ghz)
    print(f"N = {a.n}, {a.dim}D WCA, density 0.5: cycles per particle (one worker, CPU time at {a.ghz} GHz)")
    for k, v in res.items():
        print(f"  {k:20s} {v:8.2f}")


if __name__ == "__main__":
    main()
