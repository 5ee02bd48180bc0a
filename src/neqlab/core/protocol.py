"""Protocols lambda(t): how an external control parameter changes in time.

Each protocol is a small frozen dataclass that evaluates at a time (scalar or array)
and has :meth:`reversed`, the time-reversed protocol over the same duration, as
needed for the reverse process of the Crooks theorem.

>>> r = Ramp(0.0, 1.0, duration=2.0)
>>> float(r(0.5)), float(r.reversed()(0.5))
(0.25, 0.75)
>>> c = Cycle(mean=0.0, amplitude=1.0, period=4.0)
>>> round(float(c(1.0)), 12)
1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neqlab.core.errors import ConfigError


@dataclass(frozen=True)
class Constant:
    """lambda(t) = value."""

    value: float
    duration: float = 0.0

    def __call__(self, t):
        return np.full_like(np.asarray(t, dtype=float), self.value)

    def rate(self, t):
        return np.zeros_like(np.asarray(t, dtype=float))

    def reversed(self) -> "Constant":
        return self


@dataclass(frozen=True)
class Ramp:
    """Linear change from ``start`` to ``stop`` over ``duration`` [time]; constant after."""

    start: float
    stop: float
    duration: float

    def __post_init__(self):
        if not (self.duration > 0 and np.isfinite(self.duration)):
            raise ConfigError(f"duration must be a number in (0, inf), got {self.duration!r}")

    def __call__(self, t):
        s = np.clip(np.asarray(t, dtype=float) / self.duration, 0.0, 1.0)
        return self.start + (self.stop - self.start) * s

    def rate(self, t):
        t = np.asarray(t, dtype=float)
        inside = (t >= 0) & (t <= self.duration)
        return np.where(inside, (self.stop - self.start) / self.duration, 0.0)

    def reversed(self) -> "Ramp":
        return Ramp(self.stop, self.start, self.duration)


@dataclass(frozen=True)
class Cycle:
    """Harmonic drive lambda(t) = mean + amplitude sin(2 pi t / period + phase)."""

    mean: float
    amplitude: float
    period: float
    phase: float = 0.0
    duration: float = 0.0

    def __post_init__(self):
        if not (self.period > 0 and np.isfinite(self.period)):
            raise ConfigError(f"period must be a number in (0, inf), got {self.period!r}")

    def __call__(self, t):
        w = 2.0 * np.pi / self.period
        return self.mean + self.amplitude * np.sin(w * np.asarray(t, dtype=float) + self.phase)

    def rate(self, t):
        w = 2.0 * np.pi / self.period
        return self.amplitude * w * np.cos(w * np.asarray(t, dtype=float) + self.phase)

    def reversed(self) -> "Cycle":
        """lambda_R(t) = lambda(T - t) over ``duration`` T (sin is odd: flip amplitude, shift phase)."""
        w = 2.0 * np.pi / self.period
        # mean + A sin(w (T - t) + phi) = mean - A sin(w t - (w T + phi))
        return Cycle(self.mean, -self.amplitude, self.period, -(w * self.duration + self.phase), self.duration)
