"""Work items of ``coarse_graining``: one frozen dataclass per kind, and the function that runs it.

Every run starts from a square region of side ``region_size`` placed at random on the
torus; region ``r`` draws its corner and its points only from the stream
(seed, COARSE_GRAINING_REGION, r), so chunking and workers change no bit. Cells are
``n_side x n_side`` grids (``sides``: one per cell size). Results are dicts of arrays.

* :class:`ForwardRuns` (an ensemble over regions): S_cg(t) of the chaotic map (touched
  cells and -sum p ln p) and of the integrable shear started from the same points;
* :class:`BoundaryRun`: the cells crossed by region 0's refined boundary, while it can
  be followed;
* :class:`ReversalRun`: region 0 forward ``n_reverse`` steps, then the inverse map;
* :class:`LatticeRun`: the cat map on the 2^b x 2^b lattice, where it is a permutation;
* :class:`Snapshots`: region 0's points at a few times, for the figure;
* :class:`KsEntropy`: the Kolmogorov-Sinai entropy by the Benettin method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neqlab.core.rng import Stream, replica_rng
from neqlab.models.maps import BakerMap, CatMap, StandardMap, dyadic
from neqlab.observables.cells import cell_counts, cg_entropy, cg_entropy_of_counts, curve_cells
from neqlab.observables.lyapunov import ks_entropy, lyapunov_spectrum
from neqlab.observables.phase_volume import boundary_start, boundary_step

N_PLOT = 6000  # points of the snapshots
SNAP_STEPS = (0, 5, 9)  # times of the snapshots [steps]
BOUNDARY_MAX_SAMPLES = 20_000_000  # stop following the boundary beyond this many cell samples
DYADIC_BITS = 40  # cat-map points are multiples of 2^-40: exact, invertible arithmetic
KS_ORBITS, KS_STEPS, KS_BLOCKS = 16, 2000, 20  # Benettin run of the KS entropy


def map_of(model: str, k: float):
    """The map called ``model`` (cat, standard with kick ``k``, baker)."""
    if model == "standard":
        return StandardMap(k=k)
    return {"cat": CatMap, "baker": BakerMap}[model]()


def cell_sides(cell_size) -> tuple[int, ...]:
    """Cells per torus side for each cell size (a cell size is rounded to 1/integer)."""
    return tuple(max(1, round(1.0 / d)) for d in cell_size)


def _region(model: str, region_size: float, rng, period: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Corner of the square region and n uniform points in it (dyadic on the cat map)."""
    w = region_size
    corner = rng.random(2) * (1.0 - w)
    pts = corner + rng.random((n, 2)) * w
    return corner * period, (dyadic(pts, bits=DYADIC_BITS) if model == "cat" else pts) * period


def _touched_and_gibbs(pts, sides, period) -> tuple[list[float], list[float]]:
    """ln(touched cells) and -sum p ln p for each grid, from one count of the cells per grid."""
    counts = [cell_counts(pts, int(m), period) for m in sides]
    return ([cg_entropy_of_counts(c) for c in counts], [cg_entropy_of_counts(c, kind="gibbs") for c in counts])


@dataclass(frozen=True)
class ForwardRuns:
    """S_cg(t) for t = 0 .. n_steps of independent regions under the map and under the shear."""

    model: str
    k: float
    n_points: int
    region_size: float
    sides: tuple[int, ...]
    n_steps: int


@dataclass(frozen=True)
class BoundaryRun:
    """ln(cells crossed by region 0's boundary) while refinement stays below ``max_vertices``."""

    model: str
    k: float
    region_size: float
    sides: tuple[int, ...]
    n_steps: int
    max_vertices: int


@dataclass(frozen=True)
class ReversalRun:
    """ln(touched cells) of region 0 for ``n_reverse`` steps forward, then as many of the inverse map."""

    model: str
    k: float
    n_points: int
    region_size: float
    sides: tuple[int, ...]
    n_reverse: int


@dataclass(frozen=True)
class LatticeRun:
    """The cat map on the 2^bits lattice from a square of (2^bits / 8)^2 lattice points."""

    lattice_bits: int
    sides: tuple[int, ...]
    n_steps: int


@dataclass(frozen=True)
class Snapshots:
    """Region 0's first ``n_points`` points at the times ``steps`` [torus sides]."""

    model: str
    k: float
    region_size: float
    n_points: int = N_PLOT
    steps: tuple[int, ...] = SNAP_STEPS


@dataclass(frozen=True)
class KsEntropy:
    """Kolmogorov-Sinai entropy (sum of positive Lyapunov exponents) and its standard error [1/step]."""

    model: str
    k: float


def forward_runs(task: ForwardRuns, replicas: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """One region per replica id: touched, gibbs, integrable, each (n_regions, n_steps + 1, n_sides)."""
    model = map_of(task.model, task.k)
    shear = StandardMap(k=0.0)
    sides = np.array(task.sides, dtype=np.int64)
    shape = (replicas.size, task.n_steps + 1, sides.size)
    out = {k: np.empty(shape) for k in ("touched", "gibbs", "integrable")}
    period = model.period or 1.0
    for r, rep in enumerate(replicas):
        rng = replica_rng(seed, int(rep), Stream.COARSE_GRAINING_REGION)
        _, pts = _region(task.model, task.region_size, rng, period, task.n_points)
        shear_pts = pts / period * shear.period
        for t in range(task.n_steps + 1):
            if t:
                pts = model.step(pts, 1)
                shear_pts = shear.step(shear_pts, 1)
            out["touched"][r, t], out["gibbs"][r, t] = _touched_and_gibbs(pts, sides, period)
            out["integrable"][r, t] = [cg_entropy(shear_pts, int(m), shear.period) for m in sides]
    return out


def _square(corner, w):
    """The boundary of the square [corner, corner + w]^2 as a closed curve s in [0, 1) -> (x, y)."""
    def curve(s):
        s = np.mod(np.asarray(s, float), 1.0) * 4.0
        side = np.floor(s)
        f = s - side
        x = np.select([side == 0, side == 1, side == 2], [f, 1.0, 1.0 - f], 0.0)
        y = np.select([side == 0, side == 1, side == 2], [0.0, f, 1.0], 1.0 - f)
        return np.stack([corner[0] + w * x, corner[1] + w * y], axis=1)
    return curve


def boundary_run(task: BoundaryRun, seed: int) -> dict[str, np.ndarray]:
    """``s`` (n_steps + 1, n_sides): NaN from the first step at which the boundary is no longer followed."""
    model = map_of(task.model, task.k)
    sides = np.array(task.sides, dtype=np.int64)
    period = model.period or 1.0
    corner, _ = _region(task.model, task.region_size, replica_rng(seed, 0, Stream.COARSE_GRAINING_REGION), period, 1)
    curve = _square(corner, task.region_size * period)
    ref = dict(max_segment=0.05 * period, max_sagitta=period / sides.max() / 20, max_vertices=task.max_vertices)
    b = boundary_step(boundary_start(curve, 64), model, curve, 0, **ref)
    out = np.full((task.n_steps + 1, sides.size), np.nan)
    for t in range(task.n_steps + 1):
        if t:
            b = boundary_step(b, model, curve, 1, **ref)
        if not b.resolved or b.length / (period / sides.max() / 4) > BOUNDARY_MAX_SAMPLES:
            break
        out[t] = [math.log(curve_cells(b.vertices, int(m), period).size) for m in sides]
    return {"s": out}


def reversal_run(task: ReversalRun, seed: int) -> dict[str, np.ndarray]:
    """``s`` (2 n_reverse + 1, n_sides), ``exact`` (every point back bit for bit), ``max_error`` [map units]."""
    model = map_of(task.model, task.k)
    sides = np.array(task.sides, dtype=np.int64)
    period = model.period or 1.0
    rng = replica_rng(seed, 0, Stream.COARSE_GRAINING_REGION)
    _, pts0 = _region(task.model, task.region_size, rng, period, task.n_points)
    pts = pts0
    s = np.empty((2 * task.n_reverse + 1, sides.size))
    for t in range(2 * task.n_reverse + 1):
        if 0 < t <= task.n_reverse:
            pts = model.step(pts, 1)
        elif t > task.n_reverse:
            pts = model.step(pts, 1, inverse=True)
        s[t] = [cg_entropy(pts, int(m), period) for m in sides]
    err = np.abs(pts - pts0)
    err = np.minimum(err, period - err) if model.period else err
    return {"s": s, "exact": np.array(np.array_equal(pts, pts0)), "max_error": np.array(float(err.max()))}


def lattice_run(task: LatticeRun, seed: int) -> dict[str, np.ndarray]:
    """``s`` (n_steps + 1, n_sides) and ``period``: first t at which every point is back (0: not within n_steps)."""
    n = 2**task.lattice_bits
    side = max(2, n // 8)
    ij = np.stack(np.meshgrid(np.arange(side), np.arange(side), indexing="ij"), -1).reshape(-1, 2)
    corner = replica_rng(seed, 0, Stream.COARSE_GRAINING_CORNER).integers(0, n, size=2)
    pts0 = np.mod(ij + corner, n) / n
    sides = np.array(task.sides, dtype=np.int64)
    cat = CatMap()
    pts = pts0
    s = np.empty((task.n_steps + 1, sides.size))
    period = 0
    for t in range(task.n_steps + 1):
        if t:
            pts = cat.step(pts, 1)
            if period == 0 and np.array_equal(pts, pts0):
                period = t
        s[t] = [cg_entropy(pts, int(m), 1.0) for m in sides]
    return {"s": s, "period": np.array(period)}


def snapshots(task: Snapshots, seed: int) -> dict[str, np.ndarray]:
    """``points`` (len(steps), n_points, 2) in torus sides."""
    model = map_of(task.model, task.k)
    period = model.period or 1.0
    rng = replica_rng(seed, 0, Stream.COARSE_GRAINING_REGION)
    _, pts = _region(task.model, task.region_size, rng, period, task.n_points)
    snaps, done = [], 0
    for t in task.steps:
        pts = model.step(pts, t - done)
        done = t
        snaps.append(pts / period)
    return {"points": np.stack(snaps)}


def ks_entropy_of(task: KsEntropy, seed: int) -> dict[str, np.ndarray]:
    """``ks`` and ``ks_err`` [1/step] from KS_ORBITS orbits of KS_STEPS steps in KS_BLOCKS blocks."""
    model = map_of(task.model, task.k)
    start = replica_rng(seed, 0, Stream.COARSE_GRAINING_LYAPUNOV).random((KS_ORBITS, 2)) * (model.period or 1.0)
    spec = lyapunov_spectrum(model, start, n_steps=KS_STEPS, n_blocks=KS_BLOCKS,
                             n_transient=50 if task.model != "baker" else 0)
    ks, ks_err = ks_entropy(spec)
    return {"ks": np.array(ks), "ks_err": np.array(ks_err)}


SINGLE = {BoundaryRun: boundary_run, ReversalRun: reversal_run, LatticeRun: lattice_run,
          Snapshots: snapshots, KsEntropy: ks_entropy_of}


def run_single(task, seed: int) -> dict[str, np.ndarray]:
    """Run one of the single (non-ensemble) tasks with the experiment's seed."""
    return SINGLE[type(task)](task, seed)
