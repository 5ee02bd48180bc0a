"""Configuration of the ``relaxation`` experiment (essay §1): keys, scales, the claim.

Two isolated WCA gases (walls at x = 0 and L_x, periodic in the other axes) relax from
a prepared nonequilibrium state (free expansion; thermal contact of a hot and a cold
half), and an N sweep of equilibrium gases measures the relative fluctuations of
macroscopic quantities. Reduced units: lengths [sigma], energies and kT [epsilon],
times [tau].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError
from neqlab.core.i18n import text

NAME = "relaxation"
SECTION = text("relaxation.section")
CLAIM = text("relaxation.claim")
# a periodic box side must hold two interaction ranges, 2 (r_cut + skin) of the WCA engine with its
# default skin 0.3 (models.gas.Params; a test checks the two agree)
MIN_PERIODIC_SIDE = 2.0 * (2.0 ** (1.0 / 6.0) + 0.3)  # [sigma]
MAX_LOCAL_DENSITY = 1.2  # [sigma^-d] free expansion: density / fill; measured to run up to 1.6 (2D) and 1.4 (3D)


def min_particles(density: float, aspect: float, dim: int, periodic_x: bool) -> int:
    """Fewest particles whose box (L_x / L_y = aspect) has periodic sides of at least MIN_PERIODIC_SIDE."""
    shortest = min(aspect, 1.0) if periodic_x else 1.0  # in units of L_y
    return int(density * aspect * (MIN_PERIODIC_SIDE / shortest) ** dim) + 1


@dataclass(frozen=True)
class Config(ConfigBase):
    """Parameters of the relaxation experiment (reduced units: sigma, epsilon, tau)."""

    experiment: ClassVar[str] = NAME
    dimension: int = param(2, choices=(2, 3), doc="space dimension d")
    n_particles: int = param(2500, lo=50, hi=10**6, doc="particles in the relaxation runs")
    density: float = param(0.3, lo=0.01, hi=0.7, unit="sigma^-d", doc="mean number density of the whole box")
    kT: float = param(1.0, lo=0.05, hi=10.0, unit="epsilon", doc="temperature of the free-expansion gas and of the sweep")
    kT_hot: float = param(3.0, lo=0.05, hi=10.0, unit="epsilon", doc="initial temperature of the left half (thermal contact)")
    kT_cold: float = param(0.3, lo=0.05, hi=10.0, unit="epsilon", doc="initial temperature of the right half (thermal contact)")
    fill: float = param(0.5, lo=0.2, hi=0.9, doc="free expansion: initial fraction of the box length occupied")
    aspect: float = param(0.25, lo=0.05, hi=10.0, doc="box length L_x / L_y (and / L_z); a short L_x relaxes fast")
    t_expansion: float = param(100.0, lo=1.0, hi=1e5, unit="tau", doc="duration of the free-expansion run")
    t_contact: float = param(400.0, lo=1.0, hi=1e5, unit="tau", doc="duration of the thermal-contact run")
    t_equilibrate: float = param(5.0, lo=0.0, hi=1e4, unit="tau", doc="rescaled equilibration before each run")
    n_frames: int = param(100, lo=8, hi=10**5, doc="recorded frames per run (after the start)")
    n_bins: int = param(20, lo=2, hi=1000, doc="profile slabs along x")
    n_cells: int = param(8, lo=2, hi=100, doc="spatial-entropy cells per axis")
    sweep_sizes: tuple[int, ...] = param((500, 2000, 8000, 32000, 100000), lo=50, hi=10**6,
                                         doc="N of the fluctuation sweep")
    n_replicas: int = param(12, lo=2, hi=10**4, doc="replicas per N in the sweep")
    sweep_density: float = param(0.3, lo=0.01, hi=0.7, unit="sigma^-d", doc="density of the sweep")
    t_sample: float = param(4.0, lo=0.1, hi=1e4, unit="tau", doc="sampling time per sweep replica")
    n_samples: int = param(20, lo=2, hi=10**5, doc="samples per sweep replica")
    dt: float = param(0.002, lo=1e-5, hi=0.01, unit="tau", doc="time step")
    trajectory_every: float = param(0.0, lo=0.0, hi=1e5, unit="tau",
                                    doc="keep a frame of the free expansion every this long, rounded to a multiple "
                                        "of t_expansion/n_frames (0: none; neqlab export, docs/export.md)")
    trajectory_max_frames: int = param(200, lo=1, hi=10**5,
                                       doc="at most this many trajectory frames (the interval widens to fit)")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")

    def check(self) -> None:
        tail = f"in dimension = {self.dimension} (periodic box sides >= {MIN_PERIODIC_SIDE:.4g} sigma)"
        n_min = min_particles(self.density, self.aspect, self.dimension, periodic_x=False)
        if self.n_particles < n_min:
            raise ConfigError(f"n_particles must be an integer in [{n_min}, 1000000] at density = {self.density} and "
                              f"aspect = {self.aspect} {tail}, got {self.n_particles}")
        n_min = min_particles(self.sweep_density, self.aspect, self.dimension, periodic_x=True)
        if min(self.sweep_sizes) < n_min:
            raise ConfigError(f"sweep_sizes must be integers in [{n_min}, 1000000] at sweep_density = "
                              f"{self.sweep_density} and aspect = {self.aspect} {tail}, got {list(self.sweep_sizes)}")
        if self.density / self.fill > MAX_LOCAL_DENSITY:
            raise ConfigError(f"fill must be a number in [{self.density / MAX_LOCAL_DENSITY:.4g}, 0.9] for density = "
                              f"{self.density} (the gas starts at density / fill <= {MAX_LOCAL_DENSITY} sigma^-d), "
                              f"got {self.fill}")


SMALL = Config(n_particles=300, density=0.4, t_expansion=8.0, t_contact=8.0, t_equilibrate=0.5,
               n_frames=16, n_bins=6, n_cells=4, sweep_sizes=(100, 200, 400), n_replicas=3,
               t_sample=0.5, n_samples=4, dt=0.002)
SCALES = {
    "quick": Config(n_particles=1000, density=0.4, t_expansion=60.0, t_contact=150.0,
                    t_equilibrate=2.0, n_frames=60, n_bins=16, n_cells=8,
                    sweep_sizes=(200, 400, 800, 1600, 3200, 6400), n_replicas=24, t_sample=3.0,
                    n_samples=15, dt=0.003),
    "default": Config(),
    "full": Config(n_particles=20000, aspect=0.1, t_expansion=300.0, t_contact=2000.0, n_frames=200,
                   sweep_sizes=(1000, 4000, 16000, 64000, 256000), n_replicas=16,
                   t_sample=10.0, n_samples=40),
}
