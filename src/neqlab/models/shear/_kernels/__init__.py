"""Numba kernels of the sheared fluid (SLLOD, Lees-Edwards, Gaussian thermostats).

Never exported: :mod:`neqlab.models.shear.dynamics` wraps them. Conventions: positions
``x`` and peculiar momenta ``p`` (m = 1) of one system are (N, dim) float64 arrays, a
batch is (M, N, dim); ``off`` (M,) is each system's Lees-Edwards offset [length] in
[0, L_x); scalars come in ``prm`` (layout ``P_*`` in :mod:`.pairs`). Status: 0 ok,
1 non-finite, 2 overlap (two centres closer than 0.5 sigma).

Modules: ``pairs`` (nearest images, pair list, WCA forces), ``step`` (the splitting
step, sub-step by sub-step: the reference run loop), ``fused`` (the production run
loop, momentum sub-steps fused), ``tangent`` (the step's exact derivative), ``draws``
(counter-based initial momenta).

Compile time (the first run's wait; measured by ``python -m neqlab.warmup shear``
and ``shear-tangent``). The loops take the dimension as a literal (``dim`` argument of
their helpers), so each dimension is its own machine code, and the entry points the
wrappers call come one per dimension and per threading (:data:`RUN_BATCH`,
:data:`TANGENT_BATCH`: (dim, parallel) -> kernel; :data:`EVALUATE`,
:data:`POTENTIAL_ENERGIES`: dim -> kernel): a 2D run on one thread compiles the 2D serial
loop only (numba types every branch of a function, the dead ones included, so one entry
point for both dimensions compiled both, and a prange loop compiles a parallel region,
~2-8 s, also when it runs on one thread). ``inline="always"`` is kept only where a
call per step or per pair costs run time (the pair geometry and force, the momentum
sums and the drift of the run loop, the scalar helpers): numba inlines by deep-copying
and re-typing the callee's IR per call site, and a function called by another jitted
function is linked into it and optimised again there, so the pair list and force
passes are separate per-dimension functions (``make_list_2d``, ``forces_2d``...) passed
to the run loops, helpers called once per list build stay plain calls (a literal
``dim`` argument still compiles one dimension), and the serial batch loops inline the
run loop itself instead of calling ``run_one_2d`` (one layer less to optimise:
``python -m neqlab.warmup`` compiles shear in ~6 s and shear-tangent in ~9 s of CPU
instead of ~8 and ~12.5). None of this changes a bit of the results (no fast-math: the
same IEEE operations in the same order however the code is split into functions).
"""

from neqlab.models.shear._kernels.pairs import (N_PRM, NONFINITE, OK, OVERLAP, P_DT, P_GAMMA, P_LX, P_LY,
                                                P_LZ, P_R2MIN, P_RC, P_RC2, P_RLIST2, P_SHIFT, P_SKIN, P_VOL,
                                                forces, potential_energies_2d, potential_energies_3d,
                                                pressure_tensor_config)
from neqlab.models.shear._kernels.step import (ALL_PAIRS, ISOENERGETIC, ISOKINETIC, LIST, N_REC, NONE,
                                               R_ALPHA, R_EPOT, R_KIN, R_LAMBDA, R_PXY, R_PXY_KIN,
                                               S_REBUILDS, S_STEPS, evaluate_2d, evaluate_3d, make_list, observe,
                                               run_batch_reference)
from neqlab.models.shear._kernels.fused import RUN_BATCH
from neqlab.models.shear._kernels.tangent import TANGENT_BATCH

# one kernel per dimension (keyed by dim): a 2D run compiles the 2D loops only
EVALUATE = {2: evaluate_2d, 3: evaluate_3d}
POTENTIAL_ENERGIES = {2: potential_energies_2d, 3: potential_energies_3d}

__all__ = [
    "ALL_PAIRS", "EVALUATE", "ISOENERGETIC", "ISOKINETIC", "LIST", "NONE", "NONFINITE", "N_PRM", "N_REC", "OK",
    "OVERLAP", "POTENTIAL_ENERGIES", "P_DT", "P_GAMMA", "P_LX", "P_LY", "P_LZ", "P_R2MIN", "P_RC", "P_RC2",
    "P_RLIST2", "P_SHIFT", "P_SKIN", "P_VOL", "RUN_BATCH", "R_ALPHA", "R_EPOT", "R_KIN", "R_LAMBDA", "R_PXY",
    "R_PXY_KIN", "S_REBUILDS", "S_STEPS", "TANGENT_BATCH", "forces", "make_list", "observe",
    "pressure_tensor_config", "run_batch_reference",
]
