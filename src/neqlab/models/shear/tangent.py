"""Tangent dynamics of the sheared fluid: the exact Jacobian of the step map applied to
many tangent vectors, for Lyapunov spectra.

A tangent vector is (dq, dp) flattened as [dq (N, dim), dp (N, dim)], so a batch of m
vectors per system is an array (M, 2 dN, m). The derivative includes that of the
thermostat multiplier (through the exact sub-flow solutions) and of the forces through
the nearest Lees-Edwards images (the image shifts are constants).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.models.shear import _kernels as K
from neqlab.models.shear.dynamics import (batch_kernel, check_steps, kernel_params, mode_code, raise_status,
                                          thermostat_code, threads_set)
from neqlab.models.shear.measure import forces
from neqlab.models.shear.state import ShearParams, ShearState


class TangentIntegrals(NamedTuple):
    """Time integrals over the call, per system (M,): of P_xy [energy/length^dim x time],
    its kinetic part, alpha [1] and Lambda [1] (the constrained compression factor)."""

    pxy: np.ndarray
    pxy_kinetic: np.ndarray
    alpha: np.ndarray
    compression: np.ndarray


def tangent_step(state: ShearState, params: ShearParams, tangents, n_steps: int):
    """Advance the systems and their tangent vectors (M, 2 dN, m) by ``n_steps``.

    Returns (new state, new tangents, :class:`TangentIntegrals`). The base trajectory
    is that of :func:`neqlab.models.shear.advance` up to round-off (the same map, its
    momentum sub-steps applied one by one instead of fused).
    """
    n_steps = check_steps("n_steps", n_steps)
    m_sys, n, d = state.positions.shape
    t = np.array(tangents, dtype=np.float64, order="C", copy=True)
    if t.ndim != 3 or t.shape[:2] != (m_sys, 2 * n * d) or t.shape[2] < 1:
        raise ConfigError(f"tangents must have shape ({m_sys}, {2 * n * d}, m) with m >= 1, got {t.shape}")
    s = state.copy()
    prm = kernel_params(s, params)
    t5 = t.reshape(m_sys, 2, n, d, t.shape[2])
    integ = np.zeros((m_sys, 4))
    status = np.zeros(m_sys, np.int64)
    stats = np.zeros((m_sys, 2), np.int64)
    ints = np.array([n_steps, thermostat_code(params), mode_code(params)], np.int64)
    with threads_set(params):
        batch_kernel(K.TANGENT_BATCH, s, params)(s.positions, s.momenta, s.offset, prm, ints, t5, integ, status, stats)
    raise_status(status, state.step)
    s.time = state.time + n_steps * params.dt
    s.step = state.step + n_steps
    return s, t, TangentIntegrals(integ[:, 0], integ[:, 1], integ[:, 2], integ[:, 3])


def constraint_normals(state: ShearState, params: ShearParams) -> np.ndarray:
    """Orthonormal normals (M, 2 dN, k) of the surface the dynamics keeps invariant.

    The d total-momentum directions always; plus grad K = (0, p) for the isokinetic
    thermostat, grad H0 = (-F, p) for the isoenergetic one (none for ``none``).
    """
    m_sys, n, d = state.positions.shape
    extra = params.thermostat != "none"
    k = d + int(extra)
    out = np.zeros((m_sys, 2, n, d, k))
    for a in range(d):
        out[:, 1, :, a, a] = 1.0 / np.sqrt(n)
    if extra:
        out[:, 1, :, :, d] = state.momenta
        if params.thermostat == "isoenergetic":
            out[:, 0, :, :, d] = -forces(state, params)
    out = out.reshape(m_sys, 2 * n * d, k)
    q, _ = np.linalg.qr(out)
    return q
