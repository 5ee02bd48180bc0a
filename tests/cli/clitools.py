"""Helpers of the command-line tests: the real CLI in a subprocess or in this process,
what to assert, and fixtures (a small saved result, files that look like results but
are not, a saved trajectory) that test modules import by name.

(Not a ``conftest.py``: a second module of that name under ``tests/`` clashes with
``tests/conftest.py`` when pytest collects doctests.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# macrostates at about its SMALL size (runs in a second or two)
SMALL_SETS = ["--set", "n_particles=30", "--set", "n_steps=300", "--set", "n_replicas=100",
              "--set", "recurrence_n_particles=5", "--set", "n_sites=60", "--set", "n_rings=20",
              "--set", "counting_n_max=1000"]


def neq(*args, cwd, timeout=300, env=None):
    """``neqlab ARGS`` in a subprocess (the installed code, a fresh interpreter)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("NEQLAB_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "neqlab.cli.main", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=full_env)


def one_error_line(r) -> str:
    """The single ``error:`` line of a refused command (asserts there is exactly one)."""
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    return lines[0]


def tree(root: Path) -> set[str]:
    """Every path under ``root`` (relative), directories included."""
    return {str(p.relative_to(root)) + ("/" if p.is_dir() else "") for p in root.rglob("*")}


def neq_here(*args, cwd):
    """``neqlab ARGS`` run in this process (``neqlab.cli.main.main``), in directory ``cwd``:
    the same code path without an interpreter's start-up, for the many-case tests."""
    import contextlib
    import io
    from types import SimpleNamespace

    from neqlab.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


@pytest.fixture(scope="session")
def small_result(tmp_path_factory) -> Path:
    """A real macrostates result at about SMALL size, saved by the CLI's own path (api + store)."""
    from neqlab.experiments.api import make_config, run_config
    from neqlab.io.store import save
    from neqlab.runner import Runner

    sets = dict(s.split("=") for s in SMALL_SETS[1::2])
    cfg = make_config("macrostates", sets)
    ds = run_config("macrostates", cfg, runner=Runner(workers=2, progress=False))
    return save(ds, tmp_path_factory.mktemp("result") / "small.nc")


def _edit(src: Path, dst: Path, edit) -> Path:
    import xarray as xr

    from neqlab.io.store import load, save

    ds = load(src)
    out = edit(ds)
    save(out if isinstance(out, xr.Dataset) else ds, dst)
    return dst


@pytest.fixture(scope="session")
def fake_results(small_result, tmp_path_factory) -> dict[str, Path]:
    """Files that look like neqlab results but are not (issue 18, item 5), by what is wrong."""
    import netCDF4

    from neqlab.io.store import load

    d = tmp_path_factory.mktemp("fakes")
    cfg = json.loads(load(small_result).attrs["config"])

    def attrs(**kw):
        def edit(ds):
            for k, v in kw.items():
                if v is None:
                    ds.attrs.pop(k, None)
                else:
                    ds.attrs[k] = v
        return edit

    out = {
        "no experiment attr": _edit(small_result, d / "noexp.nc", attrs(experiment=None)),
        "unknown experiment": _edit(small_result, d / "unknownexp.nc", attrs(experiment="nosuch")),
        "no config attr": _edit(small_result, d / "noconfig.nc", attrs(config=None)),
        "config not JSON": _edit(small_result, d / "badjson.nc", attrs(config="{n_particles: 3")),
        "config JSON null": _edit(small_result, d / "nulljson.nc", attrs(config="null")),
        "config with an unknown key": _edit(small_result, d / "unknownkey.nc",
                                            attrs(config=json.dumps({**cfg, "bogus": 1}))),
        "config out of range": _edit(small_result, d / "outofrange.nc",
                                     attrs(config=json.dumps({**cfg, "n_particles": 0}))),
        "a data variable missing": _edit(small_result, d / "missingvar.nc", lambda ds: ds.drop_vars("kac_delta")),
        "a variable with other dims": _edit(
            small_result, d / "wrongdims.nc",
            lambda ds: ds.assign(mass_3sigma=(("x",), np.zeros(ds.sizes["x"])))),
    }
    for label, name, dims, var in (("a 6 KB file declaring a 10^6 x 10^6 variable", "huge.nc", ("a", "b"), "x"),
                                   ("a declared variable of 10^12 elements", "huge_declared.nc", ("ring", "t_kac"),
                                    "kac_delta")):
        path = d / name
        with netCDF4.Dataset(path, "w") as nc:
            for dim in dims:
                nc.createDimension(dim, 10**6)
            nc.createVariable(var, "f8", dims)
            nc.setncattr("experiment", "macrostates")
            nc.setncattr("config", json.dumps(cfg))
            nc.setncattr("seed", 0)
            nc.setncattr("neqlab_version", "0.1.0")
        assert path.stat().st_size < 64_000
        out[label] = path
    (d / "text.nc").write_text("not netCDF at all\n")
    out["a text file"] = d / "text.nc"
    (d / "empty.nc").write_bytes(b"")
    out["an empty file"] = d / "empty.nc"
    (d / "adir.nc").mkdir()
    out["a directory"] = d / "adir.nc"
    return out


@pytest.fixture(scope="session")
def trajectory_result(tmp_path_factory) -> Path:
    """A saved result holding a trajectory (the convention of neqlab.io.trajectory), as
    tests/io/test_export.py builds it: 6 frames of 7 particles in a 2D box with one wall."""
    from neqlab.io import trajectory as T
    from neqlab.io.store import save

    rng = np.random.default_rng(3)
    box = np.array([7.5, 5.25])
    data = {"trajectory_positions": rng.random((6, 7, 2)) * box, "trajectory_velocities": rng.normal(size=(6, 7, 2)),
            "trajectory_step": np.arange(6, dtype=np.int64) * 250, "trajectory_box": box,
            "trajectory_periodic": np.array([False, True])}
    coords = {"frame": np.arange(6) * 0.75 + 0.1, "axis": np.array(T.AXES[:2])}
    ds = T.SCHEMA.assemble(data, coords=coords)
    ds.attrs["experiment"] = "relaxation"
    return save(ds, tmp_path_factory.mktemp("traj") / "traj.nc")
