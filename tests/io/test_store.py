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


def test_load_refuses_a_small_file_declaring_huge_data_before_reading_it(tmp_path):
    """A 6 KB netCDF file declaring a 10^6 x 10^6 variable: a ConfigError, not MemoryError."""
    netCDF4 = pytest.importorskip("netCDF4")
    path = tmp_path / "big.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("a", 10**6)
        nc.createDimension("b", 10**6)
        nc.createVariable("x", "f8", ("a", "b"))
        nc.setncattr("experiment", "macrostates")
    assert path.stat().st_size < 100_000
    with pytest.raises(ConfigError, match=r"^path must be a result that fits in memory, got .* declaring 8e\+03 GB"):
        load(path)
    ok = save(xr.Dataset({"a": (("t",), np.arange(4.0))}), tmp_path / "ok.nc")
    with pytest.raises(ConfigError, match=r"declaring 3\.2e-08 GB of data \(limit 1e-08 GB"):
        load(ok, max_bytes=10)
    # and whatever else is wrong with a file: one line, the same message
    good = save(xr.Dataset({"a": (("t",), np.arange(1000.0))}), tmp_path / "good.nc").read_bytes()
    for i, blob in enumerate([b"", good[: len(good) // 2], good[:8] + b"\x00" * 100, b"CDF\x01" + b"\xff" * 64]):
        p = tmp_path / f"bad{i}.nc"
        p.write_bytes(blob)
        with pytest.raises(ConfigError) as info:
            load(p)
        assert str(info.value).startswith("path must be a netCDF result written by neqlab") and "\n" not in str(info.value)



def test_saves_and_loads_from_several_threads_at_once(tmp_path):
    """HDF5 is not thread-safe (two threads writing at once crashed the essay's process):
    store serialises its netCDF calls, so concurrent saves and loads each get their data."""
    from concurrent.futures import ThreadPoolExecutor

    def one(k):
        ds = xr.Dataset({"x": ("i", np.arange(2000, dtype=np.float64) * k), "f": ("i", np.arange(2000) % 3 == 0)})
        for r in range(6):
            save(ds, tmp_path / f"{k}.nc")
            back = load(tmp_path / f"{k}.nc")
            assert np.array_equal(back["x"].values, ds["x"].values) and back["f"].dtype == bool
        return k

    with ThreadPoolExecutor(4) as ex:
        assert sorted(ex.map(one, range(8))) == list(range(8))
