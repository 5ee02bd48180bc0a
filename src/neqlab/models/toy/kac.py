"""The Kac ring: a deterministic, reversible model with an H-theorem and exact recurrence.

``n_sites`` sites on a ring carry a ball each (white +1 or black -1); each edge is
marked with probability ``marker_fraction``. Every step every ball moves one site
clockwise and changes colour when it crosses a marked edge. After n_sites steps each
ball has crossed every edge once, so the ring is back if the number of markers is even
(period n_sites) and fully inverted if it is odd (period 2 n_sites).

>>> ring = KacRing.random(key=7, n_sites=12, marker_fraction=0.3)
>>> delta = ring.advance(2 * 12)
>>> bool((ring.colour == 1).all()), ring.time
(True, 24)
>>> _ = ring.advance(5); _ = ring.advance(5, backward=True); ring.time
24
"""

from __future__ import annotations

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.models.toy._kernels import kac_markers, kac_steps


class KacRing:
    """State of one ring: ``sign`` per edge (+1/-1), ``colour`` per ball (indexed by start site), ``time``."""

    def __init__(self, sign: np.ndarray, colour: np.ndarray | None = None, time: int = 0):
        self.sign = np.ascontiguousarray(sign, dtype=np.int8)
        self.colour = np.ones_like(self.sign) if colour is None else np.ascontiguousarray(colour, dtype=np.int8)
        self.time = int(time)

    @classmethod
    def random(cls, key: int, n_sites: int, marker_fraction: float) -> "KacRing":
        """A ring whose markers come from the stream ``key``; all balls white."""
        if not 2 <= n_sites <= 10**9:
            raise ConfigError(f"n_sites must be an integer in [2, 1000000000], got {n_sites!r}")
        if not 0.0 <= marker_fraction <= 1.0:
            raise ConfigError(f"marker_fraction must be a number in [0.0, 1.0], got {marker_fraction!r}")
        sign = np.empty(n_sites, dtype=np.int8)
        kac_markers(np.uint64(key), float(marker_fraction), sign)
        return cls(sign)

    @property
    def n_markers(self) -> int:
        return int((self.sign < 0).sum())

    @property
    def period(self) -> int:
        """Exact recurrence time [steps]: n_sites for an even number of markers, else 2 n_sites."""
        n = self.sign.shape[0]
        return n if self.n_markers % 2 == 0 else 2 * n

    def delta(self) -> float:
        """(white - black) / n_sites now."""
        return float(self.colour.sum(dtype=np.int64)) / self.colour.shape[0]

    def advance(self, n_steps: int, *, backward: bool = False) -> np.ndarray:
        """Run n_steps forward (or backward); return delta after each step."""
        out = np.empty(int(n_steps), dtype=np.float64)
        self.time = int(kac_steps(self.colour, self.sign, self.time, int(n_steps), -1 if backward else 1, out))
        return out
