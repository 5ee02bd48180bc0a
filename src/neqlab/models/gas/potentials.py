"""Pair potentials and the instantaneous forces, energy and virial of a configuration.

Truncated-shifted Lennard-Jones, u(r) = 4 (r^-12 - r^-6) - u(r_c) for r < r_c, zero
beyond (sigma = epsilon = 1). WCA is the special case r_c = 2^(1/6): purely repulsive,
u >= 0, a gas of soft disks (2D) or spheres (3D).
"""

from __future__ import annotations

import numpy as np

from neqlab.models.gas import _kernels as K
from neqlab.models.gas import _workers
from neqlab.models.gas._plumbing import check_box, kernel_params, raise_status
from neqlab.models.gas.state import LatticeState, Params, State


def _evaluate(state: State | LatticeState, params: Params) -> tuple[np.ndarray, float, float]:
    x = np.ascontiguousarray(state.positions)
    box = np.asarray(state.box, dtype=x.dtype)
    check_box(box, state.periodic, params)
    status, f, epot, vir = _workers.evaluate(x, box, np.asarray(state.periodic), kernel_params(params, x.dtype))
    # the OVERLAP status is ignored here: a close pair is a state to evaluate, not a
    # failed run (the integrators raise on it)
    if status != K.OVERLAP:
        raise_status(status, state.step, "the neighbour list")
    return f, epot, vir


def forces(state: State | LatticeState, params: Params) -> np.ndarray:
    """Forces [energy/length] on every particle (= accelerations, m = 1), in id order."""
    return _evaluate(state, params)[0]


def potential_energy(state: State | LatticeState, params: Params) -> float:
    """Total potential energy [energy] of the configuration."""
    return _evaluate(state, params)[1]


def pair_virial(state: State | LatticeState, params: Params) -> float:
    """Sum over pairs of r_ij . F_ij [energy] (enters the virial pressure)."""
    return _evaluate(state, params)[2]
