"""A Hamiltonian system plus an integrator and a step: the discrete flow map.

``Flow(system, integrator, dt)`` has the same public surface as the maps: ``step``,
``jacobian`` (the exact derivative of one integrator step), ``tangent_step``,
``time_per_step`` = dt, ``is_symplectic``. Integrators: ``leapfrog`` (velocity Verlet,
2nd order), ``yoshida4`` (4th-order symplectic composition of three leapfrogs, Yoshida
1990 / Forest-Ruth), ``euler`` (explicit), ``rk4`` (classical Runge-Kutta). For the
oscillator the one-step det J is exactly 1, 1, 1 + h^2 and 1 - h^6/72 + h^8/576:

>>> import numpy as np
>>> from neqlab.models.flows.systems import HarmonicOscillator
>>> f = Flow(HarmonicOscillator(), "euler", 0.1)
>>> round(float(np.linalg.det(f.jacobian(np.array([[0.3, 0.1]])))[0]), 12)
1.01
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from neqlab.core.errors import ConfigError, SimulationError
from neqlab.models.flows import _kernels as K

__all__ = ["Flow", "INTEGRATORS"]

INTEGRATORS = {"leapfrog": K.LEAPFROG, "yoshida4": K.YOSHIDA4, "euler": K.EULER, "rk4": K.RK4}
SYMPLECTIC = ("leapfrog", "yoshida4")


@dataclass(frozen=True)
class Flow:
    """The map 'one integrator step of length dt' of a Hamiltonian ``system``."""

    system: Any
    integrator: str = "leapfrog"
    dt: float = 0.05
    period: ClassVar[None] = None  # flows live on the plane (no torus)

    def __post_init__(self) -> None:
        if self.integrator not in INTEGRATORS:
            raise ConfigError(
                f"integrator must be one of {', '.join(map(repr, INTEGRATORS))}, got {self.integrator!r}"
            )
        if not (isinstance(self.dt, (int, float)) and 0.0 < float(self.dt) <= 10.0):
            raise ConfigError(f"dt must be a number in (0.0, 10.0], got {self.dt!r}")

    @property
    def dim(self) -> int:
        return 2 * self.system.n_dof

    @property
    def time_per_step(self) -> float:
        return float(self.dt)

    @property
    def is_symplectic(self) -> bool:
        return self.integrator in SYMPLECTIC

    def _points(self, points) -> np.ndarray:
        arr = np.array(points, dtype=np.float64, order="C", copy=True)
        if arr.ndim != 2 or arr.shape[1] != self.dim:
            raise ConfigError(f"points must be an array of shape (n, {self.dim}), got shape {arr.shape}")
        return arr

    def _run(self, pts, n_steps, tan, h):
        if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
            raise ConfigError(f"n_steps must be an integer in [0, inf), got {n_steps!r}")
        status = np.zeros(pts.shape[0], dtype=np.int8)
        args = (self.system.kernel_id, self.system.kernel_params(), INTEGRATORS[self.integrator], float(h), pts,
                int(n_steps))
        if self.dim == 2 and tan.shape[0] != pts.shape[0] and self.system.kernel_id in (K.OSCILLATOR, K.PENDULUM):
            K.flow_run_1dof(*args, status)  # blocked: B1 points at a time, the same bits
        else:
            K.flow_run(*args, tan, status)
        if status.any():
            raise SimulationError(
                f"{int(status.sum())} trajectories became non-finite with {self.integrator} at "
                f"dt={self.dt}; reduce dt or use a symplectic integrator"
            )

    def step(self, points, n_steps: int = 1, *, inverse: bool = False, wrap: bool = True) -> np.ndarray:
        """Advance (n, 2d) points by ``n_steps``; ``inverse`` runs the exact inverse.

        The inverse of a time-symmetric integrator (leapfrog, yoshida4) is the same
        integrator with -dt; explicit Euler and RK4 have no explicit inverse.
        """
        pts = self._points(points)
        if inverse and not self.is_symplectic:
            raise ConfigError(
                f"inverse needs integrator one of {', '.join(map(repr, SYMPLECTIC))}, got {self.integrator!r}"
            )
        self._run(pts, n_steps, np.zeros((0, 1, 1)), -self.dt if inverse else self.dt)
        return pts

    def tangent_step(self, points, tangents, n_steps: int = 1):
        """Advance points and tangent matrices (n, 2d, m) together by ``n_steps``."""
        pts = self._points(points)
        tan = np.array(tangents, dtype=np.float64, order="C", copy=True)
        if tan.ndim != 3 or tan.shape[:2] != (pts.shape[0], self.dim):
            raise ConfigError(f"tangents must have shape ({pts.shape[0]}, {self.dim}, m), got {tan.shape}")
        self._run(pts, n_steps, tan, self.dt)
        return pts, tan

    def jacobian(self, points) -> np.ndarray:
        """The exact Jacobian of one integrator step at each point, shape (n, 2d, 2d)."""
        pts = self._points(points)
        eye = np.broadcast_to(np.eye(self.dim), (pts.shape[0], self.dim, self.dim))
        return self.tangent_step(pts, eye, 1)[1]
