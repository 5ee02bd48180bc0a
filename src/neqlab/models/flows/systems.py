"""Hamiltonian systems H = |p|^2/2 + V(q) (unit masses) for the flow integrators.

Each system is a frozen, validated dataclass with ``n_dof``, ``energy(points)``, a
kernel id and a parameter vector. Points are (n, 2 * n_dof) arrays, q first, then p.

>>> import numpy as np
>>> float(HarmonicOscillator(omega=2.0).energy(np.array([[1.0, 0.0]]))[0])
2.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from neqlab.core.config import ConfigBase, param
from neqlab.models.flows import _kernels as K

__all__ = ["HarmonicOscillator", "Pendulum", "HenonHeiles", "SoftDiskGas", "SYSTEMS"]


def _qp(points: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    pts = np.asarray(points, dtype=np.float64)
    return pts[:, :d], pts[:, d:]


class _OneDof:
    """Shared by the one-degree-of-freedom systems whose only parameter is ``omega``."""

    @property
    def n_dof(self) -> int:
        return 1

    def kernel_params(self) -> np.ndarray:
        return np.array([self.omega])


@dataclass(frozen=True)
class HarmonicOscillator(_OneDof, ConfigBase):
    """V = omega^2 q^2 / 2: integrable, linear; the integrators' det J is known exactly."""

    name: ClassVar[str] = "oscillator"
    kernel_id: ClassVar[int] = K.OSCILLATOR
    is_integrable: ClassVar[bool] = True
    omega: float = param(1.0, lo=0.0, hi=1e3, lo_open=True, unit="1/time", doc="angular frequency")

    def energy(self, points):
        q, p = _qp(points, 1)
        return 0.5 * (p[:, 0] ** 2 + self.omega**2 * q[:, 0] ** 2)


@dataclass(frozen=True)
class Pendulum(_OneDof, ConfigBase):
    """V = omega0^2 (1 - cos q): integrable, nonlinear (period depends on energy)."""

    name: ClassVar[str] = "pendulum"
    kernel_id: ClassVar[int] = K.PENDULUM
    is_integrable: ClassVar[bool] = True
    omega: float = param(1.0, lo=0.0, hi=1e3, lo_open=True, unit="1/time", doc="small-amplitude frequency")

    def energy(self, points):
        q, p = _qp(points, 1)
        return 0.5 * p[:, 0] ** 2 + self.omega**2 * (1.0 - np.cos(q[:, 0]))


@dataclass(frozen=True)
class HenonHeiles(ConfigBase):
    """V = (x^2 + y^2)/2 + x^2 y - y^3/3: mostly chaotic above E ~ 1/8 (escape at 1/6)."""

    name: ClassVar[str] = "henon_heiles"
    kernel_id: ClassVar[int] = K.HENON_HEILES
    is_integrable: ClassVar[bool] = False

    @property
    def n_dof(self) -> int:
        return 2

    def kernel_params(self) -> np.ndarray:
        return np.zeros(1)

    def energy(self, points):
        q, p = _qp(points, 2)
        x, y = q[:, 0], q[:, 1]
        return 0.5 * (p**2).sum(axis=1) + 0.5 * (x**2 + y**2) + x**2 * y - y**3 / 3.0


@dataclass(frozen=True)
class SoftDiskGas(ConfigBase):
    """A few soft disks in a periodic square box: V = eps (1 - r^2/sigma^2)^2 for r < sigma.

    Chaotic (a smooth version of a few-particle billiard). Coordinates (x1, y1, x2, ...).
    """

    name: ClassVar[str] = "gas"
    kernel_id: ClassVar[int] = K.SOFT_GAS
    is_integrable: ClassVar[bool] = False
    n_particles: int = param(3, lo=2, hi=16, doc="number of disks")
    box: float = param(2.0, lo=0.1, hi=1e3, unit="length", doc="side of the periodic box")
    eps: float = param(1.0, lo=0.0, hi=1e3, lo_open=True, unit="energy", doc="repulsion strength")
    sigma: float = param(1.0, lo=0.01, hi=1e3, unit="length", doc="interaction range")

    @property
    def n_dof(self) -> int:
        return 2 * self.n_particles

    def kernel_params(self) -> np.ndarray:
        return np.array([self.box, self.eps, self.sigma])

    def energy(self, points):
        q, p = _qp(points, self.n_dof)
        pos = q.reshape(q.shape[0], self.n_particles, 2)
        d = pos[:, :, None, :] - pos[:, None, :, :]
        d -= self.box * np.floor(d / self.box + 0.5)
        r2 = (d**2).sum(axis=-1)
        iu = np.triu_indices(self.n_particles, 1)
        s = r2[:, iu[0], iu[1]] / self.sigma**2
        pot = np.where(s < 1.0, self.eps * (1.0 - s) ** 2, 0.0).sum(axis=1)
        return 0.5 * (p**2).sum(axis=1) + pot


SYSTEMS = {c.name: c for c in (HarmonicOscillator, Pendulum, HenonHeiles, SoftDiskGas)}
