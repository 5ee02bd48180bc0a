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
"""

from neqlab.models.shear._kernels.pairs import (N_PRM, NONFINITE, OK, OVERLAP, P_DT, P_GAMMA, P_LX, P_LY,
                                                P_LZ, P_R2MIN, P_RC, P_RC2, P_RLIST2, P_SHIFT, P_SKIN, P_VOL,
                                                forces, pressure_tensor_config)
from neqlab.models.shear._kernels.step import (ALL_PAIRS, ISOENERGETIC, ISOKINETIC, LIST, N_REC, NONE,
                                               R_ALPHA, R_EPOT, R_KIN, R_LAMBDA, R_PXY, R_PXY_KIN,
                                               S_REBUILDS, S_STEPS, make_list, observe, run_batch_reference)
from neqlab.models.shear._kernels.fused import run_batch
from neqlab.models.shear._kernels.tangent import tangent_batch

__all__ = [
    "ALL_PAIRS", "ISOENERGETIC", "ISOKINETIC", "LIST", "NONE", "NONFINITE", "N_PRM", "N_REC", "OK", "OVERLAP",
    "P_DT", "P_GAMMA", "P_LX", "P_LY", "P_LZ", "P_R2MIN", "P_RC", "P_RC2", "P_RLIST2", "P_SHIFT", "P_SKIN",
    "P_VOL", "R_ALPHA", "R_EPOT", "R_KIN", "R_LAMBDA", "R_PXY", "R_PXY_KIN", "S_REBUILDS", "S_STEPS",
    "forces", "make_list", "observe", "pressure_tensor_config", "run_batch", "run_batch_reference",
    "tangent_batch",
]
