"""One contract over every registered experiment (STYLE.md)."""

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import neqlab
from neqlab.core.config import ConfigBase
from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY
from neqlab.experiments._base import Verdict
from neqlab.experiments.api import run_config
from neqlab.plotting import layout_problems
from neqlab.runner import Runner
from neqlab.testing.validation import out_of_range_values

NAMES = list(REGISTRY)



@pytest.fixture(scope="module")
def small():
    """Each experiment's SMALL result, run once for the module (workers = 1)."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = run_config(name, REGISTRY[name].SMALL, runner=Runner(workers=1, progress=False))
        return cache[name]

    return get


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
def test_no_scale_means_the_default_scale(name):
    assert REGISTRY[name].SCALES["default"] == REGISTRY[name].Config()


@pytest.mark.parametrize("name", NAMES)
def test_config_module_is_light(name):
    """`neqlab list` and a rejected bad input read config.py alone: no NumPy, xarray, matplotlib."""
    code = (f"import sys; import neqlab.experiments.{name}.config as c; "
            "heavy = [m for m in ('numpy', 'xarray', 'matplotlib', 'scipy', 'numba') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"{name}.config imports {out}"


@pytest.mark.parametrize("name", NAMES)
def test_small_run_save_load_verdict_plot(name, small, tmp_path):
    mod = REGISTRY[name]
    ds = small(name)
    assert isinstance(ds, xr.Dataset) and ds.data_vars
    for attr in ("experiment", "config", "seed", "neqlab_version", "created"):
        assert attr in ds.attrs
    assert json.loads(ds.attrs["config"]) == mod.SMALL.to_dict()
    path = neqlab.save(ds, tmp_path / f"{name}.nc")
    back = neqlab.load(path)
    for v in ds.data_vars:
        np.testing.assert_array_equal(back[v].values, ds[v].values, err_msg=v)  # NaN == NaN here
    v1, v2 = neqlab.verdict(ds), neqlab.verdict(back)
    assert v1.to_dict() == v2.to_dict()
    assert v1.holds in (True, False, None)
    json.dumps(v1.to_dict())
    assert isinstance(neqlab.plot(back), Figure)


@pytest.mark.parametrize("name", NAMES)
def test_small_dataset_matches_its_schema(name, small, tmp_path):
    ds = small(name)
    schema = REGISTRY[name].schema_of(ds)
    assert schema.problems(ds) == []
    for v in list(ds.coords) + list(ds.data_vars):
        assert ds[v].attrs.get("units") and ds[v].attrs.get("long_name"), v
    # the check runs on a lazily opened file (metadata only) as well
    neqlab.save(ds, tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc") as lazy:
        assert schema.problems(lazy) == []


@pytest.mark.parametrize("name", NAMES)
def test_verdict_records_in_both_languages(name, small):
    ds = small(name)
    en, ja = neqlab.verdict(ds, lang="en"), neqlab.verdict(ds, lang="ja")
    assert isinstance(en, Verdict) and en.lang == "en" and ja.lang == "ja"
    assert en.holds == ja.holds
    assert [c.name for c in en.checks] == [c.name for c in ja.checks]
    assert [(c.measured, c.passed) for c in en.checks] == [(c.measured, c.passed) for c in ja.checks]
    assert len({c.name for c in en.checks}) == len(en.checks), "check names must be unique"
    for v in (en, ja):
        assert v.checks and v.narrative and v.conditions
        text = " ".join([v.claim, v.conditions, *v.narrative] + [c.label for c in v.checks])
        assert "nan" not in text.lower().split() and "None" not in text
        for c in v.checks:
            assert c.measured is not None or c.note, f"{name}: check {c.name} has no value and no reason"
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in ja.claim)
    out = json.loads(en.to_json())
    assert set(out) >= {"experiment", "claim", "holds", "conditions", "checks", "subclaims"}
    assert set(out["checks"][0]) >= {"name", "label", "measured", "error", "bound", "unit", "passed"}


@pytest.mark.parametrize("name", NAMES)
def test_small_figure_is_readable(name, small):
    """No overlapping tick labels, no legend over data or ticks (see neqlab.plotting.layout)."""
    assert layout_problems(neqlab.plot(small(name))) == []


FIELDS = [(n, f, bad) for n in NAMES for f, bad in out_of_range_values(REGISTRY[n].Config)]


@pytest.mark.parametrize("name, field, bad", FIELDS, ids=[f"{n}.{f}" for n, f, _ in FIELDS])
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_field_rejects_out_of_range(name, field, bad, data):
    value = data.draw(st.sampled_from(bad))
    with pytest.raises(ConfigError, match=rf"^{field} must be"):
        dataclasses.replace(REGISTRY[name].SMALL, **{field: value})


@pytest.mark.parametrize("name", NAMES)
def test_small_bitwise_same_for_1_and_2_workers(name, small):
    """Determinism: the same config and seed give the same bits whatever the worker count."""
    mod = REGISTRY[name]
    one = small(name)
    two = run_config(name, mod.SMALL, runner=Runner(workers=2, progress=False))
    assert set(one.data_vars) == set(two.data_vars)
    for v in one.data_vars:
        np.testing.assert_array_equal(one[v].values, two[v].values, err_msg=v)
