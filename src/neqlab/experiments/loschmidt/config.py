"""Configuration of the ``loschmidt`` experiment (essay §2.3): keys, scales, the claim.

Two gases, ``n_particles`` and ``n_particles_large``, at the same density, each run under
the protocols of :data:`PROTOCOLS` and reversed at time t_r; the bit-reversible
integrator repeats the expansion as a control; lambda_max of the gas (two copies) and a
phase map over N, t_r, precision and eps. Reduced units: sigma = epsilon = m = k_B = 1,
tau = sigma sqrt(m/epsilon).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError
from neqlab.core.i18n import text

NAME = "loschmidt"
SECTION = text("loschmidt.section")
CLAIM = text("loschmidt.claim")

# Each protocol is one value of the dataset's ``protocol`` coordinate: a gas prepared,
# run forward, reversed at t_r and run back (run.py builds its tasks, verdict.py judges
# it). ``expansion``: free expansion from the first ``fill`` of the box, reversed at the
# stage f_L < f_left_reverse (or at t_reverse); ``velocity``: a uniform gas whose
# particles all have the same speed (Orban & Bellemans 1967), reversed at the same t_r
# as the expansion of its size; ``late``: the small system's free expansion reversed at
# t_reverse_late, after the macroscopic flow has dissipated (the large system is not
# run: its flow lives about (L_large/L_small)^2 times longer). A further protocol is one
# more name here, one task group in run.py and one sub-claim.
PROTOCOLS = ("expansion", "velocity", "late")
EPS_MIN_EXACT = 2.0**-33  # half the lattice spacing of the exact integrator [sigma]
LOCAL_DENSITY_MAX = 0.8  # the densest released gas [sigma^-d] (the top of the density range)


@dataclass(frozen=True)
class Config(ConfigBase):
    """Parameters of the loschmidt experiment (reduced units: sigma = epsilon = m = k_B = 1)."""

    experiment: ClassVar[str] = NAME
    n_particles: int = param(2500, lo=100, hi=200000, doc="particles of the small system")
    n_particles_large: int = param(20000, lo=0, hi=200000, doc="particles of the large system (0: small one only)")
    dimension: int = param(2, choices=(2, 3), doc="space dimension")
    density: float = param(0.3, lo=0.0, hi=0.8, lo_open=True, unit="sigma^-d", doc="mean number density")
    fill: float = param(0.5, lo=0.1, hi=1.0, doc="expansion: fraction of axis 0 occupied at release")
    kT: float = param(1.0, lo=0.0, hi=10.0, lo_open=True, unit="epsilon", doc="temperature at release")
    t_equilibrate: float = param(10.0, lo=0.0, hi=1000.0, unit="tau", doc="equilibration behind the wall")
    expansion_axis: str = param("walls", choices=("walls", "periodic"),
                                doc="axis 0 after the release: hard walls, or periodic (the LAMMPS reference run)")
    dt: float = param(0.002, lo=0.0, hi=0.01, lo_open=True, unit="tau", doc="time step")
    precision: str = param("f64", choices=("f32", "f64", "exact"),
                           doc="float32/float64 Verlet or the bit-reversible integer leapfrog")
    eps: float = param(0.0, lo=0.0, hi=1.0, unit="sigma", doc="rms displacement per particle added at the reversal")
    t_reverse: float = param(100.0, lo=0.0, hi=10000.0, lo_open=True, unit="tau",
                             doc="reversal time if f_left_reverse = 0, else the latest reversal")
    t_reverse_late: float = param(200.0, lo=0.0, hi=10000.0, lo_open=True, unit="tau",
                                  doc="late protocol: reversal time of the small system's free expansion, after "
                                      "the flow has dissipated")
    f_left_reverse: float = param(0.85, lo=0.0, hi=1.0, hi_open=True,
                                  doc="reverse when the left-half fraction first drops below this (0: at t_reverse)")
    t_sample: float = param(0.25, lo=0.002, hi=10.0, unit="tau", doc="sampling interval of the observables")
    n_cells: int = param(8, lo=2, hi=64,
                         doc="coarse-graining cells per axis (position entropy; S_hydro, fewer if a cell would "
                             "hold under 15 particles on average; slabs of the mu-space entropy)")
    return_threshold: float = param(0.1, lo=0.0, hi=10.0, lo_open=True, unit="sigma",
                                    doc="returned if the rms return error is below this")
    lyapunov_n_particles: int = param(2500, lo=100, hi=200000, doc="particles of the lambda_max measurement")
    t_lyapunov: float = param(20.0, lo=0.5, hi=1000.0, unit="tau", doc="measurement time of lambda_max")
    phase_map: bool = param(True, doc="run the phase map sweep")
    map_n_particles: tuple[int, ...] = param((250, 1000, 2500, 20000), lo=100, hi=200000, doc="2D sizes of the phase map")
    map_n_particles_3d: tuple[int, ...] = param((1000, 4000), lo=0, hi=200000, doc="3D sizes of the phase map (0: none)")
    map_t_reverse: tuple[float, ...] = param((1.0, 2.0, 4.0, 7.0, 10.0, 14.0, 20.0), lo=0.0, hi=1000.0, lo_open=True,
                                             unit="tau", doc="reversal times of the phase map")
    map_eps: tuple[float, ...] = param((1e-9, 1e-6, 1e-3), lo=0.0, hi=1.0, unit="sigma",
                                       doc="eps of the phase map (exact integrator, n_particles)")
    trajectory_every: float = param(0.0, lo=0.0, hi=1e4, unit="tau",
                                    doc="keep a frame of the small system's expansion, forward and back, every this "
                                        "long, rounded to a multiple of t_sample (0: none; neqlab export, docs/export.md)")
    trajectory_max_frames: int = param(200, lo=1, hi=10**5,
                                       doc="at most this many trajectory frames (the interval widens to fit)")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")

    def check(self) -> None:
        # the released gas starts at the local density density/fill: keep it a fluid within the
        # density range (denser starts overlap at the first step: fill 0.1 at density 0.3 is 3.0)
        if self.density > LOCAL_DENSITY_MAX * self.fill + 1e-12:
            raise ConfigError(f"density must be at most {LOCAL_DENSITY_MAX:g} * fill = {LOCAL_DENSITY_MAX * self.fill:g} "
                              f"(the released gas's local density density/fill at most {LOCAL_DENSITY_MAX:g} sigma^-d), "
                              f"got {self.density!r} with fill {self.fill!r}")
        if self.f_left_reverse > 0 and self.fill >= 1.0:
            raise ConfigError(f"f_left_reverse must be 0 when fill = 1 (no expansion), got {self.f_left_reverse!r}")
        # the exact integrator's positions are integers times 2^-32: a shift below half a
        # lattice unit rounds back to the same state and perturbs nothing
        if self.precision == "exact" and 0 < self.eps < EPS_MIN_EXACT:
            raise ConfigError(f"eps must be 0 or >= {EPS_MIN_EXACT:.3g} (half the 2^-32 lattice) with precision "
                              f"'exact', got {self.eps!r}")
        if self.n_particles_large == self.n_particles:
            raise ConfigError(f"n_particles_large must be 0 or differ from n_particles ({self.n_particles}), "
                              f"got {self.n_particles_large!r}")
        if self.phase_map and any(e < EPS_MIN_EXACT for e in self.map_eps):
            raise ConfigError(f"map_eps must be a list of numbers in [{EPS_MIN_EXACT:.3g}, 1.0] (the map perturbs the "
                              f"exact integrator, lattice 2^-32), got {self.map_eps!r}")


SMALL = Config(n_particles=300, n_particles_large=1200, t_equilibrate=1.0, f_left_reverse=0.0, t_reverse=2.0,
               t_reverse_late=48.0, lyapunov_n_particles=300, t_lyapunov=2.0, map_n_particles=(200,),
               map_n_particles_3d=(0,), map_t_reverse=(0.5, 2.0), map_eps=(1e-6,))
SCALES = {
    # quick: the essay's size ratio 8 (box ratio 2.8) at N = 1000 vs 8000, a third of the
    # cost; reversed later in the expansion (f_L < 0.8) so that both t_r are about as long
    # as at the essay's sizes (what decides the return is lambda t_r, not N). The late
    # reversal: the gas sloshes between the walls and the sloshing damps viscously, at a rate
    # ~ 1/L^2, so 200 tau at N = 2500 scales to 80 tau at N = 1000 and 24 tau at N = 300; the
    # backward run then retraces the last ~12 tau of the forward one before its microstate is
    # lost (ln(sigma/eps)/lambda in float64), so the flow must have died 12 tau before t_r:
    # quick takes 100 tau, SMALL 48 tau
    "quick": Config(n_particles=1000, n_particles_large=8000, f_left_reverse=0.8, t_equilibrate=4.0, t_sample=0.5,
                    t_reverse_late=100.0, lyapunov_n_particles=1000, t_lyapunov=8.0, map_n_particles=(250, 1000),
                    map_n_particles_3d=(0,), map_t_reverse=(1.0, 3.0, 6.0, 10.0, 15.0), map_eps=(1e-9, 1e-5)),
    "default": Config(),
    "full": Config(t_lyapunov=50.0,
                   map_n_particles=(250, 1000, 2500, 5000, 20000, 50000), map_n_particles_3d=(1000, 4000, 20000),
                   map_t_reverse=(1.0, 2.0, 4.0, 7.0, 10.0, 14.0, 20.0, 28.0, 40.0),
                   map_eps=(1e-9, 1e-7, 1e-5, 1e-3)),
}
