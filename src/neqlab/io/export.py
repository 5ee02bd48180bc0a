"""Trajectory exports that standard tools read: extended XYZ (ASE, OVITO) and GSD (HOOMD).

A *frame* is any gas state with ``positions``, ``velocities``, ``box``, ``periodic``,
``time`` and ``step`` (``neqlab.models.gas.State`` or ``LatticeState``). Units are
neqlab's reduced units (sigma, tau); 2D states are written with z = 0.

- extended XYZ: positions in [0, L) as stored, ``Lattice`` = the box (2D: L_z = 1),
  ``pbc`` per axis (walls -> F), species ``Ar`` (a placeholder), velocities in
  ``vel``, ``Time`` and ``Step`` in the comment line. ``ase.io.read(path, ":")``.
- GSD: HOOMD convention, positions centred on the origin ([-L/2, L/2)), ``dimensions``
  2 or 3 (2D: L_z = 0), one particle type ``A``. ``gsd.hoomd.open(path)``; needs the
  ``gsd`` package (the ``export`` extra).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from itertools import islice

import numpy as np

from neqlab.core.errors import ConfigError


def _frames(frames: Iterable, stride: int):
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ConfigError(f"stride must be an integer in [1, inf), got {stride!r}")
    return islice(frames, 0, None, int(stride))


def _xyz3(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a if a.shape[1] == 3 else np.concatenate([a, np.zeros((a.shape[0], 1))], axis=1)


def write_extxyz(path: str | os.PathLike, frames: Iterable, *, stride: int = 1) -> int:
    """Write every ``stride``-th frame to an extended-XYZ file; returns frames written."""
    count = 0
    with open(path, "w", encoding="ascii") as fh:
        for s in _frames(frames, stride):
            box = np.asarray(s.box, dtype=np.float64)
            lengths = np.append(box, 1.0) if box.size == 2 else box
            pbc = list(np.asarray(s.periodic, dtype=bool)) + ([False] if box.size == 2 else [])
            lattice = " ".join(f"{v:.17g}" for v in np.diag(lengths).ravel())
            flags = " ".join("T" if p else "F" for p in pbc)
            fh.write(f"{s.n_particles}\n")
            fh.write(f'Lattice="{lattice}" Properties=species:S:1:pos:R:3:vel:R:3 '
                     f'Time={float(s.time):.17g} Step={int(s.step)} pbc="{flags}"\n')
            data = np.concatenate([_xyz3(s.positions), _xyz3(s.velocities)], axis=1)
            for row in data:
                fh.write("Ar " + " ".join(f"{v:.17g}" for v in row) + "\n")
            count += 1
    return count


def write_gsd(path: str | os.PathLike, frames: Iterable, *, stride: int = 1) -> int:
    """Write every ``stride``-th frame to a GSD (HOOMD schema) file; returns frames written."""
    try:
        import gsd.hoomd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigError('format must be one of "extxyz" unless gsd is installed (pip install "neqlab[export]"), got "gsd"') from exc
    count = 0
    with gsd.hoomd.open(str(path), mode="w") as traj:
        for s in _frames(frames, stride):
            box = np.asarray(s.box, dtype=np.float64)
            dim = box.size
            frame = gsd.hoomd.Frame()
            frame.configuration.step = int(s.step)
            frame.configuration.dimensions = dim
            frame.configuration.box = [box[0], box[1], box[2] if dim == 3 else 0.0, 0, 0, 0]
            frame.particles.N = s.n_particles
            frame.particles.types = ["A"]
            frame.particles.typeid = np.zeros(s.n_particles, dtype=np.uint32)
            pos = _xyz3(np.asarray(s.positions, dtype=np.float64) - 0.5 * box)
            frame.particles.position = pos.astype(np.float32)
            frame.particles.velocity = _xyz3(s.velocities).astype(np.float32)
            traj.append(frame)
            count += 1
    return count
