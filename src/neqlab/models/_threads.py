"""How the numba (OpenMP) worker threads wait: chosen here, once, before the first
parallel kernel starts the threading layer.

Every wrapper that launches a ``parallel=True`` kernel calls :func:`configure` first
(the gas engine's threaded step, the Langevin and piston ensembles); importing a
module sets nothing. A user's own ``OMP_WAIT_POLICY`` always wins.
"""

from __future__ import annotations

import os

# GNU OpenMP's default (spin, then sleep) wastes a shared core when a kernel opens a
# parallel region at every step: measured 0.8 (default) vs 28-37 (PASSIVE) M
# particle-steps/s for the threaded gas step on a loaded 2-core machine, and the same
# ~105 on an idle one (docs/engine.md). The setting is read once, when numba starts
# OpenMP, so it must be in place before the first parallel kernel of the process.
WAIT_POLICY = "PASSIVE"


def configure() -> None:
    """Set ``OMP_WAIT_POLICY`` to :data:`WAIT_POLICY` unless the user set it (idempotent)."""
    os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)
