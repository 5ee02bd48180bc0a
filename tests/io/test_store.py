import numpy as np
import pytest
import xarray as xr

from neqlab.core.errors import ConfigError
from neqlab.io.store import load, save


def test_round_trip_plain_xarray_and_bools(tmp_path):
    ds = xr.Dataset({"a": (("t",), np.arange(4.0)), "ok": (("t",), np.array([1, 0, 1, 1], bool))},
                    coords={"t": np.arange(4)}, attrs={"config": "{}", "seed": 3})
    p = save(ds, tmp_path / "r.nc")
    with xr.open_dataset(p) as plain:  # readable by plain xarray
        assert np.array_equal(plain["a"].values, ds["a"].values)
    back = load(p)
    assert back["ok"].dtype == bool and np.array_equal(back["ok"].values, ds["ok"].values)
    assert back.attrs["seed"] == 3
    assert [f.name for f in tmp_path.iterdir()] == ["r.nc"]  # no temporary left behind


def test_failed_write_leaves_nothing(tmp_path):
    ds = xr.Dataset({"a": (("t",), np.arange(3))}, attrs={"bad": {"nested": 1}})  # dict attrs cannot be written
    with pytest.raises(Exception):
        save(ds, tmp_path / "r.nc")
    assert list(tmp_path.iterdir()) == []


def test_load_errors(tmp_path):
    with pytest.raises(ConfigError, match="path must be an existing result file"):
        load(tmp_path / "missing.nc")
    bad = tmp_path / "bad.nc"
    bad.write_text("not netcdf")
    with pytest.raises(ConfigError, match="path must be a netCDF result"):
        load(bad)
