"""Work items of ``relaxation``: one frozen dataclass per kind, and the function that runs it.

* :class:`FreeExpansion` and :class:`ThermalContact`: one isolated run each, recorded by
  :func:`relaxation_run` (profiles, H, spatial entropy, half temperatures, energies,
  particle snapshots) every ``record.stride`` steps;
* :class:`EquilibriumSample`: one replica of the equilibrium N sweep, sampled by
  :func:`equilibrium_samples` (kinetic energy, virial pressure, left-half count).

A run's randomness comes only from (seed, replica id), so workers change no bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neqlab.core.rng import Stream, replica_rng
from neqlab.experiments.relaxation.config import Config
from neqlab.models.gas import Params, State, Stepper, confined_gas, equilibrate, random_gas, thermal_contact_gas
from neqlab.observables import entropy, thermo

PROCESSES = ("expansion", "contact")
OBSERVABLES = ("kinetic_energy", "pressure", "n_left")  # of the equilibrium sweep
SERIES = ("h_function", "spatial_entropy", "left_fraction", "kT_left", "kT_right", "kinetic_energy",
          "potential_energy")  # one value per frame
PROFILES = ("density", "temperature_profile", "flow_x")  # one value per frame and slab


def snapshot_frames(n_frames: int) -> list[int]:
    """Frames kept as particle snapshots: start, early, middle, end."""
    return sorted({0, max(1, n_frames // 10), n_frames // 3, n_frames})


def periodic_axes(dim: int) -> tuple[bool, ...]:
    """Walls along x, periodic along the other axes."""
    return (False,) + (True,) * (dim - 1)


def box_aspect(config: Config) -> tuple[float, ...]:
    return (config.aspect,) + (1.0,) * (config.dimension - 1)


def h_bin_width(config: Config, process: str) -> float:
    """Velocity bin of H [sigma/tau]: sqrt(kT)/2 at the run's mean temperature.

    Coarse enough that N = 1000..20000 particles fill the occupied bins well (the
    Miller-Madow correction is then accurate); the binning itself lowers H by
    dim * bin^2 / (24 kT) = 1 % of |H|, the same for the Maxwell reference.
    """
    kT = config.kT if process == "expansion" else 0.5 * (config.kT_hot + config.kT_cold)
    return 0.5 * math.sqrt(kT)


def v_max_of(config: Config) -> float:
    """Half-width of the velocity grid of H [sigma/tau]: 7 sqrt(kT) at the hottest temperature."""
    return 7.0 * math.sqrt(max(config.kT, config.kT_hot, config.kT_cold))


@dataclass(frozen=True)
class Recording:
    """What a relaxation run records and how often.

    ``n_frames`` frames after the start, every ``stride`` steps of ``dt`` [tau];
    ``n_bins`` slabs along x; ``n_cells`` cells per axis for the spatial entropy;
    H on velocity bins of ``h_bin_width`` up to ``v_max`` [sigma/tau].
    """

    dt: float
    stride: int
    n_frames: int
    n_bins: int
    n_cells: int
    h_bin_width: float
    v_max: float

    @classmethod
    def of(cls, config: Config, process: str, t_total: float) -> Recording:
        c = config
        stride = max(1, int(round(t_total / c.n_frames / c.dt)))
        return cls(c.dt, stride, c.n_frames, c.n_bins, c.n_cells, h_bin_width(c, process), v_max_of(c))


@dataclass(frozen=True)
class FreeExpansion:
    """A gas equilibrated at ``kT`` [epsilon] in the first fraction ``fill`` of the box, then released."""

    n_particles: int
    density: float
    kT: float
    dimension: int
    fill: float
    aspect: tuple[float, ...]
    t_equilibrate: float
    seed: int
    record: Recording
    replica: int = 0
    trajectory_frames: int = 0  # keep every this many recorded frames as a trajectory frame (0: none)

    def initial_state(self) -> State:
        return confined_gas(self.n_particles, self.density, self.kT, self.dimension, fill=self.fill,
                            seed=self.seed, replica=self.replica, aspect=self.aspect,
                            periodic=periodic_axes(self.dimension), t_eq=self.t_equilibrate,
                            params=Params(dt=self.record.dt))


@dataclass(frozen=True)
class ThermalContact:
    """An equilibrated fluid whose left half starts at ``kT_hot`` and right half at ``kT_cold`` [epsilon]."""

    n_particles: int
    density: float
    kT_hot: float
    kT_cold: float
    dimension: int
    aspect: tuple[float, ...]
    t_equilibrate: float
    seed: int
    record: Recording
    replica: int = 1

    def initial_state(self) -> State:
        return thermal_contact_gas(self.n_particles, self.density, self.kT_hot, self.kT_cold, self.dimension,
                                   seed=self.seed, replica=self.replica, aspect=self.aspect,
                                   periodic=periodic_axes(self.dimension), t_eq=self.t_equilibrate,
                                   params=Params(dt=self.record.dt))


def relaxation_run(task: FreeExpansion | ThermalContact) -> dict[str, np.ndarray]:
    """Run one isolated relaxation and record it at ``n_frames + 1`` times (the start included).

    Returns the :data:`SERIES` (n_frames + 1,), the :data:`PROFILES` (n_frames + 1, n_bins),
    ``time`` [tau], and ``snapshot_positions`` / ``snapshot_speed`` at :func:`snapshot_frames`.
    """
    rec = task.record
    p = Params(dt=rec.dt)
    s = task.initial_state()
    keep = snapshot_frames(rec.n_frames)
    out: dict[str, list] = {k: [] for k in (*PROFILES, *SERIES, "time")}
    snaps_x, snaps_v = [], []
    every = getattr(task, "trajectory_frames", 0)
    traj: dict[str, list] = {"trajectory_positions": [], "trajectory_velocities": [], "trajectory_step": []}
    run = Stepper(s, p)  # keeps its lists between frames (the path does not depend on the frames)
    for frame in range(rec.n_frames + 1):
        if frame:
            s = run.advance(rec.stride).state
        out["density"].append(thermo.density_profile(s, rec.n_bins)[1])
        out["temperature_profile"].append(thermo.temperature_profile(s, rec.n_bins)[1])
        out["flow_x"].append(thermo.flow_profile(s, rec.n_bins)[1][:, 0])
        out["h_function"].append(entropy.h_function(s.velocities, bin_width=rec.h_bin_width, v_max=rec.v_max,
                                                    miller_madow=True))
        out["spatial_entropy"].append(entropy.spatial_entropy(s.positions, s.box, rec.n_cells, miller_madow=True))
        out["left_fraction"].append(entropy.half_fraction(s.positions, s.box))
        kT_left, kT_right = thermo.half_temperatures(s)
        out["kT_left"].append(kT_left)
        out["kT_right"].append(kT_right)
        out["kinetic_energy"].append(thermo.kinetic_energy(s))
        out["potential_energy"].append(thermo.potential_energy(s, p))
        out["time"].append(frame * rec.stride * rec.dt)
        if frame in keep:
            snaps_x.append(np.asarray(s.positions, dtype=np.float32))
            snaps_v.append(np.linalg.norm(np.asarray(s.velocities, dtype=np.float32), axis=1))
        if every and frame % every == 0:
            traj["trajectory_positions"].append(np.array(s.positions))
            traj["trajectory_velocities"].append(np.array(s.velocities))
            traj["trajectory_step"].append(frame * rec.stride)
    res = {k: np.asarray(v) for k, v in out.items()}
    if every:
        res.update({k: np.asarray(v) for k, v in traj.items()})
        res["trajectory_box"] = np.asarray(s.box, dtype=np.float64)
        res["trajectory_periodic"] = np.asarray(s.periodic, dtype=bool)
    res["snapshot_positions"] = np.stack(snaps_x)
    res["snapshot_speed"] = np.stack(snaps_v)
    return res


def kT_final(kinetic_energy: np.ndarray, n_particles: int, dim: int) -> float:
    """Kinetic temperature [epsilon] over the last quarter of a run (walls: dim N - (dim - 1) dof)."""
    k = np.asarray(kinetic_energy)
    tail = k[-max(2, len(k) // 4):]
    return float(2.0 * np.mean(tail) / (dim * n_particles - (dim - 1)))


def h_reference(config: Config, process: str, kT: float) -> float:
    """The plateau H should reach: Maxwell samples at ``kT`` [epsilon], same N, bins and correction."""
    rng = replica_rng(config.seed, 0, Stream.RELAXATION_H_REFERENCE)
    return entropy.maxwell_h_sampled(config.n_particles, config.dimension, kT, rng,
                                     bin_width=h_bin_width(config, process), v_max=v_max_of(config),
                                     miller_madow=True)


@dataclass(frozen=True)
class EquilibriumSample:
    """One equilibrium replica of size ``n_particles`` in a periodic box, sampled in NVE.

    Random start (random sequential addition) at ``density`` [sigma^-d] and ``kT``
    [epsilon], ``t_equilibrate`` [tau] with velocity rescaling (local structure only),
    then ``n_samples`` samples ``stride`` steps of ``dt`` [tau] apart.
    """

    n_particles: int
    replica: int
    density: float
    kT: float
    dimension: int
    aspect: tuple[float, ...]
    t_equilibrate: float
    stride: int
    n_samples: int
    dt: float
    seed: int

    @property
    def replica_id(self) -> int:
        """Stream id unique per (N, replica): independent streams for every sweep member."""
        return 1 + self.n_particles * 10_000 + self.replica


def equilibrium_samples(task: EquilibriumSample) -> dict[str, np.ndarray]:
    """Time series of the kinetic energy [epsilon], virial pressure [epsilon sigma^-d] and left-half count."""
    p = Params(dt=task.dt)
    s = random_gas(task.n_particles, task.density, task.kT, task.dimension, seed=task.seed,
                   replica=task.replica_id, aspect=task.aspect)
    s = equilibrate(s, p, task.kT, task.t_equilibrate)
    k, pr, nl = [], [], []
    run = Stepper(s, p)
    for _ in range(task.n_samples):
        s = run.advance(task.stride).state
        k.append(thermo.kinetic_energy(s))
        pr.append(thermo.pressure(s, p))
        nl.append(entropy.half_fraction(s.positions, s.box) * task.n_particles)
    return {"kinetic_energy": np.array(k), "pressure": np.array(pr), "n_left": np.array(nl)}
