"""Configuration of the ``liouville`` experiment (essay §4): keys, scales, the claim.

A region of a two-dimensional phase space is followed under three maps (cat, standard,
Henon) and under two Hamiltonian flows (pendulum, harmonic oscillator) integrated with
four integrators (leapfrog, yoshida4, rk4, euler). Map coordinates are dimensionless;
flows use reduced units (q [sigma], p [mass sigma/tau], time [tau], areas [epsilon tau]).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError
from neqlab.core.i18n import text

NAME = "liouville"
SECTION = text("liouville.section")
CLAIM = text("liouville.claim")
SUBSAMPLE = 8  # the Gibbs entropy is estimated again from every SUBSAMPLE-th point


@dataclass(frozen=True)
class Config(ConfigBase):
    """Parameters of the liouville experiment (maps dimensionless; flows in reduced units)."""

    experiment: ClassVar[str] = NAME
    k: float = param(1.5, lo=0.0, hi=100.0, doc="kick strength K of the standard map")
    n_map_steps: int = param(10, lo=1, hi=200, unit="step", doc="map iterations")
    n_flow_steps: int = param(500, lo=1, hi=100_000, unit="step", doc="integrator steps of the flows")
    dt: float = param(0.1, lo=0.0, hi=1.0, lo_open=True, unit="tau", doc="integrator step h")
    n_records: int = param(8, lo=1, hi=200, doc="records over each run (after the start)")
    n_points: int = param(1_000_000, lo=100, hi=20_000_000, doc="points in each cloud")
    n_vertices: int = param(256, lo=16, hi=100_000, doc="initial boundary vertices")
    max_vertices: int = param(300_000, lo=100, hi=20_000_000, doc="the boundary is resolved while it has at most this many vertices")
    max_segment: float = param(0.02, lo=0.0, hi=10.0, lo_open=True,
                               doc="refine boundary segments longer than this (phase-space coordinates; times the torus period on a torus)")
    max_sagitta: float = param(1e-6, lo=0.0, hi=1.0, lo_open=True,
                               doc="refine boundary segments whose midpoint is further than this from the chord")
    h: float = param(1e-3, lo=0.0, hi=1e3, lo_open=True, unit="epsilon tau", doc="Planck cell h of the Boltzmann entropy ln(area/h)")
    knn_k: int = param(4, lo=1, hi=64, doc="neighbour order of the k-nearest-neighbour Gibbs entropy")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")

    def check(self) -> None:
        sub = -(-self.n_points // SUBSAMPLE)
        if self.knn_k >= sub:
            raise ConfigError(f"knn_k must be an integer in [1, {sub - 1}] for n_points = {self.n_points} "
                              f"(the entropy is also estimated from every {SUBSAMPLE}th point), got {self.knn_k}")
        if self.max_vertices < self.n_vertices:
            raise ConfigError(f"max_vertices must be an integer in [n_vertices = {self.n_vertices}, 20000000], "
                              f"got {self.max_vertices}")


SMALL = Config(n_map_steps=4, n_flow_steps=40, n_records=4, n_points=5_000, max_vertices=20_000)
SCALES = {
    "quick": Config(n_map_steps=8, n_flow_steps=300, n_records=6, n_points=100_000, max_vertices=100_000),
    "default": Config(),
    "full": Config(n_map_steps=14, n_flow_steps=2000, n_records=20, n_points=4_000_000, max_vertices=3_000_000),
}
