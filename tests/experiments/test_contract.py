"""One contract over every registered experiment (STYLE.md)."""

import dataclasses
import json
import time

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import neqlab
from neqlab.core.config import ConfigBase
from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY, Verdict
from neqlab.experiments.api import run_config
from neqlab.runner import Runner
from neqlab.testing.validation import out_of_range_values

NAMES = list(REGISTRY)


@pytest.mark.parametrize("name", NAMES)
def test_module_shape(name):
    mod = REGISTRY[name]
    assert mod.NAME == name
    assert mod.SECTION.startswith("§") and len(mod.CLAIM) > 20
    assert issubclass(mod.Config, ConfigBase) and "seed" in mod.Config.keys()
    assert isinstance(mod.SMALL, mod.Config)
    assert set(mod.SCALES) == {"quick", "default", "full"}
    assert all(isinstance(c, mod.Config) for c in mod.SCALES.values())


@pytest.mark.parametrize("name", NAMES)
def test_small_run_save_load_verdict_plot(name, tmp_path):
    mod = REGISTRY[name]
    run_config(name, mod.SMALL, runner=Runner(workers=1, progress=False))  # compile (cached)
    t0 = time.perf_counter()
    ds = run_config(name, mod.SMALL, runner=Runner(workers=1, progress=False))
    assert time.perf_counter() - t0 < 10.0, "SMALL must run in under 10 s"
    assert isinstance(ds, xr.Dataset) and ds.data_vars
    for attr in ("experiment", "config", "seed", "neqlab_version", "created"):
        assert attr in ds.attrs
    assert json.loads(ds.attrs["config"]) == mod.SMALL.to_dict()
    path = neqlab.save(ds, tmp_path / f"{name}.nc")
    back = neqlab.load(path)
    for v in ds.data_vars:
        np.testing.assert_array_equal(back[v].values, ds[v].values, err_msg=v)  # NaN == NaN here
    v1, v2 = neqlab.verdict(ds), neqlab.verdict(back)
    assert isinstance(v1, Verdict) and v1.to_dict() == v2.to_dict()
    assert v1.holds in (True, False, None)
    json.dumps(v1.to_dict())
    assert isinstance(neqlab.plot(back), Figure)


FIELDS = [(n, f, bad) for n in NAMES for f, bad in out_of_range_values(REGISTRY[n].Config)]


@pytest.mark.parametrize("name, field, bad", FIELDS, ids=[f"{n}.{f}" for n, f, _ in FIELDS])
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_field_rejects_out_of_range(name, field, bad, data):
    value = data.draw(st.sampled_from(bad))
    with pytest.raises(ConfigError, match=rf"^{field} must be"):
        dataclasses.replace(REGISTRY[name].SMALL, **{field: value})


@pytest.mark.parametrize("name", NAMES)
def test_api_run_by_name_matches_contract(name):
    assert callable(neqlab.run) and name in neqlab.REGISTRY


@pytest.mark.parametrize("name", NAMES)
def test_small_bitwise_same_for_1_and_2_workers(name):
    """Determinism: the same config and seed give the same bits whatever the worker count."""
    mod = REGISTRY[name]
    one = run_config(name, mod.SMALL, runner=Runner(workers=1, progress=False))
    two = run_config(name, mod.SMALL, runner=Runner(workers=2, progress=False))
    assert set(one.data_vars) == set(two.data_vars)
    for v in one.data_vars:
        np.testing.assert_array_equal(one[v].values, two[v].values, err_msg=v)
