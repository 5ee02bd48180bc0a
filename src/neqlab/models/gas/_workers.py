"""Running the phased step kernels on one or more threads, and their work arrays.

The kernels (``_kernels.verlet.verlet_worker``, ``_kernels.lattice.lattice_worker``)
are worker loops that claim tasks from a shared control array
(:mod:`neqlab.models.gas._kernels.sched`). Here the calling thread runs one worker
and ``threads - 1`` helpers from a process-wide thread pool run the others; the
kernels release the GIL. Helpers that start late, or not at all (a busy pool), change
nothing but the speed: the result is the same for any number of workers.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from neqlab.models.gas import _kernels as K
from neqlab.models.gas._kernels import sched
from neqlab.models.gas._kernels.cells import cell_grid, grid3

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
_CPUS = os.cpu_count() or 1


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=4 * _CPUS, thread_name_prefix="neqlab-gas")
        return _POOL


def run_workers(worker, serial, args: tuple, threads: int) -> None:
    """Run the phases of a started run (``args`` for the kernels) on ``threads``
    workers: ``serial(*args)`` for one; otherwise ``worker(*args, back, helper)`` on the
    calling thread (back and helper False) and on ``threads - 1`` helpers (at most one per
    CPU, back True for every other one; a helper steps aside while the machine is
    crowded, ``sched.pace``). Returns when the run is over."""
    helpers = max(0, min(int(threads), _CPUS) - 1)
    if helpers == 0:
        serial(*args)
        return
    futures = [_pool().submit(worker, *args, h % 2 == 0, True) for h in range(helpers)]
    worker(*args, False, False)
    for fu in futures:
        if not fu.cancel():  # started: it sees the run is over and returns at once
            fu.result()


# Automatic threads (Params.threads = 0). Below AUTO_MIN_PARTICLES a step is too short
# for a second worker to pay for its share of the phase hand-overs; above, one worker
# per PER_WORKER particles, at most the CPUs this process may use (OMP_NUM_THREADS, if
# set, caps it: Dask and job schedulers set it) and numba's thread count of the calling
# thread (a worker of the essay's shared pool is given its share that way), shared
# between the engine calls in flight in this process (a runner's threads each get their
# part). Results do not depend on the count, so the choice is free to follow the machine.
AUTO_MIN_PARTICLES = 8000
PER_WORKER = 4000
_ACTIVE = [0]


class _Active:
    """Counts the engine calls in flight in this process (for automatic threads)."""

    def __enter__(self):
        with _POOL_LOCK:
            _ACTIVE[0] += 1
            self.count = _ACTIVE[0]
        return self

    def __exit__(self, *exc):
        with _POOL_LOCK:
            _ACTIVE[0] -= 1


def _usable_cpus() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = _CPUS
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        cpus = min(cpus, int(env))
    import numba  # its thread count is per thread (numba.set_num_threads)

    return max(1, min(cpus, numba.get_num_threads()))


def resolve_threads(threads: int, n: int, active: int = 1) -> int:
    """Workers for a run of n particles: ``threads`` if >= 1, else automatic."""
    if threads >= 1:
        return int(threads)
    if n < AUTO_MIN_PARTICLES:
        return 1
    return max(1, min(_usable_cpus() // max(1, active), n // PER_WORKER))


def slab_counts(n: int, ncell: np.ndarray, periodic: np.ndarray) -> tuple[int, int]:
    """(uniform tasks, slabs) for n particles on this cell grid; independent of threads.

    Slabs are whole rows of cells along axis 0; a periodic axis 0 needs an even number
    of them (the last slab's pairs reach into slab 0), and boxes with fewer than 3
    cells along a periodic axis use one slab (their pair search is not a half shell).
    """
    nt = sched.n_tasks_for(n)
    fast = all(not p or c >= 3 for p, c in zip(periodic, ncell))
    ns = min(nt, int(ncell[0])) if fast else 1
    if periodic[0] and ns > 1 and ns % 2:
        ns -= 1
    return nt, max(ns, 1)


def pair_capacity(n: int, box: np.ndarray, rlist: float, n_slabs: int) -> int:
    """Pairs per slab region to allocate: 2.5 times the half-list pairs of a uniform
    gas at the mean density (denser regions and uneven slabs grow it when needed)."""
    dim = len(box)
    vol = float(np.prod(np.asarray(box, dtype=np.float64)))
    ball = math.pi * rlist**2 if dim == 2 else 4.0 / 3.0 * math.pi * rlist**3
    per_particle = 0.5 * n / vol * ball
    per_slab = math.ceil(n / n_slabs)
    return int(per_slab * (2.5 * per_particle + 2.0)) + 16


@functools.lru_cache(maxsize=64)
def _geometry_cached(box: tuple, periodic: tuple, rlist: float, n: int) -> tuple:
    b, per = np.array(box), np.array(periodic, dtype=np.bool_)
    ncell = cell_grid(b, rlist)
    nt, ns = slab_counts(n, ncell, per)
    return ncell, grid3(b, per, ncell, len(box)), nt, ns, pair_capacity(n, b, rlist, ns)


def _geometry(box, periodic, rlist: float, n: int) -> tuple:
    """(cells per axis, the padded grid of ``cells.grid3``, uniform tasks, slabs, pairs
    per slab region) of a box; cached, as ensembles of small systems call the engine
    ~10^4 times with the same box (the kernels only read these arrays)."""
    return _geometry_cached(tuple(float(b) for b in box), tuple(bool(p) for p in periodic), rlist, int(n))


_LOCAL = threading.local()


def _buffers(n: int, dim: int, dtype, ncells: int, cap: int) -> "Buffers":
    """Work arrays for a run, reused by the next run of the same size on this thread
    (allocating ~20 arrays cost half of a small system's call)."""
    key = (n, dim, np.dtype(dtype), ncells, cap)
    b = getattr(_LOCAL, "buffers", None)
    if b is None or b.key != key:
        b = Buffers(n, dim, dtype, ncells, cap)
        b.key = key
        _LOCAL.buffers = b
    else:
        b.fscr[:] = 0.0
    return b


class Buffers:
    """The shared work arrays of one run of n particles in ``dim`` dimensions."""

    def __init__(self, n: int, dim: int, dtype, ncells: int, cap: int):
        self.f = np.zeros((n, dim), dtype)
        self.x0 = np.empty((n, dim), dtype)
        self.xt = np.empty((n, dim), dtype)
        self.vt = np.empty((n, dim), dtype)
        self.it = np.empty(n, np.int64)
        self.cell_of = np.empty(n, np.int64)
        self.order = np.empty(n, np.int64)
        self.cell_start = np.empty(ncells + 1, np.int64)
        self.scell = np.empty(n, np.int64)
        self.grow(cap)
        self.slab_row = np.zeros(sched.MAX_TASKS + 1, np.int64)
        self.pend = np.zeros(8 * sched.MAX_TASKS, np.int64)
        self.iscr = np.zeros(8 * sched.MAX_TASKS, np.int64)
        self.fscr = np.zeros((sched.MAX_TASKS, 8), np.float64)
        self.ctl = np.zeros(sched.CTL_SIZE, np.int64)

    def grow(self, cap: int) -> None:
        self.pi = np.empty(sched.MAX_TASKS * cap, np.uint32)
        self.pj = np.empty(sched.MAX_TASKS * cap, np.uint32)

    def verlet(self) -> tuple:
        return (self.f, self.x0, self.xt, self.vt, self.it, self.cell_of, self.order, self.cell_start, self.scell,
                self.pi, self.pj)

    def slabs(self) -> tuple:
        return self.slab_row, self.pend, self.iscr, self.fscr


def _run_growing(b, n: int, nt: int, ns: int, threads: int, launch, first: int = K.K_BIN) -> tuple[int, int]:
    """Run the phases (``launch(steps done so far, workers)``) from phase ``first``
    until the run ends; when a slab's pair list overflows, grow the buffer and resume
    where the run stopped (from a rebuild). Returns (status, steps done)."""
    done, kind = 0, first
    with _Active() as active:
        workers = resolve_threads(threads, n, active.count)
        while True:
            sched.start(b.ctl, kind, nt)
            kind = K.K_BIN  # after a regrow: rebuild the lists where the run stopped
            b.ctl[sched.C_NTASK] = nt
            b.ctl[sched.C_NSLAB] = ns
            launch(done, workers)
            status = int(b.ctl[sched.C_STATUS])
            if status != sched.GROW:
                break
            need = int(b.ctl[sched.C_NEED])
            if need > 1000 * max(1, n // ns):
                status = K.LIST_FULL
                break
            b.grow(need + need // 4 + 16)
            done += int(b.ctl[sched.C_AT])
    return status, done + int(b.ctl[sched.C_AT])


def verlet_run(x, v, ids, box, periodic, prm, n_steps: int, wall, bath, key, step0: int,
               threads: int, *, buffers: Buffers | None = None, kept: bool = False, resume: bool = False,
               final: bool = True) -> tuple[int, int, float, float, Buffers]:
    """Velocity Verlet over ``n_steps`` on ``threads`` workers (0: automatic), arrays
    updated in place (particles left in cell order, ``ids`` permuted alike); returns
    (status, steps done, work, heat, the buffers). Grows the pair buffer and resumes
    when it overflows.

    A run of :class:`~neqlab.models.gas.Stepper` passes its own ``buffers``; with
    ``kept`` their forces, pair lists and list positions belong to ``x`` (the run
    before left them) and the run starts with a kick instead of a rebuild; ``resume``:
    the velocities are half a step behind; ``final`` False leaves them so at the end.
    """
    n, dim = x.shape
    # fresh writable arrays: numba compiles read-only arrays (a State's broadcast
    # periodic flags can be one) as another type, i.e. the whole kernel twice
    box, periodic = np.array(box, dtype=x.dtype), np.array(periodic, dtype=np.bool_)
    rlist = float(np.sqrt(prm[K.P_RLIST2]))
    ncell, grid, nt, ns, cap = _geometry(box, periodic, rlist, n)
    if buffers is None:
        b = _buffers(n, dim, x.dtype, int(np.prod(ncell)), cap)
    else:
        b = buffers
        b.fscr[:] = 0.0
    geo = (box, periodic, ncell, prm, grid)

    def launch(done: int, workers: int) -> None:
        run = (wall[done:] if wall.shape[0] else wall, bath, key, np.int64(step0 + done),
               np.int64(n_steps - done), resume or done > 0, final)  # done > 0: steps were done before a regrow
        run_workers(K.verlet_worker, K.verlet_serial, (b.ctl, (x, v, ids), geo, b.verlet(), b.slabs(), run),
                    workers)

    status, steps = _run_growing(b, n, nt, ns, threads, launch, K.K_DRIFT if kept else K.K_BIN)
    work = heat = 0.0
    for t in range(nt):  # in task order: the same sum for any number of workers
        work += float(b.fscr[t, 1])
        heat += float(b.fscr[t, 2])
    return status, steps, work, heat, b


def evaluate(x, box, periodic, prm) -> tuple[int, np.ndarray, float, float]:
    """(status, forces in the particles' order, potential energy, virial) of a
    configuration: a zero-step Verlet run (its list build and force phases), then the
    energy and virial over its pair lists, summed per slab and then in slab order."""
    n = x.shape[0]
    x = x.copy()
    ids = np.arange(n, dtype=np.int64)
    empty = np.empty(0, x.dtype)
    status, _, _, _, b = verlet_run(x, np.zeros_like(x), ids, box, periodic, prm, 0, empty, np.empty(0),
                                    np.uint64(0), 0, 1)
    f = np.empty_like(b.f)
    f[ids] = b.f
    epot = vir = 0.0
    cap = b.pi.shape[0] // sched.MAX_TASKS
    for k in range(int(b.ctl[sched.C_NSLAB])):
        e, w = K.pair_energy(x, box, periodic, prm, b.pi, b.pj, k * cap, int(b.pend[8 * k]))
        epot += e
        vir += w
    return status, f, epot, vir


class LatticeBuffers(Buffers):
    """The shared work arrays of a fixed-point run."""

    def __init__(self, n: int, dim: int, ncells: int, cap: int):
        super().__init__(n, dim, np.float64, ncells, cap)
        self.p = np.empty((n, dim), np.int64)
        self.sgn = np.empty((n, dim), np.int64)
        self.ut = np.empty((n, dim), np.int64)
        self.dt_ = np.empty((n, dim), np.int64)

    def lattice(self) -> tuple:
        return (self.p, self.sgn, self.xt, self.x0, self.ut, self.dt_, self.it, self.cell_of, self.order,
                self.cell_start, self.scell, self.pi, self.pj)


def lattice_run(u, d, a, ids, lbox, periodic, prm, lat, n_steps: int, threads: int) -> tuple[int, int]:
    """The fixed-point leapfrog over ``n_steps`` on ``threads`` workers, arrays updated
    in place (particles left in cell order, ``ids`` permuted alike); returns (status,
    steps done). Integer sums: the bits of the serial leapfrog for any thread count."""
    n, dim = u.shape
    lbox, periodic = np.array(lbox, dtype=np.int64), np.array(periodic, dtype=np.bool_)
    box = lbox.astype(np.float64) * float(lat[0])
    rlist = float(np.sqrt(prm[K.P_RLIST2]))
    ncell, grid, nt, ns, cap = _geometry(box, periodic, rlist, n)
    b = LatticeBuffers(n, dim, int(np.prod(ncell)), cap)
    geo = (lbox, periodic, box, ncell, prm, lat, grid)

    def launch(done: int, workers: int) -> None:
        run_workers(K.lattice_worker, K.lattice_serial, (b.ctl, (u, d, a, ids), geo, b.lattice(), b.slabs(),
                                                         np.int64(n_steps - done)), workers)

    return _run_growing(b, n, nt, ns, threads, launch)
