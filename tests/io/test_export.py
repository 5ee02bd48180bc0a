"""Exports are read back by ASE (extended XYZ) and gsd.hoomd (GSD)."""

from __future__ import annotations

import numpy as np
import pytest

from neqlab.core.errors import ConfigError
from neqlab.io.export import write_extxyz, write_gsd
from neqlab.models.gas import Params, advance, lattice_gas, to_lattice


def trajectory(dim, periodic=True, n=5):
    p = Params()
    s = lattice_gas(40, 0.3, 1.0, dim, seed=1, periodic=periodic)
    out = [s]
    for _ in range(n - 1):
        s = advance(s, p, 20)
        out.append(s)
    return out


@pytest.mark.parametrize("dim", [2, 3])
def test_extxyz_read_by_ase(tmp_path, dim):
    ase_io = pytest.importorskip("ase.io")
    frames = trajectory(dim, periodic=(False,) + (True,) * (dim - 1))
    path = tmp_path / "t.xyz"
    assert write_extxyz(path, frames, stride=2) == 3
    atoms = ase_io.read(path, index=":")
    assert len(atoms) == 3
    a, s = atoms[1], frames[2]
    assert np.allclose(a.positions[:, :dim], s.positions, rtol=0, atol=1e-12)
    assert np.allclose(a.get_velocities()[:, :dim] if "vel" not in a.arrays else a.arrays["vel"][:, :dim],
                       s.velocities, atol=1e-12)
    assert np.allclose(np.diag(a.cell)[:dim], s.box)
    assert list(a.pbc[:dim]) == list(s.periodic)
    assert a.info["Step"] == s.step


@pytest.mark.parametrize("dim", [2, 3])
def test_gsd_read_by_gsd_hoomd(tmp_path, dim):
    hoomd = pytest.importorskip("gsd.hoomd")
    frames = trajectory(dim)
    path = tmp_path / "t.gsd"
    assert write_gsd(path, frames) == 5
    with hoomd.open(str(path), mode="r") as traj:
        assert len(traj) == 5
        f = traj[4]
        s = frames[4]
        assert f.configuration.dimensions == dim and f.configuration.step == s.step
        assert np.allclose(f.configuration.box[:dim], s.box)
        # float32 in the file: 1e-6 relative of the box
        assert np.allclose(f.particles.position[:, :dim] + 0.5 * s.box, s.positions, atol=1e-5 * s.box.max())
        assert np.allclose(f.particles.velocity[:, :dim], s.velocities, atol=1e-6)


def test_lattice_states_export_and_stride_validated(tmp_path):
    ls = to_lattice(trajectory(2, n=1)[0], Params(integrator="fixed_point"))
    assert write_extxyz(tmp_path / "l.xyz", [ls]) == 1
    with pytest.raises(ConfigError, match="stride"):
        write_extxyz(tmp_path / "x.xyz", [ls], stride=0)
