"""Trajectories inside result datasets: one convention, declared once.

A particle experiment (``relaxation``, ``loschmidt``, ``steady_state``) may keep a thinned
trajectory of one run in its result, so that ``neqlab export`` (or
:func:`neqlab.io.export.export_result`) can write it for ASE, OVITO or HOOMD. The
variables are those of :data:`COORDS` and :data:`DATA_VARS` (all optional in the schema:
a run with ``trajectory_every = 0`` has none):

============================  ======================  =============  =====================================
name                          dims                    units          meaning
============================  ======================  =============  =====================================
``frame`` (coordinate)        (frame,)                tau            time of the saved frame
``axis`` (coordinate)         (axis,)                 1              ``"x"``, ``"y"`` (, ``"z"``)
``trajectory_positions``      (frame, particle, axis) sigma          positions in [0, L) on every axis
``trajectory_velocities``     (frame, particle, axis) sigma tau^-1   velocities
``trajectory_step``           (frame,)                step           integrator step of the frame
``trajectory_box``            (axis,)                 sigma          box lengths L
``trajectory_periodic``       (axis,)                 1              True: periodic; False: hard walls
``trajectory_tilt``           (frame,)                1              optional: Lees-Edwards image offset
                                                                     / L_y (the xy tilt of a sheared box)
============================  ======================  =============  =====================================

Every particle has neqlab's reduced mass 1 [mass] (:data:`MASS`). An experiment adds
the variables to its schema in one line::

    coords={..., **trajectory.COORDS}, data_vars={..., **trajectory.DATA_VARS}

chooses the steps to keep with :func:`frame_steps` (config keys ``trajectory_every``
[tau] and ``trajectory_max_frames``, see ``docs/export.md``) and passes the states it
kept to :func:`trajectory_arrays`, whose two dicts go into ``assemble``.

>>> frame_steps(n_steps=1000, dt=0.01, every=2.5, max_frames=100).tolist()
[0, 250, 500, 750, 1000]
>>> frame_steps(n_steps=1000, dt=0.01, every=0.05, max_frames=6).tolist()
[0, 200, 400, 600, 800, 1000]
>>> select_frames("2:8:3", 10), select_frames("-1", 10), select_frames([0, 4], 10)
([2, 5], [9], [0, 4])
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.io.schema import Schema, Var

MASS = 1.0  # every particle's mass [mass]: neqlab's reduced unit
AXES = ("x", "y", "z")

COORDS = {
    "frame": Var(("frame",), "tau", "time of the saved trajectory frame", optional=True),
    "axis": Var(("axis",), "1", "Cartesian axis of the trajectory", "str", optional=True),
}
DATA_VARS = {
    "trajectory_positions": Var(("frame", "particle", "axis"), "sigma",
                                "particle positions of the saved frames, in [0, L) on every axis", optional=True),
    "trajectory_velocities": Var(("frame", "particle", "axis"), "sigma tau^-1",
                                 "particle velocities of the saved frames", optional=True),
    "trajectory_step": Var(("frame",), "step", "integrator step of the saved frame", "int", optional=True),
    "trajectory_box": Var(("axis",), "sigma", "box length of the trajectory along the axis", optional=True),
    "trajectory_periodic": Var(("axis",), "1", "periodic axis (false: hard reflecting walls at 0 and L)",
                               "bool", optional=True),
    "trajectory_tilt": Var(("frame",), "1", "Lees-Edwards image offset over L_y (xy tilt of a sheared box)",
                           optional=True),
}
REQUIRED = ("trajectory_positions", "trajectory_velocities", "trajectory_step", "trajectory_box",
            "trajectory_periodic")
SCHEMA = Schema("trajectory", coords=COORDS, data_vars=DATA_VARS)


class Frame(NamedTuple):
    """One frame as the writers need it (arrays of shape (N, dim); box (dim,))."""

    positions: np.ndarray  # [sigma], in [0, L)
    velocities: np.ndarray  # [sigma tau^-1]
    box: np.ndarray  # [sigma]
    periodic: np.ndarray  # bool per axis; False = hard walls at 0 and L
    time: float  # [tau]
    step: int  # [step]
    tilt: float = 0.0  # Lees-Edwards offset / L_y [1]


def frame_steps(n_steps: int, dt: float, every: float, max_frames: int) -> np.ndarray:
    """Integrator steps at which to save a frame: 0, k, 2k, ... <= ``n_steps``.

    ``every`` [tau] sets k = round(every / dt) (at least 1); 0 saves nothing (an empty
    array). If that would give more than ``max_frames`` frames, k is widened to the
    smallest value that fits, so a long run is thinned rather than refused.
    ``dt`` [tau] is the time step.
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ConfigError(f"n_steps must be an integer in [0, inf), got {n_steps!r}")
    if not (isinstance(dt, (int, float)) and math.isfinite(dt) and dt > 0):
        raise ConfigError(f"dt must be a number in (0, inf), got {dt!r}")
    if not (isinstance(every, (int, float)) and math.isfinite(every) and every >= 0):
        raise ConfigError(f"trajectory_every must be a number in [0, inf), got {every!r}")
    if isinstance(max_frames, bool) or not isinstance(max_frames, (int, np.integer)) or max_frames < 1:
        raise ConfigError(f"trajectory_max_frames must be an integer in [1, inf), got {max_frames!r}")
    if every == 0:
        return np.zeros(0, dtype=np.int64)
    k = max(1, round(every / dt))
    if n_steps // k + 1 > max_frames:
        k = n_steps + 1 if max_frames == 1 else -(-n_steps // (max_frames - 1))
    return np.arange(0, n_steps + 1, k, dtype=np.int64)


def trajectory_arrays(states: Sequence[Any], *, tilts: Sequence[float] | None = None) -> tuple[dict, dict]:
    """``(data_vars, coords)`` of the convention from saved gas states, for ``assemble``.

    ``states``: objects with ``positions``, ``velocities`` (N, dim), ``box``, ``periodic``,
    ``time`` [tau] and ``step`` (``neqlab.models.gas.State`` or ``LatticeState``), all
    with the same N, box and boundaries. Arrays keep the states' float type.
    ``tilts``: Lees-Edwards offset / L_y per frame, for a sheared box.
    """
    if len(states) == 0:
        raise ConfigError("states must hold at least one saved state, got none")
    first = states[0]
    box = np.asarray(first.box, dtype=np.float64)
    periodic = np.asarray(first.periodic, dtype=bool)
    dim = box.size
    for s in states:
        if np.asarray(s.positions).shape != np.asarray(first.positions).shape or not np.array_equal(s.box, first.box):
            raise ConfigError("states must share one particle number and box, got differing states")
    data = {
        "trajectory_positions": np.stack([np.asarray(s.positions) for s in states]),
        "trajectory_velocities": np.stack([np.asarray(s.velocities) for s in states]),
        "trajectory_step": np.array([int(s.step) for s in states], dtype=np.int64),
        "trajectory_box": box,
        "trajectory_periodic": periodic,
    }
    if tilts is not None:
        if len(tilts) != len(states):
            raise ConfigError(f"tilts must give one value per state ({len(states)}), got {len(tilts)}")
        data["trajectory_tilt"] = np.asarray(tilts, dtype=np.float64)
    coords = {"frame": np.array([float(s.time) for s in states]), "axis": np.array(AXES[:dim])}
    return data, coords


def has_trajectory(ds) -> bool:
    """True if the dataset holds the variables of a trajectory."""
    return all(k in ds.variables for k in REQUIRED)


def n_frames(ds) -> int:
    """Number of saved frames in a dataset (0 if it keeps no trajectory)."""
    return int(ds.sizes.get("frame", 0)) if has_trajectory(ds) else 0


def check_trajectory(ds) -> None:
    """Raise ConfigError unless ``ds`` holds a trajectory that follows the convention."""
    if not has_trajectory(ds):
        name = ds.attrs.get("experiment", "unknown")
        raise ConfigError("result must hold a trajectory (run relaxation, loschmidt or steady_state with "
                          f"trajectory_every > 0), got a {name!r} result without trajectory_positions")
    only = {k: ds[k] for k in (*REQUIRED, "trajectory_tilt") if k in ds.variables}
    problems = [] if "frame" in ds.coords else ["missing coordinate 'frame' (frame times [tau])"]
    for k, arr in only.items():
        var = DATA_VARS[k]
        if tuple(arr.dims) != var.dims:
            problems.append(f"{k} must have dims {var.dims}, got {tuple(arr.dims)}")
    dim = int(ds.sizes.get("axis", 0))
    if dim not in (2, 3):
        problems.append(f"axis must have 2 or 3 entries, got {dim}")
    if problems:
        raise ConfigError("result trajectory must follow docs/export.md, got: " + "; ".join(problems))


def select_frames(spec: Any, n: int) -> list[int]:
    """Frame indices (in [0, n)) chosen by ``spec``.

    ``spec``: None (all frames); an integer; a slice or ``range``; a list of integers; or
    a string ``"start:stop:step"`` (Python slice, parts may be empty), ``"i"`` or
    ``"i,j,k"``. Negative indices count from the end. ConfigError for anything else,
    for an index out of range, or for a choice that selects no frame.
    """
    allowed = (f"a slice 'start:stop:step', an index or a comma-separated list of indices in [{-n}, {n}) "
               f"({n} frames saved)")
    bad = ConfigError(f"frames must be {allowed}, got {spec!r}")
    if spec is None:
        out = list(range(n))
    elif isinstance(spec, slice):
        try:
            out = list(range(n)[spec])
        except (TypeError, ValueError):
            raise bad from None
    elif isinstance(spec, str):
        text = spec.strip()
        try:
            if ":" in text:
                parts = text.split(":")
                if len(parts) > 3:
                    raise ValueError
                nums = [int(p) if p.strip() else None for p in parts]
                out = list(range(n)[slice(*nums)])
            else:
                out = [_index(int(p), n, bad) for p in text.split(",")]
        except ValueError:
            raise bad from None
    elif isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        out = [_index(int(spec), n, bad)]
    elif isinstance(spec, Iterable):
        items = list(spec)
        if any(isinstance(i, bool) or not isinstance(i, (int, np.integer)) for i in items):
            raise bad
        out = [_index(int(i), n, bad) for i in items]
    else:
        raise bad
    if not out:
        raise ConfigError(f"frames must select at least one of the {n} saved frames, got {spec!r}")
    return out


def _index(i: int, n: int, bad: ConfigError) -> int:
    if not -n <= i < n:
        raise bad
    return i + n if i < 0 else i


def iter_frames(ds, indices: Iterable[int]) -> Iterator[Frame]:
    """The frames ``indices`` of a dataset, each read from it only when reached.

    Works on a dataset opened lazily from a file (only the selected frames' slabs are
    read) as well as on one in memory.
    """
    check_trajectory(ds)
    box = np.asarray(ds["trajectory_box"].values, dtype=np.float64)
    periodic = np.asarray(ds["trajectory_periodic"].values).astype(bool)
    times = np.asarray(ds["frame"].values, dtype=np.float64)
    steps = np.asarray(ds["trajectory_step"].values)
    tilt = ds["trajectory_tilt"] if "trajectory_tilt" in ds.variables else None
    pos, vel = ds["trajectory_positions"], ds["trajectory_velocities"]
    for i in indices:
        yield Frame(
            positions=np.asarray(pos.isel(frame=i).values),
            velocities=np.asarray(vel.isel(frame=i).values),
            box=box,
            periodic=periodic,
            time=float(times[i]),
            step=int(steps[i]),
            tilt=float(tilt.isel(frame=i).values) if tilt is not None else 0.0,
        )


def trajectory_bytes(n_frames: int, n_particles: int, dim: int, itemsize: int = 8) -> int:
    """Bytes the positions and velocities of a trajectory take (for a run's estimate)."""
    return 2 * int(n_frames) * int(n_particles) * int(dim) * int(itemsize)
