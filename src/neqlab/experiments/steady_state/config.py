"""Configuration of the ``steady_state`` experiment (essay §3 and its footnote 6): keys, scales, the claim.

Two systems. The 1993 one: a 2D WCA fluid of ``n_particles`` at ``density`` sheared by
the SLLOD equations at ``shear_rate`` with a Gaussian thermostat (isoenergetic as in
Evans, Cohen & Morriss 1993, or isokinetic): transient trajectories from equilibrium
(Evans-Searles), long steady-state runs cut into windows (ECM 1993), an equilibrium run
for the Green-Kubo viscosity and the Lyapunov spectrum. The footnote's one: a 2D WCA gas
with thermal walls under a piston x(t) = L0 + a sin(2 pi t / T), its periodic steady
state and a change of amplitude a1 -> a2. Reduced units: sigma = epsilon = m = k_B = 1,
tau = sigma sqrt(m/epsilon).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError
from neqlab.core.i18n import text

NAME = "steady_state"
SECTION = text("steady_state.section")
CLAIM = text("steady_state.claim")

THERMOSTATS = ("isoenergetic", "isokinetic")
WINDOW_CAP = 40000  # windows stored per tau (every k-th window of each system beyond it)
COARSE_TAU = 0.2  # [tau] interval of the stored P_xy and Lambda series
GREEN_KUBO_EVERY = 5  # [steps] recording interval of the Green-Kubo stress records
BOX_MIN = 2.0 * (2.0 ** (1.0 / 6.0) + 0.4)  # [sigma] the sheared box must hold twice the pair-list radius


@dataclass(frozen=True)
class Config(ConfigBase):
    """Parameters of the steady_state experiment (reduced units: sigma = epsilon = m = k_B = 1)."""

    experiment: ClassVar[str] = NAME
    # the sheared fluid (ECM 1993)
    n_particles: int = param(56, lo=16, hi=1024, doc="particles of the sheared WCA fluid (ECM 1993: 56)")
    density: float = param(0.8, lo=0.1, hi=0.9, unit="sigma^-2", doc="number density of the sheared fluid")
    kT: float = param(1.0, lo=0.1, hi=5.0, unit="epsilon", doc="temperature of the equilibrium start and of the walls")
    shear_rate: float = param(0.2, lo=0.0, hi=2.0, lo_open=True, unit="tau^-1", doc="shear rate gamma, u_x = gamma y")
    thermostat: str = param("isoenergetic", choices=THERMOSTATS,
                            doc="Gaussian thermostat: isoenergetic (ECM 1993, H0 fixed) or isokinetic (K fixed)")
    dt: float = param(0.004, lo=0.0, hi=0.01, lo_open=True, unit="tau", doc="time step of the sheared fluid")
    t_equilibrate: float = param(10.0, lo=0.0, hi=1000.0, unit="tau", doc="equilibration of every starting system")
    n_trajectories: int = param(51200, lo=64, hi=10**7, doc="transient trajectories (a multiple of n_chains)")
    n_chains: int = param(512, lo=2, hi=10**5, doc="equilibrium chains the transient trajectories start from")
    t_transient: tuple[float, ...] = param((0.1, 0.2, 0.4, 0.8, 1.6), lo=0.0, hi=100.0, lo_open=True, unit="tau",
                                           doc="times t of the transient theorem (multiples of dt)")
    t_gap: float = param(0.5, lo=0.0, hi=100.0, lo_open=True, unit="tau",
                         doc="equilibrium run between two starts of one chain")
    tail_n_particles: tuple[int, ...] = param((16, 32), lo=0, hi=1024,
                                              doc="smaller fluids for the negative-tail panel (0: none)")
    n_steady_systems: int = param(64, lo=2, hi=4096, doc="independent sheared systems of the steady-state runs")
    t_steady: float = param(800.0, lo=1.0, hi=10**5, unit="tau", doc="steady-state run per system (after 10 tau)")
    windows: tuple[float, ...] = param((0.02, 0.1, 0.2, 0.4, 0.8, 1.6), lo=0.0, hi=1000.0, lo_open=True, unit="tau",
                                       doc="window lengths tau of the steady-state theorem (multiples of dt)")
    t_green_kubo: float = param(200.0, lo=4.0, hi=10**5, unit="tau", doc="equilibrium run per system for Green-Kubo")
    lyapunov_n_particles: int = param(56, lo=16, hi=256, doc="particles of the Lyapunov-spectrum fluid")
    t_lyapunov: float = param(60.0, lo=0.5, hi=10**4, unit="tau", doc="Lyapunov run per system (two systems)")
    # the oscillating piston (footnote 6)
    piston_n_particles: int = param(32, lo=2, hi=64, doc="particles of the piston gas (WCA, thermal walls)")
    piston_density: float = param(0.3, lo=0.01, hi=0.6, unit="sigma^-2", doc="density of the piston gas at x = L0")
    piston_amplitude: float = param(0.2, lo=0.0, hi=5.0, lo_open=True, unit="sigma",
                                    doc="piston amplitude a1 of the steady state")
    piston_amplitude_final: float = param(0.14, lo=0.0, hi=5.0, lo_open=True, unit="sigma",
                                          doc="amplitude a2 after the change a1 -> a2")
    piston_period: float = param(10.0, lo=0.1, hi=1000.0, unit="tau", doc="piston period T")
    piston_dt: float = param(0.004, lo=0.0, hi=0.01, lo_open=True, unit="tau", doc="time step of the piston gas")
    piston_n_replicas: int = param(512, lo=4, hi=10**6, doc="piston gases per direction (a1 -> a2, a2 -> a1)")
    piston_n_periods: int = param(32, lo=2, hi=10**5, doc="steady periods recorded at a1 before the change")
    piston_n_transient: int = param(4, lo=0, hi=1000, doc="periods run before recording (the periodic transient)")
    piston_windows: tuple[int, ...] = param((1, 2, 4), lo=1, hi=10**4,
                                            doc="windows of whole periods of the piston's theorem")
    trajectory_every: float = param(0.0, lo=0.0, hi=1e4, unit="tau",
                                    doc="keep a film of one sheared system in its steady state, a frame every this "
                                        "long (0: none; neqlab export, docs/export.md)")
    trajectory_max_frames: int = param(200, lo=1, hi=10**5, doc="frames of that film")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")

    def check(self) -> None:
        steps = [t / self.dt for t in self.t_transient]
        if any(abs(s - round(s)) > 1e-6 * max(1.0, s) or round(s) < 1 for s in steps):
            raise ConfigError(f"t_transient must be a list of multiples of dt = {self.dt!r} [tau] (at least one step), "
                              f"got {self.t_transient!r}")
        if self.n_trajectories % self.n_chains:
            raise ConfigError(f"n_trajectories must be a multiple of n_chains = {self.n_chains}, "
                              f"got {self.n_trajectories!r}")
        if any(abs(w / self.dt - round(w / self.dt)) > 1e-6 * max(1.0, w / self.dt) or w > self.t_steady
               or round(w / self.dt) < 1 for w in self.windows):
            raise ConfigError(f"windows must be a list of multiples of dt = {self.dt!r} [tau] from dt up to "
                              f"t_steady = {self.t_steady!r}, got {self.windows!r}")
        if max(self.piston_windows) > self.piston_n_periods:
            raise ConfigError(f"piston_windows must be at most piston_n_periods = {self.piston_n_periods}, "
                              f"got {self.piston_windows!r}")
        for key in ("n_particles", "lyapunov_n_particles", "tail_n_particles"):
            sizes = getattr(self, key)
            for n in sizes if isinstance(sizes, tuple) else (sizes,):
                if n and math.sqrt(n / self.density) < BOX_MIN:
                    raise ConfigError(f"{key} must give a box of side >= {BOX_MIN:.3f} sigma at density "
                                      f"{self.density!r} (N >= {math.ceil(BOX_MIN**2 * self.density)}), got {sizes!r}")
        if self.piston_amplitude >= 0.5 * self.piston_length or self.piston_amplitude_final >= 0.5 * self.piston_length:
            raise ConfigError(f"piston_amplitude must be below half the box length L0 = {self.piston_length:.4g} sigma, "
                              f"got {self.piston_amplitude!r} and {self.piston_amplitude_final!r}")

    @property
    def piston_length(self) -> float:
        """L0 [sigma]: the piston gas fills a square box of side sqrt(N / density) at x = L0."""
        return math.sqrt(self.piston_n_particles / self.piston_density)


def steps_of(t: float, dt: float) -> int:
    """The number of steps of length dt [tau] in t [tau] (t a multiple of dt)."""
    return int(round(t / dt))


def record_every(config: Config) -> int:
    """Recording interval of the steady-state runs [steps]: the largest that divides every window."""
    return math.gcd(*[steps_of(w, config.dt) for w in config.windows])


SMALL = Config(n_particles=16, t_equilibrate=2.0, n_trajectories=1024, n_chains=32, t_transient=(0.1, 0.2),
               t_gap=0.2, tail_n_particles=(0,), n_steady_systems=8, t_steady=20.0, windows=(0.04, 0.2),
               t_green_kubo=8.0, lyapunov_n_particles=16, t_lyapunov=2.0,
               piston_n_particles=8, piston_period=2.0, piston_amplitude=0.2, piston_amplitude_final=0.1,
               piston_n_replicas=16, piston_n_periods=8, piston_n_transient=1, piston_windows=(1, 2))
SCALES = {
    # quick: a quarter of the transient trajectories up to t = 0.8, shorter steady and
    # Lyapunov runs, a smaller Lyapunov fluid; as many piston gases as the default (the
    # Crooks fit of the change needs them) with a quarter of the steady periods
    "quick": Config(n_trajectories=12800, n_chains=256, t_transient=(0.1, 0.2, 0.4, 0.8), tail_n_particles=(16,),
                    n_steady_systems=32, t_steady=200.0, windows=(0.02, 0.1, 0.2, 0.4, 0.8), t_green_kubo=100.0,
                    lyapunov_n_particles=32, t_lyapunov=20.0, piston_n_periods=8),
    "default": Config(),
    "full": Config(n_trajectories=204800, n_chains=1024, tail_n_particles=(16, 32, 100), n_steady_systems=128,
                   t_steady=2000.0, windows=(0.02, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2), t_green_kubo=1000.0,
                   t_lyapunov=200.0, piston_n_replicas=2048, piston_n_periods=64, piston_windows=(1, 2, 4, 8, 16)),
}


def coarse_records(config: Config) -> int:
    """Records averaged into one stored interval of the P_xy and Lambda series (about COARSE_TAU)."""
    return max(1, steps_of(COARSE_TAU, config.dt) // record_every(config))


def coarse_interval(config: Config) -> float:
    """Length of a stored interval of the P_xy and Lambda series [tau]."""
    return coarse_records(config) * record_every(config) * config.dt


def tail_sizes(config: Config) -> list[int]:
    """The fluids of the negative-tail panel besides n_particles (zeros and repeats dropped)."""
    return sorted({n for n in config.tail_n_particles if n and n != config.n_particles})


def window_strides(config: Config) -> tuple[int, ...]:
    """Per window length: keep every k-th window of each system, so that at most
    :data:`WINDOW_CAP` windows are stored."""
    c = config
    out = []
    for w in c.windows:
        per_system = steps_of(c.t_steady, c.dt) // steps_of(w, c.dt)
        out.append(max(1, math.ceil(c.n_steady_systems * per_system / WINDOW_CAP)))
    return tuple(out)


def piston_plan(config: Config) -> dict[int, tuple[float, float, int, int]]:
    """Per direction: (amplitude before, amplitude after [sigma], periods recorded before, after).

    Forward (0): a1 for piston_n_periods periods, then a2 for 2 K periods (K the longest
    window). Reverse (1): the time-reversed protocol, -a2 for K periods then -a1 for K
    periods (x(T - t) = L0 - a sin(2 pi t / T) over whole periods).
    """
    c = config
    k = max(c.piston_windows)
    return {0: (c.piston_amplitude, c.piston_amplitude_final, c.piston_n_periods, 2 * k),
            1: (-c.piston_amplitude_final, -c.piston_amplitude, k, k)}
