"""Configuration of the ``coarse_graining`` experiment (essay §4): keys, scales, the claim.

Lengths are fractions of the torus side (the cat and baker maps live on the unit torus,
the standard map on a torus of side 2 pi); times are map steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError
from neqlab.core.i18n import text

NAME = "coarse_graining"
SECTION = text("coarse_graining.section")
CLAIM = text("coarse_graining.claim")
BAKER_MAX_STEPS = 45  # float64 loses one bit of x per baker step: after ~52 steps x is exactly 0


@dataclass(frozen=True)
class Config(ConfigBase):
    """Parameters of the coarse_graining experiment (lengths in torus sides, times in map steps)."""

    experiment: ClassVar[str] = NAME
    model: str = param("cat", choices=("cat", "standard", "baker"), doc="chaotic map")
    k: float = param(6.0, lo=0.0, hi=100.0, doc="standard-map kick strength K [dimensionless]")
    n_points: int = param(1_000_000, lo=100, hi=50_000_000, doc="cloud points per region")
    n_replicas: int = param(4, lo=1, hi=256, doc="independent regions (error bars)")
    cell_size: tuple[float, ...] = param(
        (1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128), lo=1 / 4096, hi=0.5,
        unit="torus side", doc="cell sides delta (rounded to 1/integer)")
    region_size: float = param(1 / 512, lo=1e-6, hi=0.5, unit="torus side", doc="side of the initial square")
    n_steps: int = param(25, lo=2, hi=500, unit="step", doc="map iterations")
    n_reverse: int = param(8, lo=1, hi=200, unit="step", doc="steps before the reversal")
    lattice_bits: int = param(6, lo=3, hi=12, doc="recurrence demo on a 2^b x 2^b lattice")
    n_lattice_steps: int = param(100, lo=1, hi=10_000, unit="step", doc="cat-map steps on the lattice")
    max_vertices: int = param(200_000, lo=100, hi=10_000_000, doc="boundary followed while below this")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")

    def check(self) -> None:
        if self.model == "baker" and self.n_steps > BAKER_MAX_STEPS:
            raise ConfigError(f"n_steps must be an integer in [2, {BAKER_MAX_STEPS}] for model 'baker' "
                              f"(float64 loses a bit per step), got {self.n_steps}")


SMALL = Config(n_points=20_000, n_replicas=2, cell_size=(1 / 8, 1 / 32), region_size=1 / 64, n_steps=12,
               n_reverse=4, n_lattice_steps=50, max_vertices=20_000)
SCALES = {
    "quick": Config(n_points=200_000, n_replicas=4),
    "default": Config(),
    "full": Config(n_points=8_000_000, n_replicas=16, cell_size=(1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256),
                   n_steps=30),
}
