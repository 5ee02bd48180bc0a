"""Configuration of the ``crooks`` experiment (essay §3): keys, scales, the claim.

Five driven systems in a heat bath (reduced units, k_B = 1: lengths in sigma, times in
tau, energies in epsilon): a Brownian particle in a dragged or reshaped trap (forward
and reverse work, Crooks and Jarzynski), the same at several driving speeds, the
essay's piston compressing an ideal gas with a thermal wall, an interacting 2D WCA gas
compressed by a piston with thermal walls, and the trap oscillating periodically (a
nonequilibrium steady state). The driving parameter lambda has the unit of its model:
the trap centre [sigma], its stiffness [epsilon sigma^-2] or the tilt [epsilon sigma^-1].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError
from neqlab.core.i18n import text

NAME = "crooks"
SECTION = text("crooks.section")
CLAIM = text("crooks.claim")

MODELS = ("dragged_trap", "stiffness_ramp", "double_well")  # the potentials U(x, lambda) of models.langevin
MIN_GASES = 100  # ideal-piston gases of N particles needed per N (a histogram and a tail estimate)
MAX_DT_OVER_GAMMA = 0.05  # overdamped Euler-Maruyama: k dt/gamma stays below 2 for every model (double well: k <= 23)
MAX_GAS_STEP = 0.01  # [sigma] largest thermal or piston displacement per MD step of the gas


@dataclass(frozen=True)
class Config(ConfigBase):
    """Parameters of the crooks experiment (reduced units: sigma, tau, epsilon; k_B = 1)."""

    experiment: ClassVar[str] = NAME
    model: str = param("dragged_trap", choices=MODELS, doc="driven system (potential U(x, lambda))")
    integrator: str = param("overdamped", choices=("overdamped", "baoab"), doc="Langevin scheme")
    protocol: str = param("ramp", choices=("ramp", "round_trip"), doc="lambda_0 -> lambda_1, or there and back")
    speed: float = param(2.0, lo=0.0, lo_open=True, hi=1e3, unit="lambda/tau", doc="driving speed |dlambda/dt|")
    n_trajectories: int = param(1_000_000, lo=1000, hi=100_000_000, doc="trajectories in each direction")
    dt: float = param(1e-3, lo=0.0, lo_open=True, hi=0.05, unit="tau", doc="time step")
    kT: float = param(1.0, lo=0.01, hi=10.0, unit="epsilon", doc="bath temperature")
    gamma: float = param(1.0, lo=0.01, hi=1e3, unit="mass tau^-1", doc="friction coefficient")
    speeds: tuple[float, ...] = param((0.5, 1.0, 2.0, 4.0, 8.0, 16.0), lo=0.0, lo_open=True, hi=1e3,
                                      unit="lambda/tau", doc="driving speeds of the estimator sweep")
    n_sweep: int = param(50_000, lo=1000, hi=100_000_000, doc="trajectories per direction and sweep speed")
    n_particles: tuple[int, ...] = param((1, 10, 100, 1000), lo=1, hi=1_000_000, doc="piston gas sizes N")
    n_piston: int = param(2_000_000, lo=1000, hi=1_000_000_000, doc="particles per piston direction")
    piston_speed: float = param(0.5, lo=1e-3, hi=1e3, unit="sigma tau^-1",
                                doc="piston speed (L0 = 1 -> L1 = 0.5, thermal velocity 1)")
    ness_period: float = param(2.0, lo=0.0, lo_open=True, hi=1e3, unit="tau", doc="period of the trap's oscillation")
    ness_amplitude: float = param(1.0, lo=0.0, lo_open=True, hi=1e3, unit="sigma", doc="amplitude of the oscillation")
    ness_windows: tuple[float, ...] = param((0.25, 0.5, 1.0, 2.0, 4.0, 8.0), lo=0.25, hi=100.0, unit="ness_period",
                                            doc="window lengths tau in periods (multiples of a quarter period)")
    n_ness: int = param(200_000, lo=1000, hi=100_000_000, doc="steady-state trajectories")
    ness_dt: float = param(5e-3, lo=0.0, lo_open=True, hi=0.05, unit="tau", doc="time step of the steady-state runs")
    gas_piston_n: tuple[int, ...] = param((4, 16, 64), lo=2, hi=4096, doc="interacting piston gas sizes N")
    gas_piston_density: tuple[float, ...] = param((0.02, 0.2), lo=0.0, lo_open=True, hi=0.35, unit="sigma^-2",
                                                  doc="initial number densities of the interacting gas "
                                                      "(doubled at L/2)")
    gas_piston_length: float = param(5.0, lo=3.0, hi=1e3, unit="sigma", doc="initial box length L along the piston")
    gas_piston_t_drive: float = param(20.0, lo=0.0, lo_open=True, hi=1e4, unit="tau", doc="duration of L -> L/2")
    gas_piston_t_equilibrate: float = param(5.0, lo=0.0, hi=1e4, unit="tau",
                                            doc="relaxation in the heat bath (thermal walls) before a drive")
    gas_piston_dt: float = param(0.004, lo=0.0, lo_open=True, hi=0.01, unit="tau", doc="MD time step of the gas")
    gas_piston_replicas: int = param(1000, lo=20, hi=10_000_000, doc="gas drives per direction, density and N")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")

    def check(self) -> None:
        if self.integrator == "baoab" and self.dt > 0.02:
            raise ConfigError(f"dt must be in (0, 0.02] for integrator 'baoab', got {self.dt!r}")
        if sorted(self.ness_windows) != list(self.ness_windows):
            raise ConfigError(f"ness_windows must be increasing, got {self.ness_windows!r}")
        for key in ("dt", "ness_dt"):
            step = getattr(self, key)
            if (key == "ness_dt" or self.integrator == "overdamped") and step / self.gamma > MAX_DT_OVER_GAMMA:
                raise ConfigError(f"{key} must be at most {MAX_DT_OVER_GAMMA} gamma for the overdamped scheme "
                                  f"(stability), got {step!r} with gamma = {self.gamma!r}")
        if self.ness_period < 4 * self.ness_dt:
            raise ConfigError(f"ness_period must be at least 4 ness_dt (a record every quarter period), "
                              f"got {self.ness_period!r} with ness_dt = {self.ness_dt!r}")
        thermal = self.gas_piston_dt * self.kT**0.5
        if thermal > MAX_GAS_STEP:
            raise ConfigError(f"gas_piston_dt must be at most {MAX_GAS_STEP} / sqrt(kT) = "
                              f"{MAX_GAS_STEP / self.kT**0.5:.4g} [tau] (thermal step {MAX_GAS_STEP} sigma), "
                              f"got {self.gas_piston_dt!r} at kT = {self.kT!r}")
        t_min = 0.5 * self.gas_piston_length * self.gas_piston_dt / MAX_GAS_STEP  # piston step <= MAX_GAS_STEP
        if self.gas_piston_t_drive < t_min:
            raise ConfigError(f"gas_piston_t_drive must be at least {t_min:.4g} [tau] (piston step {MAX_GAS_STEP} "
                              f"sigma per MD step), got {self.gas_piston_t_drive!r}")
        too_big = [n for n in self.n_particles if self.n_piston // n < MIN_GASES]
        if too_big:
            raise ConfigError(f"n_particles must leave at least {MIN_GASES} gases of N particles in n_piston = "
                              f"{self.n_piston} (N <= {self.n_piston // MIN_GASES}), got N = {too_big[0]}")
        width = min(n / (rho * self.gas_piston_length) for n in self.gas_piston_n for rho in self.gas_piston_density)
        if width < 1.5:
            raise ConfigError(f"gas_piston_length must leave a box width N/(density L) >= 1.5 [sigma] for every "
                              f"gas_piston_n and gas_piston_density, got {width:.3g} at L = {self.gas_piston_length!r}")


SMALL = Config(n_trajectories=20_000, speeds=(1.0, 4.0), n_sweep=2000, n_particles=(1, 10, 100),
               n_piston=50_000, n_ness=20_000, ness_windows=(0.25, 1.0, 4.0),
               gas_piston_n=(4, 16), gas_piston_replicas=200, gas_piston_t_drive=10.0, gas_piston_t_equilibrate=4.0,
               gas_piston_dt=0.004)
SCALES = {
    "quick": Config(n_trajectories=100_000, speeds=(0.5, 2.0, 8.0), n_sweep=10_000, n_piston=200_000,
                    n_particles=(1, 10, 100), n_ness=50_000, gas_piston_replicas=400),
    "default": Config(),
    "full": Config(n_trajectories=10_000_000, n_sweep=500_000, n_piston=20_000_000,
                   n_particles=(1, 10, 100, 1000, 10000), n_ness=2_000_000, ness_windows=(0.25, 0.5, 1, 2, 4, 8, 16),
                   gas_piston_n=(4, 16, 64, 256), gas_piston_replicas=10_000),
}
