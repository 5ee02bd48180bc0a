"""Potentials U(x, lambda) for Langevin ensembles, with exact free energies.

Every potential is a separable polynomial per axis ``a`` of the coordinate vector:

    U_a(x, lam) = p4 x^4/4 + (k0 + k1 lam) x^2/2 - (h0 + h1 lam) x + e2 lam^2/2

stored as a ``(dim, 6)`` coefficient table, which one kernel evaluates for all the
shapes below. Units (reduced, k_B = 1): x [length], lambda in the unit each
constructor states, U [energy].

>>> trap = dragged_trap(k=2.0)
>>> float(trap.energy(np.array([[1.5]]), 0.5)[0])
1.0
>>> ramp = stiffness_ramp()
>>> round(ramp.free_energy(4.0, kT=1.0) - ramp.free_energy(1.0, kT=1.0), 12)  # (kT/2) ln 4
0.69314718056
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate

from neqlab.core.errors import ConfigError


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{name} must be a number in (0, inf), got {value!r}")
    return float(value)


def _dim(dim: int) -> int:
    if dim not in (1, 2):
        raise ConfigError(f"dim must be one of 1, 2, got {dim!r}")
    return int(dim)


@dataclass(frozen=True)
class Potential:
    """Separable polynomial potential; ``coeffs[a] = (p4, k0, k1, h0, h1, e2)``."""

    name: str
    coeffs: tuple[tuple[float, ...], ...]
    lam_unit: str = ""

    def __post_init__(self):
        rows = tuple(tuple(float(c) for c in row) for row in self.coeffs)
        if len(rows) not in (1, 2) or any(len(r) != 6 or not all(math.isfinite(c) for c in r) for r in rows):
            raise ConfigError(f"coeffs must be 1 or 2 rows of 6 finite numbers (p4, k0, k1, h0, h1, e2), "
                              f"got {self.coeffs!r}")
        object.__setattr__(self, "coeffs", rows)

    @property
    def dim(self) -> int:
        return len(self.coeffs)

    @property
    def table(self) -> np.ndarray:
        return np.array(self.coeffs, dtype=np.float64).reshape(self.dim, 6)

    def energy(self, x: np.ndarray, lam: float) -> np.ndarray:
        """U(x, lam) [energy] for positions x of shape (M, dim)."""
        x = np.asarray(x, dtype=float).reshape(-1, self.dim)
        c = self.table
        x2 = x * x
        per_axis = (c[:, 0] * 0.25 * x2 * x2 + 0.5 * (c[:, 1] + c[:, 2] * lam) * x2
                    - (c[:, 3] + c[:, 4] * lam) * x + 0.5 * c[:, 5] * lam * lam)
        return per_axis.sum(axis=1)

    def force(self, x: np.ndarray, lam: float) -> np.ndarray:
        """-dU/dx [energy/length], shape (M, dim)."""
        x = np.asarray(x, dtype=float).reshape(-1, self.dim)
        c = self.table
        return -(c[:, 0] * x**3 + (c[:, 1] + c[:, 2] * lam) * x - (c[:, 3] + c[:, 4] * lam))

    def is_quadratic(self) -> bool:
        return all(row[0] == 0.0 for row in self.coeffs)

    def check_confining(self, lam: float) -> None:
        """ConfigError unless exp(-U/kT) is normalisable at lam on every axis."""
        for a, (p4, k0, k1, *_rest) in enumerate(self.coeffs):
            if p4 < 0 or (p4 == 0 and k0 + k1 * lam <= 0):
                raise ConfigError(
                    f"lambda must keep {self.name} confining on axis {a} (stiffness > 0), got {lam!r}"
                )

    def gaussian(self, lam: float, kT: float) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance per axis of the Boltzmann distribution (quadratic U only)."""
        c = self.table
        stiff = c[:, 1] + c[:, 2] * lam
        return (c[:, 3] + c[:, 4] * lam) / stiff, kT / stiff

    def free_energy(self, lam: float, kT: float) -> float:
        """F(lam) = -kT ln Z(lam) [energy], Z = integral of exp(-U/kT) (exact or quadrature)."""
        self.check_confining(lam)
        total = 0.0
        for p4, k0, k1, h0, h1, e2 in self.coeffs:
            kk, hh = k0 + k1 * lam, h0 + h1 * lam
            if p4 == 0.0:
                # integral of exp(-(kk x^2/2 - hh x)/kT) = sqrt(2 pi kT/kk) exp(hh^2/(2 kk kT));
                # the lambda^2 terms first, so that a dragged trap's F is exactly constant
                total += (0.5 * e2 * lam * lam - hh * hh / (2 * kk)) - 0.5 * kT * math.log(2 * math.pi * kT / kk)
                continue
            total += 0.5 * e2 * lam * lam
            x_grid = np.linspace(-12.0, 12.0, 4001)  # locate the minimum for a stable shift
            u_grid = p4 * 0.25 * x_grid**4 + 0.5 * kk * x_grid**2 - hh * x_grid
            u_min = float(u_grid.min())
            span = float(np.abs(x_grid[u_grid - u_min < 60 * kT]).max()) + 1.0

            def boltz(x, kk=kk, hh=hh, p4=p4):
                return math.exp(-(p4 * 0.25 * x**4 + 0.5 * kk * x * x - hh * x - u_min) / kT)

            z, _ = integrate.quad(boltz, -span, span, epsabs=0.0, epsrel=1e-12, limit=400)
            total += u_min - kT * math.log(z)
        return total

    def delta_f(self, lam0: float, lam1: float, kT: float) -> float:
        """F(lam1) - F(lam0) [energy]."""
        return self.free_energy(lam1, kT) - self.free_energy(lam0, kT)

    def inverse_cdf_table(self, lam: float, kT: float, n: int = 8193) -> tuple[np.ndarray, np.ndarray]:
        """Per-axis (x grid, CDF) of the Boltzmann distribution, for sampling a quartic U."""
        self.check_confining(lam)
        xs, cdfs = [], []
        for p4, k0, k1, h0, h1, _e2 in self.coeffs:
            kk, hh = k0 + k1 * lam, h0 + h1 * lam
            g = np.linspace(-12.0, 12.0, 24001)
            u = p4 * 0.25 * g**4 + 0.5 * kk * g**2 - hh * g
            keep = g[u - u.min() < 60 * kT]
            grid = np.linspace(keep.min(), keep.max(), n)
            dens = np.exp(-(p4 * 0.25 * grid**4 + 0.5 * kk * grid**2 - hh * grid - u.min()) / kT)
            cdf = np.concatenate([[0.0], np.cumsum(0.5 * (dens[1:] + dens[:-1]) * np.diff(grid))])
            xs.append(grid)
            cdfs.append(cdf / cdf[-1])
        return np.array(xs), np.array(cdfs)


def dragged_trap(k: float = 1.0, dim: int = 1) -> Potential:
    """U = k |x - lam e_0|^2 / 2: a harmonic trap [k: energy/length^2] centred at lam [length] on axis 0."""
    k = _positive("k", k)
    rows = [(0.0, k, 0.0, 0.0, k, k)] + [(0.0, k, 0.0, 0.0, 0.0, 0.0)] * (_dim(dim) - 1)
    return Potential("dragged_trap", tuple(rows), lam_unit="length")


def stiffness_ramp(dim: int = 1) -> Potential:
    """U = lam |x|^2 / 2: a trap whose stiffness is lam [energy/length^2]; dF = (dim kT/2) ln(k1/k0)."""
    return Potential("stiffness_ramp", ((0.0, 0.0, 1.0, 0.0, 0.0, 0.0),) * _dim(dim), lam_unit="energy/length^2")


def double_well(a: float = 1.0, b: float = 2.0, control: str = "tilt", dim: int = 1) -> Potential:
    """Quartic double well along axis 0, harmonic (stiffness b) on other axes.

    control ``"tilt"``: U = a x^4/4 - b x^2/2 - lam x (lam a force [energy/length]);
    ``"barrier"``: U = a x^4/4 - lam x^2/2 (lam [energy/length^2]; barrier lam^2/(4a)).
    """
    a, b = _positive("a", a), _positive("b", b)
    if control == "tilt":
        first = (a, -b, 0.0, 0.0, 1.0, 0.0)
        unit = "energy/length"
    elif control == "barrier":
        first = (a, 0.0, -1.0, 0.0, 0.0, 0.0)
        unit = "energy/length^2"
    else:
        raise ConfigError(f"control must be one of 'tilt', 'barrier', got {control!r}")
    rows = [first] + [(0.0, b, 0.0, 0.0, 0.0, 0.0)] * (_dim(dim) - 1)
    return Potential(f"double_well_{control}", tuple(rows), lam_unit=unit)
