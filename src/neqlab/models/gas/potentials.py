"""Pair potentials and the instantaneous forces, energy and virial of a configuration.

Truncated-shifted Lennard-Jones, u(r) = 4 (r^-12 - r^-6) - u(r_c) for r < r_c, zero
beyond (sigma = epsilon = 1). WCA is the special case r_c = 2^(1/6): purely repulsive,
u >= 0, a gas of soft disks (2D) or spheres (3D).
"""

from __future__ import annotations

import numpy as np

from neqlab.models.gas import _kernels as K
from neqlab.models.gas._plumbing import check_box, kernel_params, raise_status
from neqlab.models.gas.state import LatticeState, Params, State


def _float_state(state: State | LatticeState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if isinstance(state, LatticeState):
        return state.positions, state.box, state.periodic
    return state.positions, state.box, state.periodic


def _evaluate(state: State | LatticeState, params: Params) -> tuple[np.ndarray, float, float]:
    x, box, periodic = _float_state(state)
    x = x.copy()
    box = np.asarray(box, dtype=x.dtype)
    check_box(box, periodic, params)
    prm = kernel_params(params, x.dtype)
    n = x.shape[0]
    ids = np.arange(n, dtype=np.int64)
    ncell = K._cell_grid(box, periodic, float(np.sqrt(prm[K.P_RLIST2])))
    st, start, nbr = K.rebuild(x, (x.copy(),), ids, box, periodic, ncell, prm[K.P_RLIST2], True,
                               np.empty(8 * n + 16, np.int32))
    raise_status(st, state.step, "the neighbour list")
    f = np.empty_like(x)
    # the OVERLAP status is ignored here: a close pair is a state to evaluate, not a
    # failed run (the integrators raise on it)
    _, epot, vir = K.half_list_forces(x, box, periodic, prm, start, nbr, f)
    out = np.empty_like(f)
    out[ids] = f
    return out, float(epot), float(vir)


def forces(state: State | LatticeState, params: Params) -> np.ndarray:
    """Forces [energy/length] on every particle (= accelerations, m = 1), in id order."""
    return _evaluate(state, params)[0]


def potential_energy(state: State | LatticeState, params: Params) -> float:
    """Total potential energy [energy] of the configuration."""
    return _evaluate(state, params)[1]


def pair_virial(state: State | LatticeState, params: Params) -> float:
    """Sum over pairs of r_ij . F_ij [energy] (enters the virial pressure)."""
    return _evaluate(state, params)[2]
