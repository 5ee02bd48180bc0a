"""Numba kernels of the gas engine: cell lists, Verlet lists, pair forces, step loops.

Never exported: the Python API in :mod:`neqlab.models.gas.integrators` and
:mod:`neqlab.models.gas.potentials` wraps them, allocates, and turns the int status
into an exception.

Conventions
- ``x``: positions (N, dim), ``v`` velocities, ``f`` accelerations (m = 1), all in
  the precision of the state (float64 or float32). Scalars come in ``prm`` (an array
  of that same dtype, so float32 code never promotes to float64):
  ``prm = [dt, rc2, rlist2, half_skin2, shift, r2min, 48, 24, 4, 1, 0.5]``.
- ``box`` (dim,) and ``periodic`` (dim,) bool; hard reflecting walls on the other axes
  (positions in [0, L], specular reflection).
- ``ids``: the original particle index; particles are re-sorted by cell at every
  neighbour-list rebuild and the wrapper puts them back in id order.
- Step loops are phases of tasks run by any number of workers (``sched``): results
  depend on the data only, never on the number of threads.
- Pair lists: flat (``pi``, ``pj``, uint32) per slab of cell rows, a half list (each
  pair once, half-shell cell stencil).
- Status: 0 ok, 1 non-finite, 2 overlap, 3 escape, 4 neighbour list beyond 1000 pairs
  per particle.

Modules: ``sync`` (atomics), ``sched`` (the task scheduler), ``cells`` (cell grid,
binning, counting sort), ``pairs`` (slab pair lists, forces, energy), ``verlet``
(velocity Verlet), ``lattice`` (the bit-reversible integer leapfrog), ``packing``
(random sequential addition).
"""

from neqlab.models.gas._kernels.cells import (ESCAPE, LIST_FULL, NONFINITE, OK, OVERLAP, P_C4, P_C24, P_C48, P_DT,
                                              P_HALF, P_HSKIN2, P_ONE, P_R2MIN, P_RC2, P_RLIST2, P_SHIFT)
from neqlab.models.gas._kernels.lattice import lattice_serial, lattice_worker
from neqlab.models.gas._kernels.packing import random_sequential_addition
from neqlab.models.gas._kernels.pairs import pair_energy
from neqlab.models.gas._kernels.verlet import K_BIN, K_DRIFT, verlet_serial, verlet_worker

__all__ = [
    "ESCAPE", "K_BIN", "K_DRIFT", "LIST_FULL", "NONFINITE", "OK", "OVERLAP", "P_C24", "P_C4", "P_C48", "P_DT", "P_HALF",
    "P_HSKIN2", "P_ONE", "P_R2MIN", "P_RC2", "P_RLIST2", "P_SHIFT", "lattice_serial", "lattice_worker", "pair_energy",
    "random_sequential_addition", "verlet_serial", "verlet_worker",
]
