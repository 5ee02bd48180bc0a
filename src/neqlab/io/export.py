"""Trajectory exports that standard tools read: extended XYZ (ASE, OVITO) and GSD (HOOMD).

Two entry points:

- :func:`export_result` writes the trajectory kept in a result (a Dataset, or a saved
  ``.nc`` opened lazily so that only the chosen frames are read); the variables follow
  :mod:`neqlab.io.trajectory`. This is what ``neqlab export`` calls.
- :func:`write_extxyz` / :func:`write_gsd` write in-memory gas states
  (``neqlab.models.gas.State`` or ``LatticeState``).

Every file is written under a temporary name in the target directory and renamed into
place, so a failure never leaves a half-written export. Numbers are neqlab's reduced
units (sigma, tau, epsilon, m = 1); the full description is ``docs/export.md``.

- **extended XYZ** (``ase.io.read(path, ":")``): positions in [0, L) as stored; species
  ``X`` (ASE's dummy element: the particle is no real atom) with the mass written
  explicitly (``masses`` = 1, never a periodic-table value), ``momenta`` = m v, so
  ``atoms.get_velocities()`` returns the velocities; read in ASE's unit system the
  numbers mean sigma = 1 Å, epsilon = 1 eV, m = 1 u, and then tau is ASE's own time unit
  (1 Å √(u/eV)), so velocities, momenta and kinetic energies are consistent there. Also
  ``vel`` (velocities, for OVITO) and ``radius`` = 0.5 sigma. ``Lattice`` = the box (2D:
  L_z = 1), ``pbc`` per axis, ``walls`` per axis (T: hard reflecting walls at 0 and L),
  ``Time`` [tau], ``Step``, ``dimensions``, ``units=reduced`` in the comment line.
- **GSD** (``gsd.hoomd.open(path)``): HOOMD's box ``[L_x, L_y, L_z, xy, 0, 0]`` (2D:
  L_z = 0, ``dimensions`` = 2), positions centred on the origin and wrapped into the
  box, one type ``A`` with mass 1 and diameter 1, float32 as HOOMD stores them. Log
  entries per frame: ``neqlab/time`` [tau], ``neqlab/box`` [sigma] (float64),
  ``neqlab/periodic`` (1 periodic, 0 hard walls, per axis). Needs the ``gsd`` package.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.io.trajectory import MASS, Frame, check_trajectory, iter_frames, n_frames, select_frames

FORMATS = ("extxyz", "gsd")
SUFFIXES = {".xyz": "extxyz", ".extxyz": "extxyz", ".gsd": "gsd"}
SPECIES = "X"  # ASE's dummy element; the mass is written explicitly
RADIUS = 0.5  # display radius [sigma]: half the WCA/LJ diameter
GSD_TYPE = "A"


# ---------------------------------------------------------------- results


def export_format(fmt: str | None, path: str | os.PathLike) -> str:
    """The format to write: ``fmt`` if given (extxyz or gsd), else from ``path``'s suffix."""
    if fmt is None:
        suffix = Path(path).suffix.lower()
        if suffix not in SUFFIXES:
            raise ConfigError(f"format must be one of {', '.join(FORMATS)} (or out must end in "
                              f"{', '.join(SUFFIXES)}), got no format and {str(path)!r}")
        return SUFFIXES[suffix]
    if fmt not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return fmt


def export_result(result: Any, fmt: str | None, path: str | os.PathLike, *, frames: Any = None) -> int:
    """Write the trajectory kept in ``result`` to ``path`` as ``fmt``; return frames written.

    ``result``: an :class:`xarray.Dataset` or the path of a saved result (``.nc``; opened
    lazily, only the chosen frames are read). ``fmt``: ``"extxyz"`` or ``"gsd"``, or None
    to take it from ``path``'s suffix (``.xyz``/``.extxyz``, ``.gsd``). ``frames``: which
    saved frames, as :func:`neqlab.io.trajectory.select_frames` reads it (None: all;
    ``"0:100:10"``; ``"-1"``; ``[0, 5]``). ConfigError (one line) for a bad format,
    frame choice, output path, or a result without a trajectory.
    """
    fmt = export_format(fmt, path)
    _writer(fmt)  # a missing gsd package is reported before anything is opened
    with _opened(result) as ds:
        check_trajectory(ds)
        indices = select_frames(frames, n_frames(ds))
        return _write(fmt, path, iter_frames(ds, indices))


@contextlib.contextmanager
def _opened(result: Any) -> Iterator[Any]:
    import xarray as xr

    if isinstance(result, xr.Dataset):
        yield result
        return
    if not isinstance(result, (str, os.PathLike)):
        raise ConfigError(f"result must be a Dataset or the path of a saved result (.nc), got {type(result).__name__}")
    p = Path(result)
    if not p.is_file():
        raise ConfigError(f"result must be an existing result file (.nc), got {str(p)!r}")
    try:
        ds = xr.open_dataset(p, engine="netcdf4")
    except (OSError, ValueError) as exc:
        raise ConfigError(f"result must be a netCDF result written by neqlab, got {str(p)!r} ({exc})") from None
    with ds:
        yield ds


# ---------------------------------------------------------------- states


def _state_frames(states: Iterable, stride: int) -> Iterator[Frame]:
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ConfigError(f"stride must be an integer in [1, inf), got {stride!r}")
    for s in islice(states, 0, None, int(stride)):
        yield Frame(np.asarray(s.positions), np.asarray(s.velocities), np.asarray(s.box, dtype=np.float64),
                    np.asarray(s.periodic, dtype=bool), float(s.time), int(s.step))


def write_extxyz(path: str | os.PathLike, frames: Iterable, *, stride: int = 1) -> int:
    """Write every ``stride``-th gas state to an extended-XYZ file; returns frames written."""
    return _write("extxyz", path, _state_frames(frames, stride))


def write_gsd(path: str | os.PathLike, frames: Iterable, *, stride: int = 1) -> int:
    """Write every ``stride``-th gas state to a GSD (HOOMD schema) file; returns frames written."""
    return _write("gsd", path, _state_frames(frames, stride))


# ---------------------------------------------------------------- writers


def _write(fmt: str, path: str | os.PathLike, frames: Iterable[Frame]) -> int:
    """Write atomically (``neqlab.io.store.atomic_write``: a temporary beside ``path``, renamed
    onto it if the writer succeeds, removed otherwise; mode from the umask)."""
    from neqlab.io.store import atomic_write, check_writable

    writer = _writer(fmt)
    with atomic_write(check_writable(path)) as tmp:
        return writer(str(tmp), frames)


def _writer(fmt: str):
    if fmt == "extxyz":
        return _extxyz
    if fmt == "gsd":
        try:
            import gsd.hoomd  # noqa: F401
        except ImportError:  # pragma: no cover - depends on the environment
            raise ConfigError('format gsd needs the gsd package (pip install "neqlab[export]"); '
                              "without it the format must be extxyz, got 'gsd'") from None
        return _gsd
    raise ConfigError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")


def _xyz3(a: np.ndarray, fill: float = 0.0) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.shape[-1] == 3:
        return a
    return np.concatenate([a, np.full(a.shape[:-1] + (3 - a.shape[-1],), fill)], axis=-1)


def _cell(f: Frame) -> np.ndarray:
    """Cell vectors as rows (ASE convention); a sheared box tilts b by xy * L_y along x."""
    cell = np.diag(_xyz3(f.box, 1.0))  # 2D: L_z = 1, not periodic
    cell[1, 0] = f.tilt * f.box[1]
    return cell


def _digits(a: np.ndarray) -> int:
    """Significant digits that write the array's floats back exactly."""
    return 9 if np.asarray(a).dtype == np.float32 else 17


def _extxyz(path: str, frames: Iterable[Frame]) -> int:
    count = 0
    with open(path, "w", encoding="ascii") as fh:
        for f in frames:
            dim = f.box.size
            n = f.positions.shape[0]
            lattice = " ".join(f"{v:.17g}" for v in _cell(f).ravel())
            pbc = " ".join("T" if p else "F" for p in list(f.periodic) + [False] * (3 - dim))
            walls = " ".join("T" if w else "F" for w in list(~f.periodic) + [False] * (3 - dim))
            fh.write(f"{n}\n")
            fh.write(f'Lattice="{lattice}" '
                     "Properties=species:S:1:pos:R:3:masses:R:1:momenta:R:3:vel:R:3:radius:R:1 "
                     f'Time={f.time:.17g} Step={f.step} pbc="{pbc}" walls="{walls}" '
                     f"dimensions={dim} units=reduced\n")
            v = _xyz3(f.velocities)
            data = np.concatenate([_xyz3(f.positions), np.full((n, 1), MASS), MASS * v, v,
                                   np.full((n, 1), RADIUS)], axis=1)
            g = f"%.{max(_digits(f.positions), _digits(f.velocities))}g"
            row = f"{SPECIES} " + " ".join([g] * data.shape[1])
            fh.write("\n".join(row % tuple(r) for r in data))
            fh.write("\n")
            count += 1
    return count


def _gsd(path: str, frames: Iterable[Frame]) -> int:
    import gsd.hoomd

    count = 0
    with gsd.hoomd.open(path, mode="w") as traj:
        for f in frames:
            dim = f.box.size
            n = f.positions.shape[0]
            box = f.box
            pos = np.asarray(f.positions, dtype=np.float64) - 0.5 * box
            if f.tilt and dim >= 2:  # wrap x into the tilted box: (x - xy y) / L_x in [-1/2, 1/2)
                pos[:, 0] -= box[0] * np.floor((pos[:, 0] - f.tilt * pos[:, 1]) / box[0] + 0.5)
            frame = gsd.hoomd.Frame()
            frame.configuration.step = int(f.step)
            frame.configuration.dimensions = dim
            frame.configuration.box = [box[0], box[1], box[2] if dim == 3 else 0.0, f.tilt, 0.0, 0.0]
            frame.particles.N = n
            frame.particles.types = [GSD_TYPE]
            frame.particles.typeid = np.zeros(n, dtype=np.uint32)
            frame.particles.mass = np.full(n, MASS, dtype=np.float32)
            frame.particles.diameter = np.full(n, 2 * RADIUS, dtype=np.float32)
            frame.particles.position = _xyz3(pos).astype(np.float32)
            frame.particles.velocity = _xyz3(f.velocities).astype(np.float32)
            frame.log["neqlab/time"] = np.array([f.time], dtype=np.float64)
            frame.log["neqlab/box"] = np.asarray(box, dtype=np.float64)
            frame.log["neqlab/periodic"] = np.asarray(f.periodic, dtype=np.int8)
            traj.append(frame)
            count += 1
    return count
