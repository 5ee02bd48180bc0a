r"""SLLOD dynamics with Lees-Edwards boundaries and Gaussian thermostats: time stepping.

Equations of motion (m = 1, peculiar momenta p, shear rate gamma, flow u_x = gamma y):

    dq_i/dt = p_i + gamma y_i e_x
    dp_i/dt = F_i - gamma p_{y,i} e_x - alpha p_i

with alpha = 0 (``none``), the isokinetic multiplier alpha = (sum F.p - gamma sum p_x p_y)
/ sum p^2 (dK/dt = 0), or the isoenergetic one alpha = -gamma P_xy V / sum p^2
(dH0/dt = 0, H0 = K + Phi; Evans, Cohen & Morriss, PRL 71, 2401 (1993)). Both keep the
total peculiar momentum at zero. Lees-Edwards sliding-brick images: the copy of the box
above is shifted by offset(t) = gamma t L_y (mod L_x) in x; a particle leaving through
y = L_y comes back at y - L_y with x - offset (its peculiar momentum unchanged).

Integrator: the symmetric (Strang) splitting of :mod:`._kernels.step`, every sub-flow
solved exactly; with the isokinetic thermostat K is kept to round-off by construction.
The splitting follows the operator-splitting SLLOD integrators of Pan, Ely, McCabe &
Isbister, J. Chem. Phys. 122, 094114 (2005), with the isokinetic force step of Zhang,
J. Chem. Phys. 106, 6102 (1997). It is second order (H0 error ~ dt^2, tested) and
time-reversible.

Time reversal. Under t -> -t the peculiar momenta change sign and so does the shear
rate (a velocity gradient is odd under time reversal); alpha changes sign with them.
So (q, p, gamma) -> (q, -p, -gamma) maps a solution onto a solution run backwards, and
the discrete step has the same property: ``advance(reverse(advance(s, prm, n)),
prm.reversed(), n)`` returns to ``reverse(s)`` up to round-off amplified by chaos
(tested). The Lees-Edwards offset runs back with -gamma. (Equivalently, Kawasaki's map
(x, y, p_x, p_y) -> (x, -y, -p_x, p_y) with offset -> -offset reverses the motion at the
same gamma.) With gamma fixed and only p reversed the motion is *not* reversed: that is
the dissipative asymmetry the fluctuation theorems quantify.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numba
import numpy as np

from neqlab.core.errors import ConfigError, SimulationError
from neqlab.models import _threads
from neqlab.models.shear import _kernels as K
from neqlab.models.shear.state import ShearParams, ShearState  # noqa: E402

_THERMO = {"none": K.NONE, "isokinetic": K.ISOKINETIC, "isoenergetic": K.ISOENERGETIC}
_MODE = {"list": K.LIST, "all_pairs": K.ALL_PAIRS}
R_MIN = 0.5
REMEDY = {
    K.NONFINITE: "a momentum or force became NaN or infinite; reduce dt",
    K.OVERLAP: f"two particles came closer than {R_MIN} sigma (overlap); reduce dt, the shear rate or the density",
}


def thermostat_code(params: ShearParams) -> int:
    return _THERMO[params.thermostat]


def mode_code(params: ShearParams) -> int:
    return _MODE[params.neighbours]


def kernel_params(state: ShearState, params: ShearParams) -> np.ndarray:
    """The scalar array ``prm`` of the kernels; checks the box against the pair list."""
    need = 2.0 * params.r_list
    if np.any(state.box < need):
        k = int(np.argmin(state.box))
        raise ConfigError(f"box[{k}] must be >= 2 (r_cut + skin) = {need:.4g} [length], got {state.box[k]:.4g}; "
                          "use more particles or a smaller skin")
    prm = np.zeros(K.N_PRM)
    rc = params.r_cut
    r6i = rc ** -6
    prm[K.P_DT] = params.dt
    prm[K.P_GAMMA] = params.shear_rate
    prm[K.P_RC2] = rc * rc
    prm[K.P_RLIST2] = params.r_list ** 2
    prm[K.P_SKIN] = params.skin
    prm[K.P_SHIFT] = 4.0 * r6i * (r6i - 1.0)
    prm[K.P_R2MIN] = R_MIN * R_MIN
    prm[K.P_RC] = rc
    prm[K.P_LX] = state.box[0]
    prm[K.P_LY] = state.box[1]
    prm[K.P_LZ] = state.box[2] if state.dim == 3 else 1.0
    prm[K.P_VOL] = state.volume
    return prm


def raise_status(status: np.ndarray, step: int) -> None:
    bad = np.flatnonzero(status)
    if bad.size:
        s = int(bad[0])
        raise SimulationError(f"the sheared fluid failed in system {s} (of {status.size}) within steps from {step}: "
                              f"{REMEDY.get(int(status[s]), 'unknown status')}")


def batch_kernel(table: dict, state: ShearState, params: ShearParams):
    """The kernel of ``table`` ((dim, parallel) -> kernel) for this state and params: the
    plain loop over systems when ``params.threads == 1`` (no parallel region, so none is
    compiled), the prange loop otherwise. Each system's arithmetic is the same in both."""
    return table[state.dim, int(params.threads) != 1]


class threads_set:
    """Context manager: numba threads = params.threads while a kernel runs (0: unchanged;
    1: the serial kernels of :func:`batch_kernel`, the thread pool is not touched)."""

    def __init__(self, params: ShearParams):
        self.n = int(params.threads)

    def __enter__(self):
        if self.n == 1:
            return self
        _threads.configure()  # the OpenMP wait policy, before the first parallel kernel (models/_threads.py)
        self.old = numba.get_num_threads()
        if self.n:
            numba.set_num_threads(min(self.n, numba.config.NUMBA_NUM_THREADS))
        return self

    def __exit__(self, *exc):
        if self.n != 1:
            numba.set_num_threads(self.old)
        return False


def check_steps(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ConfigError(f"{name} must be an integer in [0, inf), got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Record:
    """Time series of a run, per system (rows) and recording interval (columns).

    ``t`` (n,): end of each interval [time]; ``interval`` its length [time].
    Interval means (trapezoid rule over the steps, so sums times ``interval`` are time
    integrals): ``pxy`` the shear pressure P_xy [energy/length^dim], ``pxy_kinetic``
    its kinetic part sum p_x p_y / V, ``alpha`` the thermostat multiplier [1/time],
    ``compression`` the phase-space compression factor Lambda [1/time] (see
    :func:`neqlab.models.shear.phase_space_compression`). At the end of each interval:
    ``potential_energy`` and ``kinetic_energy`` [energy]. ``rebuilds``: pair-list
    rebuilds per system.
    """

    t: np.ndarray
    interval: float
    pxy: np.ndarray
    pxy_kinetic: np.ndarray
    alpha: np.ndarray
    compression: np.ndarray
    potential_energy: np.ndarray
    kinetic_energy: np.ndarray
    rebuilds: np.ndarray


def _run(state: ShearState, params: ShearParams, n_steps: int, every: int):
    s = state.copy()
    prm = kernel_params(s, params)
    n_rec = n_steps // every if every > 0 else 0
    rec = np.zeros((s.n_systems, max(n_rec, 1), K.N_REC))
    status = np.zeros(s.n_systems, np.int64)
    stats = np.zeros((s.n_systems, 2), np.int64)
    ints = np.array([n_steps, every, thermostat_code(params), mode_code(params)], np.int64)
    with threads_set(params):
        batch_kernel(K.RUN_BATCH, s, params)(s.positions, s.momenta, s.offset, prm, ints, rec, status, stats)
    raise_status(status, state.step)
    s.time = state.time + n_steps * params.dt
    s.step = state.step + n_steps
    return s, rec[:, :n_rec], stats


def advance(state: ShearState, params: ShearParams, n_steps: int) -> ShearState:
    """Integrate every system ``n_steps`` steps; returns a new state (input untouched).

    >>> from neqlab.models.shear import lattice_state
    >>> s = lattice_state(56, density=0.8, kT=1.0, n_systems=2, seed=0)
    >>> s1 = advance(s, ShearParams(shear_rate=0.5), 100)
    >>> bool(np.allclose(s1.kinetic_energy(), s.kinetic_energy(), rtol=1e-13, atol=0))
    True
    """
    n_steps = check_steps("n_steps", n_steps)
    return _run(state, params, n_steps, 0)[0]


def run(state: ShearState, params: ShearParams, n_steps: int, *, record_every: int) -> tuple[ShearState, Record]:
    """Integrate ``n_steps`` steps recording every ``record_every`` steps (:class:`Record`)."""
    n_steps = check_steps("n_steps", n_steps)
    every = check_steps("record_every", record_every)
    if every < 1:
        raise ConfigError(f"record_every must be an integer in [1, inf), got {record_every!r}")
    s, rec, stats = _run(state, params, n_steps, every)
    n_rec = rec.shape[1]
    t = state.time + params.dt * every * np.arange(1, n_rec + 1)
    r = Record(t=t, interval=params.dt * every, pxy=rec[..., K.R_PXY].copy(),
               pxy_kinetic=rec[..., K.R_PXY_KIN].copy(), alpha=rec[..., K.R_ALPHA].copy(),
               compression=rec[..., K.R_LAMBDA].copy(), potential_energy=rec[..., K.R_EPOT].copy(),
               kinetic_energy=rec[..., K.R_KIN].copy(), rebuilds=stats[:, K.S_REBUILDS].copy())
    return s, r


def reverse(state: ShearState) -> ShearState:
    """Every peculiar momentum reversed (exact); run on with ``params.reversed()``."""
    return dataclasses.replace(state.copy(), momenta=-state.momenta)
