"""How the numba (OpenMP) worker threads wait: chosen here, once, before the first
parallel kernel starts the threading layer.

Every wrapper that launches a ``parallel=True`` kernel calls :func:`configure` first
(the Langevin and piston ensembles); importing a module sets nothing. A user's own
``OMP_WAIT_POLICY`` always wins. The gas engine does not use OpenMP: its workers are
threads of its own that synchronise through its task scheduler
(``neqlab.models.gas._kernels.sched``), so no setting changes its speed.
"""

from __future__ import annotations

import os

# GNU OpenMP's default (spin about a millisecond after each parallel region, then
# sleep) burns a shared core between the many short ensemble kernels of a run; an
# earlier gas step that opened a region at every step measured 0.8 (default) vs 28-37
# (PASSIVE) M particle-steps/s on a loaded 2-core machine. The setting is read once,
# when numba starts OpenMP, so it must be in place before the first parallel kernel.
WAIT_POLICY = "PASSIVE"


def configure() -> None:
    """Set ``OMP_WAIT_POLICY`` to :data:`WAIT_POLICY` unless the user set it (idempotent)."""
    os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)
