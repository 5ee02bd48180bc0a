"""Configuration of the ``macrostates`` experiment (essay §2.2): keys, scales, the claim.

Three exactly solvable models: counting (Omega(n) = C(N, n)), the Ehrenfest urn and the
Kac ring. Counts are dimensionless; time is in steps of the discrete models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from neqlab.core.config import ConfigBase, param
from neqlab.core.i18n import text

NAME = "macrostates"
SECTION = text("macrostates.section")
CLAIM = text("macrostates.claim")


@dataclass(frozen=True)
class Config(ConfigBase):
    """Parameters of the macrostates experiment (counts dimensionless, time in steps)."""

    experiment: ClassVar[str] = NAME
    n_particles: int = param(1000, lo=2, hi=10**6, doc="balls in the Ehrenfest urn")
    n_steps: int = param(20000, lo=1, hi=10**7, unit="step", doc="Ehrenfest steps per replica")
    n_replicas: int = param(10000, lo=2, hi=10**6, doc="replicas of the urn and of the recurrence check")
    recurrence_n_particles: int = param(14, lo=2, hi=20, doc="urn size for the recurrence-time check (mean 2^N)")
    n_sites: int = param(4000, lo=4, hi=10**6, doc="sites of the Kac ring (run for 2 n_sites steps)")
    marker_fraction: float = param(0.003, lo=0.0, hi=1.0, doc="probability that a ring edge is marked")
    n_rings: int = param(500, lo=2, hi=10**5, doc="Kac rings (marker placements) in the ensemble")
    counting_n_max: int = param(10**6, lo=10, hi=10**7, doc="largest N in the counting panel")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")


SMALL = Config(n_particles=50, n_steps=1000, n_replicas=400, recurrence_n_particles=6,
               n_sites=200, n_rings=40, marker_fraction=0.02, counting_n_max=10**4)
SCALES = {
    "quick": Config(n_particles=100, n_steps=2000, n_replicas=2000, recurrence_n_particles=10,
                    n_sites=1000, marker_fraction=0.01, n_rings=200),
    "default": Config(),
    "full": Config(n_particles=10000, n_steps=200000, n_replicas=100000, recurrence_n_particles=18,
                   n_sites=20000, n_rings=1000, marker_fraction=0.001, counting_n_max=10**7),
}
