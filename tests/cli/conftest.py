"""Shared pieces of the command-line tests: the real CLI in a subprocess, a small saved
result, files that look like results but are not, and a saved trajectory."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from clitools import SMALL_SETS


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
