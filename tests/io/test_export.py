"""Exports are read back by ASE (extended XYZ) and gsd.hoomd (GSD) and compared to the data.

Results keep trajectories in the convention of ``neqlab.io.trajectory``; the tests build
small synthetic results in that convention (periodic and walled boxes, 2D and 3D, a
sheared box), write them, read them with the tools users have, and compare positions,
velocities, masses, box, boundaries and frame times.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.io import trajectory as T
from neqlab.io.export import export_result, write_extxyz, write_gsd
from neqlab.io.store import load, save

ase_io = pytest.importorskip("ase.io")
hoomd = pytest.importorskip("gsd.hoomd")

F32 = float(np.finfo(np.float32).eps)  # GSD stores float32 (HOOMD schema)


def synthetic(dim=2, periodic=None, *, n_frames=6, n=7, dtype=np.float64, tilt=False, seed=0):
    """A result holding a trajectory of ``n`` particles in a box with the given boundaries."""
    rng = np.random.default_rng(seed)
    box = np.array([7.5, 5.25, 3.0][:dim])
    periodic = (True,) * dim if periodic is None else periodic
    pos = (rng.random((n_frames, n, dim)) * box).astype(dtype)
    vel = rng.normal(size=(n_frames, n, dim)).astype(dtype)
    data = {"trajectory_positions": pos, "trajectory_velocities": vel,
            "trajectory_step": np.arange(n_frames, dtype=np.int64) * 250,
            "trajectory_box": box, "trajectory_periodic": np.array(periodic)}
    if tilt:
        data["trajectory_tilt"] = np.linspace(-0.4, 0.45, n_frames)
    coords = {"frame": np.arange(n_frames) * 0.75 + 0.1, "axis": np.array(T.AXES[:dim])}
    ds = T.SCHEMA.assemble(data, coords=coords)
    ds.attrs["experiment"] = "relaxation"
    return ds


BOXES = [(2, (True, True)), (2, (False, True)), (3, (True, True, True)), (3, (False, True, False))]


@pytest.mark.parametrize("dim,periodic", BOXES)
def test_extxyz_of_a_result_reads_back_in_ase(tmp_path, dim, periodic):
    ds = synthetic(dim, periodic)
    path = tmp_path / "t.xyz"
    assert export_result(ds, "extxyz", path) == 6
    frames = ase_io.read(path, index=":")
    assert len(frames) == 6
    pos, vel = ds.trajectory_positions.values, ds.trajectory_velocities.values
    for k, a in enumerate(frames):
        # 17 significant digits write float64 back exactly
        assert np.array_equal(a.positions[:, :dim], pos[k])
        assert np.array_equal(a.get_velocities()[:, :dim], vel[k])
        assert "masses" in a.arrays  # written, not taken from the element table (X's is 1 too)
        assert np.array_equal(a.get_masses(), np.ones(7))
        assert np.all(a.positions[:, dim:] == 0) and np.all(a.get_velocities()[:, dim:] == 0)
        # kinetic energy in epsilon: ASE's eV when sigma = 1 Angstrom, m = 1 u, epsilon = 1 eV
        assert a.get_kinetic_energy() == pytest.approx(0.5 * np.sum(vel[k] ** 2), rel=1e-14)
        assert np.array_equal(np.diag(a.cell.array), np.r_[ds.trajectory_box.values, [1.0] * (3 - dim)])
        assert list(a.pbc) == list(periodic) + [False] * (3 - dim)
        assert list(a.info["walls"]) == [not p for p in periodic] + [False] * (3 - dim)
        assert a.info["Time"] == ds.frame.values[k] and a.info["Step"] == ds.trajectory_step.values[k]
        assert a.info["dimensions"] == dim and a.info["units"] == "reduced"
        assert set(a.get_chemical_symbols()) == {"X"}


@pytest.mark.parametrize("dim,periodic", BOXES)
def test_gsd_of_a_result_reads_back_in_gsd_hoomd(tmp_path, dim, periodic):
    ds = synthetic(dim, periodic)
    path = tmp_path / "t.gsd"
    assert export_result(ds, "gsd", path) == 6
    box = ds.trajectory_box.values
    with hoomd.open(str(path), mode="r") as traj:
        assert len(traj) == 6
        for k, f in enumerate(traj):
            assert f.configuration.dimensions == dim and f.configuration.step == ds.trajectory_step.values[k]
            assert np.allclose(f.configuration.box[:dim], box, rtol=F32, atol=0)
            assert f.configuration.box[2] == (box[2] if dim == 3 else 0.0)
            # float32 positions centred on the origin: one rounding of a number below L/2
            assert np.allclose(f.particles.position[:, :dim] + 0.5 * box, ds.trajectory_positions.values[k],
                               rtol=0, atol=F32 * box.max())
            assert np.allclose(f.particles.velocity[:, :dim], ds.trajectory_velocities.values[k], rtol=F32, atol=0)
            assert np.all(f.particles.position[:, dim:] == 0)
            assert np.array_equal(f.particles.mass, np.ones(7, np.float32))
            assert f.log["neqlab/time"][0] == ds.frame.values[k]
            assert np.array_equal(f.log["neqlab/box"], box)
            assert list(f.log["neqlab/periodic"]) == [int(p) for p in periodic]


def test_a_sheared_box_is_a_tilted_cell_in_both_formats(tmp_path):
    ds = synthetic(2, tilt=True, n=50)
    export_result(ds, "extxyz", tmp_path / "s.xyz")
    export_result(ds, "gsd", tmp_path / "s.gsd")
    lx, ly = ds.trajectory_box.values
    tilts = ds.trajectory_tilt.values
    for k, a in enumerate(ase_io.read(tmp_path / "s.xyz", index=":")):
        assert a.cell.array[1, 0] == pytest.approx(tilts[k] * ly, rel=1e-15)
        assert np.array_equal(a.positions[:, :2], ds.trajectory_positions.values[k])
    with hoomd.open(str(tmp_path / "s.gsd"), mode="r") as traj:
        for k, f in enumerate(traj):
            xy = f.configuration.box[3]
            assert xy == pytest.approx(tilts[k], rel=F32)
            p = f.particles.position[:, :2].astype(np.float64)
            frac = (p[:, 0] - xy * p[:, 1]) / lx  # inside HOOMD's box: fractional x in [-1/2, 1/2]
            assert np.all(np.abs(frac) <= 0.5 + 2 * F32)
            # the same points up to a lattice vector along x; |x| < L_x, so one float32
            # rounding moves x / L_x by less than F32
            shift = (p + 0.5 * np.array([lx, ly]) - ds.trajectory_positions.values[k]) / lx
            assert np.allclose(shift[:, 0], np.round(shift[:, 0]), rtol=0, atol=F32)
            assert np.allclose(shift[:, 1], 0, rtol=0, atol=F32)


def test_float32_trajectories_round_trip_their_bits_through_extxyz(tmp_path):
    ds = synthetic(3, dtype=np.float32)
    export_result(ds, "extxyz", tmp_path / "f.xyz")
    a = ase_io.read(tmp_path / "f.xyz", index=-1)
    assert np.array_equal(a.positions.astype(np.float32), ds.trajectory_positions.values[-1])


@pytest.mark.parametrize("fmt", ["extxyz", "gsd"])
def test_a_saved_result_exports_only_the_frames_asked_for(tmp_path, fmt):
    ds = synthetic(3, (False, True, True), n_frames=9)
    src = save(ds, tmp_path / "r.nc")
    assert T.SCHEMA.problems(load(src), stamped=False) == []
    out = tmp_path / f"t.{'xyz' if fmt == 'extxyz' else 'gsd'}"
    assert export_result(src, None, out, frames="1:8:3") == 3
    times = [read_time(out, fmt, k) for k in range(3)]
    assert times == list(ds.frame.values[[1, 4, 7]])
    if fmt == "extxyz":  # the walls survive the netCDF file (booleans stored as int8 there)
        assert list(ase_io.read(out, index=0).info["walls"]) == [True, False, False]
    else:
        with hoomd.open(str(out), mode="r") as traj:
            assert list(traj[0].log["neqlab/periodic"]) == [0, 1, 1]
    assert export_result(str(src), fmt, out, frames=[-1, 0]) == 2
    assert [read_time(out, fmt, k) for k in range(2)] == list(ds.frame.values[[8, 0]])


def read_time(path, fmt, k):
    if fmt == "extxyz":
        return ase_io.read(path, index=k).info["Time"]
    with hoomd.open(str(path), mode="r") as traj:
        return traj[k].log["neqlab/time"][0]


def poisoned(ds, readable):
    """``ds`` with frames outside ``readable`` that raise when their data are read."""
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")

    def frame(arr, i):
        if i not in readable:
            raise RuntimeError(f"frame {i} was read")
        return arr

    out = ds.copy()
    for name in ("trajectory_positions", "trajectory_velocities"):
        arr = ds[name].values
        blocks = [da.from_delayed(dask.delayed(frame)(arr[i], i), shape=arr.shape[1:], dtype=arr.dtype)[None]
                  for i in range(arr.shape[0])]
        out[name] = (ds[name].dims, da.concatenate(blocks), ds[name].attrs)
    return out


@pytest.mark.parametrize("fmt", ["extxyz", "gsd"])
def test_frames_not_asked_for_are_never_read_and_a_failure_leaves_no_file(tmp_path, fmt):
    ds = poisoned(synthetic(2, n_frames=8), readable={2, 5})
    out = tmp_path / f"t.{fmt}"
    assert export_result(ds, fmt, out, frames="2,5") == 2
    assert out.is_file()
    bad = tmp_path / f"u.{fmt}"
    with pytest.raises(RuntimeError, match="frame 3 was read"):
        export_result(ds, fmt, bad, frames="2:4")
    assert not bad.exists()
    assert sorted(os.listdir(tmp_path)) == [out.name]  # no temporary file left behind


def test_bad_requests_are_one_line_config_errors(tmp_path):
    ds = synthetic(2)
    with pytest.raises(ConfigError, match=r"^format must be one of extxyz, gsd, got 'pdb'$"):
        export_result(ds, "pdb", tmp_path / "t.pdb")
    with pytest.raises(ConfigError, match="format must be one of extxyz, gsd .*'.*t.txt'"):
        export_result(ds, None, tmp_path / "t.txt")
    with pytest.raises(ConfigError, match=r"frames must be a slice .* in \[-6, 6\) \(6 frames saved\), got '1:x'"):
        export_result(ds, "extxyz", tmp_path / "t.xyz", frames="1:x")
    with pytest.raises(ConfigError, match="frames must be .*got 6"):
        export_result(ds, "extxyz", tmp_path / "t.xyz", frames=6)
    with pytest.raises(ConfigError, match="frames must select at least one of the 6 saved frames, got '4:2'"):
        export_result(ds, "extxyz", tmp_path / "t.xyz", frames="4:2")
    plain = ds.drop_vars(["trajectory_positions"])
    plain.attrs["experiment"] = "macrostates"
    with pytest.raises(ConfigError, match="result must hold a trajectory .*got a 'macrostates' result"):
        export_result(plain, "extxyz", tmp_path / "t.xyz")
    with pytest.raises(ConfigError, match="result must be an existing result file"):
        export_result(tmp_path / "missing.nc", "gsd", tmp_path / "t.gsd")
    with pytest.raises(ConfigError, match="out must be a regular file path"):
        export_result(ds, "gsd", tmp_path)
    assert sorted(os.listdir(tmp_path)) == []


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 30), a=st.none() | st.integers(-40, 40), b=st.none() | st.integers(-40, 40),
       c=st.none() | st.integers(-5, 5).filter(lambda x: x != 0))
def test_frame_slices_follow_python_slicing(n, a, b, c):
    spec = ":".join("" if x is None else str(x) for x in (a, b, c))
    expected = list(range(n))[a:b:c]
    if expected:
        assert T.select_frames(spec, n) == expected
        assert T.select_frames(slice(a, b, c), n) == expected
    else:
        with pytest.raises(ConfigError, match="frames must select at least one"):
            T.select_frames(spec, n)


@settings(max_examples=200, deadline=None)
@given(n_steps=st.integers(0, 10**6), dt=st.floats(1e-4, 0.05), every=st.floats(0, 100), max_frames=st.integers(1, 500))
def test_frame_steps_are_evenly_thinned_and_bounded(n_steps, dt, every, max_frames):
    steps = T.frame_steps(n_steps, dt, every, max_frames)
    if every == 0:
        assert steps.size == 0
        return
    assert 1 <= steps.size <= max_frames and steps[0] == 0 and steps[-1] <= n_steps
    gaps = np.diff(steps)
    assert np.all(gaps == gaps[0]) if gaps.size else True
    if gaps.size:
        assert gaps[0] >= max(1, round(every / dt))  # never denser than asked
        assert steps[-1] + gaps[0] > n_steps  # no room left for another frame


def test_frame_steps_reject_bad_keys_naming_them():
    with pytest.raises(ConfigError, match=r"^trajectory_every must be a number in \[0, inf\), got -1.0$"):
        T.frame_steps(100, 0.01, -1.0, 10)
    with pytest.raises(ConfigError, match=r"^trajectory_max_frames must be an integer in \[1, inf\), got 0$"):
        T.frame_steps(100, 0.01, 1.0, 0)


# ------------------------------------------------------------------ in-memory gas states


def gas_trajectory(dim, periodic=True, n=5):
    from neqlab.models.gas import Params, advance, lattice_gas

    p = Params()
    s = lattice_gas(40, 0.3, 1.0, dim, seed=1, periodic=periodic)
    out = [s]
    for _ in range(n - 1):
        s = advance(s, p, 20)
        out.append(s)
    return out


@pytest.mark.parametrize("dim", [2, 3])
def test_extxyz_of_gas_states_reads_back_in_ase(tmp_path, dim):
    states = gas_trajectory(dim, periodic=(False,) + (True,) * (dim - 1))
    path = tmp_path / "t.xyz"
    assert write_extxyz(path, states, stride=2) == 3
    atoms = ase_io.read(path, index=":")
    assert len(atoms) == 3
    a, s = atoms[1], states[2]
    assert np.array_equal(a.positions[:, :dim], s.positions)
    assert np.array_equal(a.get_velocities()[:, :dim], s.velocities)
    assert np.array_equal(a.get_masses(), np.ones(s.n_particles))
    assert np.array_equal(np.diag(a.cell)[:dim], s.box)
    assert list(a.pbc[:dim]) == list(s.periodic) and list(a.info["walls"][:dim]) == [not p for p in s.periodic]
    assert a.info["Step"] == s.step and a.info["Time"] == s.time


@pytest.mark.parametrize("dim", [2, 3])
def test_gsd_of_gas_states_reads_back_in_gsd_hoomd(tmp_path, dim):
    states = gas_trajectory(dim)
    path = tmp_path / "t.gsd"
    assert write_gsd(path, states) == 5
    with hoomd.open(str(path), mode="r") as traj:
        assert len(traj) == 5
        f, s = traj[4], states[4]
        assert f.configuration.dimensions == dim and f.configuration.step == s.step
        assert np.allclose(f.configuration.box[:dim], s.box, rtol=F32, atol=0)
        assert np.allclose(f.particles.position[:, :dim] + 0.5 * s.box, s.positions, rtol=0, atol=F32 * s.box.max())
        assert np.allclose(f.particles.velocity[:, :dim], s.velocities, rtol=F32, atol=0)
        assert f.log["neqlab/time"][0] == s.time


def test_states_kept_by_an_experiment_become_a_result_trajectory(tmp_path):
    states = gas_trajectory(2, periodic=(False, True))
    data, coords = T.trajectory_arrays(states)
    ds = T.SCHEMA.assemble(data, coords=coords)
    assert T.SCHEMA.problems(ds, stamped=False) == []
    assert export_result(ds, "extxyz", tmp_path / "t.xyz", frames="::2") == 3
    a = ase_io.read(tmp_path / "t.xyz", index=-1)
    assert np.array_equal(a.positions[:, :2], states[4].positions)
    assert T.trajectory_bytes(5, 40, 2) == ds.trajectory_positions.nbytes + ds.trajectory_velocities.nbytes


def test_lattice_states_export_and_stride_validated(tmp_path):
    from neqlab.models.gas import Params, to_lattice

    ls = to_lattice(gas_trajectory(2, n=1)[0], Params(integrator="fixed_point"))
    assert write_extxyz(tmp_path / "l.xyz", [ls]) == 1
    assert np.array_equal(ase_io.read(tmp_path / "l.xyz").positions[:, :2], ls.positions)
    with pytest.raises(ConfigError, match="stride"):
        write_extxyz(tmp_path / "x.xyz", [ls], stride=0)
