"""Engine plumbing between the Python API and the kernels: status codes to exceptions,
box checks, the scalar array the kernels read.

The physics (pair potential, forces, energy, virial) is in
:mod:`neqlab.models.gas.potentials`; this module holds what every wrapper needs to
call a kernel safely.
"""

from __future__ import annotations

import numpy as np

from neqlab.core.errors import ConfigError, SimulationError
from neqlab.models.gas import _kernels as K
from neqlab.models.gas.state import Params

# Pairs closer than this [length] are an overlap (u(0.5) = 4 * 4032 = 16128 energy units).
R_MIN = 0.5

REMEDY = {
    K.NONFINITE: "a position or velocity became NaN or infinite; reduce dt",
    K.OVERLAP: f"two particles came closer than {R_MIN} sigma (overlap); reduce dt or lower the density or the temperature",
    K.ESCAPE: "a particle left the box (moved more than the box in one step); reduce dt",
    K.LIST_FULL: "the neighbour list exceeds 1000 pairs per particle; lower the density",
}


def raise_status(status: int, step: int, what: str) -> None:
    """Turn a kernel status into a one-line SimulationError with a remedy."""
    if status != K.OK:
        raise SimulationError(f"{what} failed at step {step}: {REMEDY.get(int(status), 'unknown status')}")


def kernel_params(params: Params, dtype) -> np.ndarray:
    """The scalar array the kernels read, in the state's dtype (layout in ``_kernels``)."""
    rc = params.r_cut_effective
    rlist = rc + params.skin
    vals = [params.dt, rc * rc, rlist * rlist, (0.5 * params.skin) ** 2, params.energy_shift,
            R_MIN * R_MIN, 48.0, 24.0, 4.0, 1.0, 0.5]
    return np.array(vals, dtype=dtype)


def check_box(box: np.ndarray, periodic: np.ndarray, params: Params) -> None:
    """Periodic axes must hold at least two interaction ranges (single minimum image)."""
    need = 2.0 * (params.r_cut_effective + params.skin)
    for k, (length, per) in enumerate(zip(np.asarray(box, float), periodic)):
        if per and length < need:
            raise ConfigError(f"box[{k}] must be >= 2 (r_cut + skin) = {need:.4g} on a periodic axis, got {length:.4g}")
