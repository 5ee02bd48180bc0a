"""Work items of ``liouville``: one frozen dataclass per kind, and the function that runs it.

A :class:`MapRegion` (cat, standard or Henon map) or a :class:`FlowRegion` (pendulum or
oscillator with one integrator) is followed by :func:`track_region` two ways: its
boundary, a closed curve refined where neighbours separate (new points evolved from
the initial curve), whose enclosed area is the Simpson-corrected shoelace sum; and a
cloud of points, whose fine-grained Gibbs entropy -<ln rho> is estimated from
k-nearest-neighbour distances (for the oscillator's Gaussian ensemble exactly, from
the covariance: 1/2 ln det(2 pi e Sigma)). Records after the boundary ran out of
vertices have no area (NaN, ``resolved`` False).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neqlab.core.rng import Stream, replica_rng
from neqlab.experiments.liouville.config import SUBSAMPLE, Config
from neqlab.models.flows import Flow, HarmonicOscillator, Pendulum
from neqlab.models.maps import CatMap, HenonMap, StandardMap
from neqlab.observables.phase_volume import boundary_area, boundary_start, boundary_step, gaussian_entropy, knn_entropy

MAPS = ("cat", "standard", "henon")
SYSTEMS = ("pendulum", "oscillator")
INTEGRATORS = ("leapfrog", "yoshida4", "rk4", "euler")
# the random stream of each case's cloud is (LIOUVILLE_CLOUD, index in this tuple): never reorder
CASES = (*MAPS, *(f"{s}/{i}" for s in SYSTEMS for i in INTEGRATORS))
N_PLOT = 4000  # cloud points kept per snapshot for the figure
N_SNAP = 4  # snapshots per case (fewer if the run has fewer records)
HENON_B = HenonMap().b


@dataclass(frozen=True)
class Tracking:
    """How a region is followed: records, cloud, boundary refinement (see :class:`~.config.Config`)."""

    n_records: int
    n_points: int
    n_vertices: int
    max_vertices: int
    max_segment: float
    max_sagitta: float
    knn_k: int
    seed: int

    @classmethod
    def of(cls, c: Config) -> Tracking:
        return cls(c.n_records, c.n_points, c.n_vertices, c.max_vertices, c.max_segment, c.max_sagitta, c.knn_k,
                   c.seed)


def disc(centre: tuple[float, float], radius: float):
    """The boundary curve s -> centre + radius (cos 2 pi s, sin 2 pi s), s in [0, 1)."""
    def curve(s):
        a = 2.0 * np.pi * np.asarray(s)
        return np.stack([centre[0] + radius * np.cos(a), centre[1] + radius * np.sin(a)], axis=1)
    return curve


@dataclass(frozen=True)
class MapRegion:
    """A disc under the cat map, the standard map (kick ``k``) or the Henon map, ``n_steps`` iterations."""

    map: str
    k: float
    n_steps: int
    tracking: Tracking

    @property
    def case(self) -> str:
        return self.map

    def setup(self):
        """(model, boundary curve, torus period or None, Gaussian cloud?)."""
        if self.map == "cat":
            return CatMap(), disc((0.5, 0.5), 0.1), 1.0, False
        if self.map == "standard":
            return StandardMap(k=self.k), disc((0.5, 1.0), 0.3), 2 * math.pi, False
        return HenonMap(), disc((0.1, 0.1), 0.05), None, False


@dataclass(frozen=True)
class FlowRegion:
    """A region under a Hamiltonian flow integrated with ``integrator``, ``n_steps`` steps of ``dt`` [tau].

    Pendulum: a disc of radius 0.6 about (1, 0), librating (energies 0.02-1.1 < 2), sheared
    but never near the separatrix. Oscillator: the disc of radius 1 about the origin and a
    Gaussian cloud N(0, diag(1/4, 1/8)).
    """

    system: str
    integrator: str
    dt: float
    n_steps: int
    tracking: Tracking

    @property
    def case(self) -> str:
        return f"{self.system}/{self.integrator}"

    def setup(self):
        if self.system == "pendulum":
            return Flow(Pendulum(), self.integrator, self.dt), disc((1.0, 0.0), 0.6), None, False
        return Flow(HarmonicOscillator(), self.integrator, self.dt), disc((0.0, 0.0), 1.0), None, True


def record_steps(n_steps: int, n_records: int) -> np.ndarray:
    """Steps at which a run is recorded: n_records + 1 evenly spread over [0, n_steps], without repeats."""
    return np.unique(np.round(np.linspace(0, n_steps, n_records + 1)).astype(int))


def snapshot_records(n: int) -> list[int]:
    """Indices of the records kept as cloud snapshots (up to :data:`N_SNAP`, first and last included)."""
    return sorted(set(np.round(np.linspace(0, n - 1, N_SNAP)).astype(int).tolist()))


def _cloud(curve, n, gaussian, rng):
    if gaussian:  # N(0, 0.25 diag(1, 0.5)): the Gaussian ensemble of the oscillator
        return rng.normal(size=(n, 2)) * np.array([0.5, 0.5 * math.sqrt(0.5)])
    c = curve(np.array([0.0, 0.5])).mean(axis=0)
    r = 0.5 * np.linalg.norm(curve(np.array([0.0]))[0] - curve(np.array([0.5]))[0])
    rad = r * np.sqrt(rng.random(n))
    ang = 2 * np.pi * rng.random(n)
    return np.stack([c[0] + rad * np.cos(ang), c[1] + rad * np.sin(ang)], axis=1)


def track_region(task: MapRegion | FlowRegion) -> dict[str, np.ndarray]:
    """Follow one region; per record: step, area, n_vertices, resolved, Gibbs entropies; snapshots."""
    tr = task.tracking
    model, curve, period, gaussian = task.setup()
    rng = replica_rng(tr.seed, 0, Stream.LIOUVILLE_CLOUD, sub=CASES.index(task.case))
    cloud = _cloud(curve, tr.n_points, gaussian, rng)
    if period:
        cloud = np.mod(cloud, period)
    refine = dict(max_segment=tr.max_segment * (period or 1.0), max_sagitta=tr.max_sagitta,
                  max_vertices=tr.max_vertices)
    b = boundary_step(boundary_start(curve, tr.n_vertices), model, curve, 0, **refine)
    steps = record_steps(task.n_steps, tr.n_records)
    snaps = snapshot_records(steps.size)
    out = {k: np.full(steps.size, np.nan) for k in ("area", "gibbs_entropy", "gibbs_entropy_sub")}
    out["n_vertices"] = np.zeros(steps.size, dtype=np.int64)
    out["resolved"] = np.zeros(steps.size, dtype=bool)
    snap = np.full((len(snaps), N_PLOT, 2), np.nan)
    done = 0
    for r, e in enumerate(steps):
        if e > done:
            b = boundary_step(b, model, curve, int(e - done), **refine)
            cloud = model.step(cloud, int(e - done))
            done = int(e)
        out["n_vertices"][r] = b.n_vertices
        out["resolved"][r] = b.resolved
        out["area"][r] = abs(boundary_area(b)) if b.resolved else np.nan
        if gaussian:
            out["gibbs_entropy"][r] = gaussian_entropy(np.cov(cloud.T))
            out["gibbs_entropy_sub"][r] = gaussian_entropy(np.cov(cloud[::SUBSAMPLE].T))
        else:
            # the same estimator on every 8th point: a drift that grows as N shrinks is the
            # estimator losing resolution on thin filaments, not a change of the entropy
            out["gibbs_entropy"][r] = knn_entropy(cloud, k=tr.knn_k, period=period)
            out["gibbs_entropy_sub"][r] = knn_entropy(cloud[::SUBSAMPLE], k=tr.knn_k, period=period)
        if r in snaps:
            snap[snaps.index(r), : min(N_PLOT, cloud.shape[0])] = cloud[:N_PLOT]
    out["step"] = steps
    out["snapshot"] = snap
    out["snapshot_step"] = steps[snaps]
    out["period"] = np.array(np.nan if period is None else period)
    out["det_per_step"] = np.array(float(np.linalg.det(model.jacobian(cloud[:1]))[0]))
    out["is_symplectic"] = np.array(bool(model.is_symplectic))
    return out
