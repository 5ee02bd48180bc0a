"""The task scheduler of the step loops: phases of tasks claimed by any worker.

A run is a sequence of phases (bin particles into cells, gather them in cell order,
build the pair lists, forces of the even slabs, of the odd slabs, kick-drift, ...).
Each phase has a fixed number of tasks; its tasks touch disjoint memory. Every worker
(the calling thread and the helpers started by the wrapper) runs :func:`claim` in a
loop: it takes the next task of the open phase, runs it, and the worker that
finishes the last task of a phase runs the serial transition (it reads the tasks'
results, decides what comes next) and opens the next phase. One worker alone runs
the same tasks and transitions in a plain loop, without atomics (the ``*_serial``
drivers): the same bits, and no scheduling cost for the small systems of ensembles.

Why this shape (docs/engine.md): no worker ever waits for another worker to *arrive*,
only for claimed tasks to *finish*. A worker that lost its core to another process
holds at most one task; the others take all remaining tasks, and a worker that starts
late, or not at all, changes nothing. With one worker the same code runs serially.
Waiting workers spin briefly (a phase ends within microseconds on an idle machine)
and then sleep in short naps, so a busy machine's core is not burnt. A helper that
finds it does not get its core (another process holds it) steps aside for a few
milliseconds at a time (:func:`pace`): the phases then stop waiting for the tasks it
would hold while descheduled.

Results never depend on the number of workers: the tasks, their memory and their
order of summation are fixed by the data (particle count, cell grid), not by who runs
them.

Control words live in an int64 array ``ctl``, one per cache line (index * 8):
``WORD`` packs the phase number, its kind, its task count and the tasks taken so far
(:func:`claim`);
``DONE`` counts finished tasks of the open phase; the other slots hold the
transition's decisions (step, status, slab count, pairs needed).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from neqlab.models.gas._kernels.cells import OK
from neqlab.models.gas._kernels.sync import (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME, atomic_add, atomic_cas,
                                             atomic_load, atomic_store, clock_ns, cpu_relax, sleep_us)

C_WORD, C_DONE, C_STEP, C_STATUS, C_AT, C_NSLAB, C_NEED, C_CUR, C_NTASK = (8 * k for k in range(9))
CTL_SIZE = 8 * 9
K_DONE = 0
GROW = 99  # status: the pair buffer is too small (need in C_NEED); the wrapper grows it and resumes

MAX_TASKS = 16  # tasks per phase: slabs and uniform particle ranges
MIN_SLAB = 256  # particles per task at least (small systems run fewer tasks)
SPIN = 1500  # spins (with the pause hint: 25-60 ns each, so 40-90 us) before a waiting worker naps
NAP_US = 50  # microseconds per nap
# A helper steps aside while the machine is crowded (pace): over each window of at least
# PACE_WINDOW_NS of wall time it checks that its thread had its core at least
# PACE_SHARE_20 / 20 of the time (a waiting worker spins, so on an idle machine it is
# ~100 %); if not, another process holds the core and the helper's claimed tasks hold
# the others up, so it sleeps PACE_NAP0_US, twice as long after each crowded window up
# to PACE_NAP_MAX_US, and tries again (the run goes on with the other workers). A busy
# process beside two workers leaves each ~55 % of a core; the window and the share are
# wide enough that a short burst of another thread of the same process (loschmidt's
# observation of a sample, ~2 ms) does not send the helper away: with 2 ms and 85 % it
# did, and the essay's reversal task ran 0.5-1 s slower in 3 of 8 runs
PACE_WINDOW_NS = 10_000_000
PACE_SHARE_20 = 14
PACE_NAP0_US = 2_000
PACE_NAP_MAX_US = 64_000


def n_tasks_for(n: int) -> int:
    """Number of uniform particle ranges (and at most of slabs) for n particles."""
    return int(min(MAX_TASKS, max(1, n // MIN_SLAB)))


@njit(cache=True, nogil=True)
def _pack(epoch, kind, ntasks):
    return ((epoch & 0xFFFFF) << 44) | (kind << 36) | (ntasks << 24)


@njit(cache=True, nogil=True)
def start(ctl, kind, ntasks):
    """Open the first phase (before any worker starts)."""
    for q in range(ctl.shape[0]):
        ctl[q] = 0
    atomic_store(ctl, C_WORD, _pack(np.int64(1), np.int64(kind), np.int64(ntasks)))


@njit(cache=True, nogil=True)
def publish(ctl, kind, ntasks):
    """Open the next phase; called by the worker that finished the open one."""
    w = atomic_load(ctl, C_WORD)
    atomic_store(ctl, C_DONE, 0)
    atomic_store(ctl, C_WORD, _pack((w >> 44) + 1, np.int64(kind), np.int64(ntasks)))


@njit(cache=True, nogil=True)
def stop(ctl, status, at):
    """The transition that ends a run: record ``status`` (and the step it refers to in
    ``at``); returns the phase (K_DONE, no tasks) to publish."""
    ctl[C_STATUS] = status
    ctl[C_AT] = at
    return np.int64(K_DONE), np.int64(0)


@njit(cache=True, nogil=True)
def claim(ctl, spins, back):
    """Wait for a task; returns (kind, task, tasks in the phase, spins so far).

    Workers with ``back`` False take tasks from the front of the phase, the others
    from the back: with two workers each keeps to its end of the particle order from
    phase to phase (its data stays in its core's cache), and they meet where the
    work splits. kind K_DONE: the run is over. Otherwise the caller runs the task,
    then calls :func:`done`; if that returns True it is the phase's last task and the
    caller runs the transition and publishes the phase it returns (:func:`publish`).

    The word is (phase << 44 | kind << 36 | tasks << 24 | taken from the front << 12 |
    taken from the back); the phase number wraps at 2^20, which is harmless: a claim
    is a compare-and-swap of the whole word, whose contents alone say what was taken.
    """
    last = np.int64(-1)
    while True:
        w = atomic_load(ctl, C_WORD)
        kind = (w >> 36) & 255
        if kind == K_DONE:
            return kind, np.int64(0), np.int64(0), spins
        nt = (w >> 24) & 4095
        front = (w >> 12) & 4095
        taken_back = w & 4095
        if front + taken_back < nt:
            if back:
                if atomic_cas(ctl, C_WORD, w, w + 1):
                    return kind, nt - 1 - taken_back, nt, np.int64(0)
            elif atomic_cas(ctl, C_WORD, w, w + 4096):
                return kind, front, nt, np.int64(0)
            continue
        if (w >> 44) != last:  # a new phase, all taken: spin afresh
            last = w >> 44
            spins = 0
        spins += 1
        if spins < SPIN:
            cpu_relax()
        else:
            sleep_us(NAP_US)


@njit(cache=True, nogil=True)
def pace_start():
    """The state of :func:`pace` for a helper starting now: [wall, thread CPU, nap] in
    [ns, ns, us]; the clocks are -1 where they are not available (pace then does nothing)."""
    p = np.empty(3, np.int64)
    p[0] = clock_ns(CLOCK_MONOTONIC)
    p[1] = clock_ns(CLOCK_THREAD_CPUTIME)
    p[2] = PACE_NAP0_US
    return p


@njit(cache=True, nogil=True)
def pace(p):
    """Called by a helper between tasks (it holds none): once a window of
    PACE_WINDOW_NS has passed, sleep if its thread had its core less than PACE_SHARE_20 /
    20 of the window (the sleep doubles after each crowded window, up to PACE_NAP_MAX_US,
    and starts again from PACE_NAP0_US after an uncrowded one). Returns True if it slept.

    On a machine where another process holds a core, two workers share one core, and
    every phase waits for the task a descheduled worker holds: measured 76 M
    particle-steps/s on two threads against 98 on one. A helper that steps aside leaves
    its core to the others; results never depend on the workers, so only the speed
    changes."""
    if p[0] < 0 or p[1] < 0:
        return False
    w = clock_ns(CLOCK_MONOTONIC)
    if w - p[0] < PACE_WINDOW_NS:
        return False
    u = clock_ns(CLOCK_THREAD_CPUTIME)
    crowded = 20 * (u - p[1]) < PACE_SHARE_20 * (w - p[0])
    if crowded:
        sleep_us(p[2])
        p[2] = min(2 * p[2], PACE_NAP_MAX_US)
    else:
        p[2] = PACE_NAP0_US
    p[0] = clock_ns(CLOCK_MONOTONIC)
    p[1] = clock_ns(CLOCK_THREAD_CPUTIME)
    return crowded


@njit(cache=True, nogil=True)
def done(ctl, nt):
    """Count a finished task; True for the last task of the phase."""
    return atomic_add(ctl, C_DONE, 1) == nt - 1


@njit(cache=True, nogil=True)
def task_range(n, t, nt):
    """Particles [lo, hi) of uniform task t of nt."""
    return n * t // nt, n * (t + 1) // nt


@njit(cache=True, nogil=True)
def balance_slabs(n, ncell, cell_start, n_slabs, slab_row):
    """Slab boundaries on rows of cells along axis 0 (slab k: rows [slab_row[k],
    slab_row[k + 1])), about n / n_slabs particles each.

    Every slab holds at least one whole row, so a particle's half-shell neighbours lie
    in its own slab or the next one (the two-colouring of the force phases relies on
    it). ``n_slabs`` must not exceed the number of rows.
    """
    ncells = cell_start.shape[0] - 1
    nc0 = ncell[0]
    cpr = ncells // nc0
    slab_row[0] = 0
    row = 0
    for k in range(1, n_slabs):
        target = n * k // n_slabs
        r = row + 1
        while r < nc0 - (n_slabs - k) and cell_start[r * cpr] < target:
            r += 1
        row = r
        slab_row[k] = r
    slab_row[n_slabs] = nc0
    return OK
