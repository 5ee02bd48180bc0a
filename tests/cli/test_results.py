"""Issue 19, command-line side: configs as TOML that run back to the same bits, a result's
config printed the same way, and trajectories exported to files ASE and gsd read."""

from __future__ import annotations

import numpy as np
import pytest

import neqlab
from clitools import SMALL_SETS, neq, neq_here, one_error_line, tree
from clitools import small_result, trajectory_result  # noqa: F401 - fixtures


def same_data(a, b) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values), name
    assert a.attrs["config"] == b.attrs["config"]


def test_config_printed_then_fed_back_gives_the_same_bits(tmp_path):
    """`neqlab config` -> file -> `run --config` equals `run --scale ... --set ...` directly."""
    keys = [*SMALL_SETS, "--set", "marker_fraction=0.05"]
    toml = neq("config", "macrostates", "--scale", "quick", *keys, cwd=tmp_path)
    assert toml.returncode == 0, toml.stderr
    (tmp_path / "c.toml").write_text(toml.stdout)
    a = neq("run", "macrostates", "--config", "c.toml", "--out", "a.nc", "--quiet", cwd=tmp_path)
    b = neq_here("run", "macrostates", "--scale", "quick", *keys, "--out", "b.nc", "--quiet", cwd=tmp_path)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    same_data(neqlab.load(tmp_path / "a.nc"), neqlab.load(tmp_path / "b.nc"))


def test_show_config_of_a_result_runs_it_again_bit_for_bit(tmp_path, small_result):
    r = neq("show", small_result, "--config", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# neqlab config of the experiment macrostates")
    assert "the config of a saved result" in r.stdout.splitlines()[0]
    (tmp_path / "again.toml").write_text(r.stdout)
    again = neq_here("run", "macrostates", "--config", "again.toml", "--out", "again.nc", "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    same_data(neqlab.load(small_result), neqlab.load(tmp_path / "again.nc"))


def test_config_errors(tmp_path):
    assert "experiment must be one of" in one_error_line(neq_here("config", "nosuch", cwd=tmp_path))
    assert "scale must be one of quick, default, full, got 'huge'" in one_error_line(
        neq_here("config", "macrostates", "--scale", "huge", cwd=tmp_path))
    assert "n_particles must be an integer in [2, 1000000], got '1'" in one_error_line(
        neq_here("config", "macrostates", "--set", "n_particles=1", cwd=tmp_path))
    assert "show takes one of --config, --json" in one_error_line(
        neq_here("show", "x.nc", "--config", "--json", cwd=tmp_path))


def test_show_prints_provenance_verdict_and_json(tmp_path, small_result):
    import json

    r = neq_here("show", small_result, cwd=tmp_path)
    assert r.returncode == 0
    assert r.stdout.startswith("experiment: macrostates  (§2.2")
    assert "(as TOML: neqlab show" in r.stdout and "macrostates: " in r.stdout
    j = json.loads(neq_here("show", small_result, "--json", cwd=tmp_path).stdout)
    assert j["experiment"] == "macrostates" and {"checks", "subclaims", "holds"} <= set(j)
    from neqlab.core.i18n import text

    ja = neq_here("show", small_result, "--lang", "ja", cwd=tmp_path)
    assert f"  {text('common.claim', 'ja')}: " in ja.stdout and f"  {text('common.conditions', 'ja')}: " in ja.stdout


ase_io = pytest.importorskip("ase.io")
gsd_hoomd = pytest.importorskip("gsd.hoomd")


def test_export_extxyz_and_gsd_read_back(tmp_path, trajectory_result):
    ds = neqlab.load(trajectory_result)
    pos, vel = ds.trajectory_positions.values, ds.trajectory_velocities.values
    r = neq("export", trajectory_result, "--format", "extxyz", "--frames", "::2", "--out", "gas.xyz", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "wrote 3 frame(s) to gas.xyz (extxyz)"
    frames = ase_io.read(tmp_path / "gas.xyz", index=":")
    assert len(frames) == 3
    for k, a in zip((0, 2, 4), frames):
        assert np.array_equal(a.positions[:, :2], pos[k]) and np.array_equal(a.get_velocities()[:, :2], vel[k])
        assert np.array_equal(a.get_masses(), np.ones(7))
        assert list(a.info["walls"]) == [True, False, False] and a.info["Time"] == ds.frame.values[k]
    g = neq_here("export", trajectory_result, "--out", "sub/gas.gsd", "--frames=-1", cwd=tmp_path)
    assert g.returncode == 0, g.stderr
    with gsd_hoomd.open(tmp_path / "sub" / "gas.gsd") as traj:
        assert len(traj) == 1
        f = traj[0]
        assert np.allclose(f.particles.velocity[:, :2], vel[-1], rtol=0, atol=1e-6 * np.abs(vel).max())
        assert list(f.log["neqlab/periodic"]) == [0, 1]
    # no --out: the result's name with the format's suffix, next to it
    d = neq_here("export", trajectory_result, "--format", "gsd", cwd=tmp_path)
    assert d.returncode == 0 and trajectory_result.with_suffix(".gsd").is_file()


def test_export_bad_input_creates_nothing(tmp_path, trajectory_result, small_result):
    before = tree(tmp_path)
    cases = [
        ([trajectory_result, "--format", "pdb", "--out", "new/x.pdb"], "format must be one of extxyz, gsd, got 'pdb'"),
        ([trajectory_result, "--out", "new/x.pdb"], "format must be one of extxyz, gsd (or out must end in"),
        ([trajectory_result, "--frames", "30:10", "--out", "new/x.xyz"], "frames must select at least one"),
        ([trajectory_result, "--frames", "x", "--out", "new/x.xyz"], "frames must be a slice"),
        ([small_result, "--out", "new/x.xyz"], "result must hold a trajectory"),
        (["missing.nc", "--out", "new/x.xyz"], "path must be an existing result file"),
        ([trajectory_result, "--out", "/proc/x.xyz"], "out must be a path in a writable directory"),
        ([trajectory_result, "--format", "extxyz", "--out", ""], "out must be a file path"),
        ([trajectory_result], "format must be one of extxyz, gsd when no --out is given"),
    ]
    for i, (args, needle) in enumerate(cases):
        line = one_error_line((neq if i == 0 else neq_here)("export", *args, cwd=tmp_path))
        assert needle in line, (args, line)
        assert tree(tmp_path) == before, args
