r"""Phase functions of the sheared fluid: forces, pressure tensor, alpha, Lambda, Omega.

Pressure tensor (sign convention): P_ab V = sum_i p_a,i p_b,i + sum_{i<j} r_ij,a F_ij,b,
with r_ij = r_i - r_j (nearest Lees-Edwards image) and F_ij the force on i due to j, so
a repulsive fluid has P_xx, P_yy > 0 and under the flow u_x = gamma y (gamma > 0) the
shear pressure is negative: P_xy = -eta gamma in linear response (eta the shear
viscosity). dH0/dt = -gamma P_xy V - 2 K alpha along the exact flow.

Phase-space compression factor. For the full 2dN-dimensional field G(q, p) the
divergence is div G = -(dN - 1) alpha + gamma S / (2K) (isokinetic) or
-(dN - 2) alpha + gamma S / K (isoenergetic), S = sum p_x p_y (alpha depends on p; the
last term comes from the gamma S part of its numerator, and is O(1), not O(N)). Both
thermostats keep the total momentum P = 0, and the isokinetic one K (the isoenergetic
one H0) identically; the motion lives on that constraint surface M, and the Liouville
equation for a density with respect to delta(P) delta(K - K0) dq dp (resp. delta(H0 - E))
has the compression factor Lambda = div G - tr(dP'/dP) = div G + d alpha:

    isokinetic:    Lambda = -(dN - d - 1) alpha + gamma S / (2K)
    isoenergetic:  Lambda = -(dN - d - 2) alpha + gamma S / K
    none:          Lambda = 0

(the normal direction K grows at rate 0, each of the d momentum directions at rate
-alpha). ``phase_space_compression(..., space="full")`` returns div G; both are tested
against a finite-difference divergence. On the isokinetic surface |grad K| = |p| is
constant, so Lambda is also the divergence with respect to the surface area, whose
growth the Lyapunov exponents of the constrained tangent space measure; on the
isoenergetic surface the two differ by d/dt ln|grad H0|, which averages to zero in a
steady state (the pointwise relation is tested; the extra term is a total derivative).

Dissipation function (Evans-Searles). For the isokinetic ensemble
f0 ~ delta(P) delta(K - K0) exp(-beta Phi) with beta = (dN - d - 1) / (2 K0) (invariant
at gamma = 0), Omega(Gamma) = -G.grad ln f0 - Lambda. With dPhi/dt = -sum F.p - gamma
sum_pairs x_ij F_y,ij (the Lees-Edwards offset's motion cancels the boundary terms) and
sum F.p = 2 K alpha + gamma S,

    -G.grad ln f0 = beta dPhi/dt = -beta (2 K alpha + gamma P_xy V),
    Omega = -beta gamma P_xy V - beta 2K alpha + (dN - d - 1) alpha - gamma S / (2K)
          = -beta gamma V [P_xy + S / ((dN - d - 1) V)].

So Omega_t = int_0^t Omega ds = -beta gamma V int_0^t (P_xy + P_xy^kin / (dN - d - 1)) ds,
exact for the flow: the usual -beta gamma V int P_xy plus a kinetic term smaller by the
factor 1/(dN - d - 1) (kept, as the transient theorem is exact). The strain offset is a
variable of the ensemble here: the conjugate (Kawasaki-reflected) trajectory starts from
offset -offset(t), so the equilibrium ensemble must hold every offset; drawing the offset
uniformly (as ``equilibrium_ensemble`` does) makes <exp(-Omega_t)> = 1 hold up to terms of
second order in the offset dependence of the finite system's free energy. For the
isoenergetic thermostat from a microcanonical ensemble delta(P) delta(H0 - E),
Omega = -Lambda.
"""

from __future__ import annotations

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.models.shear import _kernels as K
from neqlab.models.shear.dynamics import kernel_params, thermostat_code
from neqlab.models.shear.state import ShearParams, ShearState

SPACES = ("constrained", "full")


def _evaluate(state: ShearState, params: ShearParams):
    """Per system: forces (M, N, d), potential energy, W_xy, and observe() = (P_xy, P_xy kin, alpha, Lambda)."""
    prm = kernel_params(state, params)
    m, n, d = state.positions.shape
    f = np.empty((m, n, d))
    out = np.empty((m, 6))
    # every pair (overlaps are evaluated, not refused), one kernel call for the batch
    K.EVALUATE[d](state.positions, state.momenta, state.offset, prm, thermostat_code(params), f, out)
    return f, out[:, 0], out[:, 1], out[:, 2:]


def forces(state: ShearState, params: ShearParams) -> np.ndarray:
    """Forces [energy/length] on every particle of every system, (M, N, dim)."""
    return _evaluate(state, params)[0]


def potential_energy(state: ShearState, params: ShearParams) -> np.ndarray:
    """WCA potential energy Phi [energy] of each system, (M,)."""
    out = np.empty(state.n_systems)
    K.POTENTIAL_ENERGIES[state.dim](state.positions, state.offset, kernel_params(state, params), out)
    return out


def pressure_tensor(state: ShearState, params: ShearParams) -> np.ndarray:
    """P_ab [energy/length^dim] of each system, (M, dim, dim) (convention above)."""
    prm = kernel_params(state, params)
    m, _, d = state.positions.shape
    out = np.empty((m, d, d))
    for s in range(m):
        K.pressure_tensor_config(state.positions[s], float(state.offset[s]), prm, out[s])
    out += np.einsum("sia,sib->sab", state.momenta, state.momenta)
    return out / state.volume


def thermostat_multiplier(state: ShearState, params: ShearParams) -> np.ndarray:
    """alpha [1/time] of the continuous equations at each system's state, (M,)."""
    return _evaluate(state, params)[3][:, 2]


def phase_space_compression(state: ShearState, params: ShearParams, *, space: str = "constrained") -> np.ndarray:
    """Lambda [1/time] on the constraint surface (``constrained``) or div G in the full
    2dN-dimensional phase space (``full``), (M,); see the module docstring."""
    if space not in SPACES:
        raise ConfigError(f"space must be one of {', '.join(map(repr, SPACES))}, got {space!r}")
    obs = _evaluate(state, params)[3]
    if space == "constrained" or params.thermostat == "none":
        return obs[:, 3]
    return obs[:, 3] - state.dim * obs[:, 2]


def dissipation_function(state: ShearState, params: ShearParams) -> np.ndarray:
    """Omega [1/time] of each system (module docstring): isokinetic
    -beta gamma V (P_xy + S / ((dN - d - 1) V)) with beta = (dN - d - 1) / 2K;
    isoenergetic -Lambda. Its time integral is Omega_t of the transient theorem."""
    if params.thermostat == "none":
        raise ConfigError("thermostat must be one of 'isokinetic', 'isoenergetic' for the dissipation function, "
                          "got 'none'")
    obs = _evaluate(state, params)[3]
    if params.thermostat == "isoenergetic":
        return -obs[:, 3]
    n_dof = state.n_dof
    beta = n_dof / (2.0 * state.kinetic_energy())
    return -beta * params.shear_rate * state.volume * (obs[:, 0] + obs[:, 1] / n_dof)


def vector_field(state: ShearState, params: ShearParams) -> tuple[np.ndarray, np.ndarray]:
    """(dq/dt, dp/dt) of the SLLOD equations at the state, each (M, N, dim)
    [length/time], [energy/length]: the continuous field the integrator approximates."""
    f, _, _, obs = _evaluate(state, params)
    y = state.positions[..., 1]
    qdot = state.momenta.copy()
    qdot[..., 0] += params.shear_rate * y
    pdot = f - obs[:, 2][:, None, None] * state.momenta
    pdot[..., 0] -= params.shear_rate * state.momenta[..., 1]
    return qdot, pdot
