"""One contract over every registered experiment (STYLE.md)."""

import dataclasses
import json
import time

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
        assert (back[v].values == ds[v].values).all(), v
    v1, v2 = neqlab.verdict(ds), neqlab.verdict(back)
    assert isinstance(v1, Verdict) and v1.to_dict() == v2.to_dict()
    assert v1.holds in (True, False, None)
    json.dumps(v1.to_dict())
    assert isinstance(neqlab.plot(back), Figure)


def _out_of_range(meta, kind):
    if meta.get("choices") is not None:
        return st.just("__not_a_choice__")
    lo, hi = meta.get("lo"), meta.get("hi")
    cands = []
    if lo is not None:
        cands.append(st.just(lo - 1 if kind == "int" else (lo if meta.get("lo_open") else lo - abs(lo) * 0.5 - 1e-3)))
    if hi is not None:
        cands.append(st.just(hi + 1 if kind == "int" else (hi if meta.get("hi_open") else hi + abs(hi) * 0.5 + 1e-3)))
    if kind == "int":
        cands.append(st.just(1.5))
    if kind == "float":
        cands.append(st.just(float("nan")))
    return st.one_of(*cands) if cands else None


FIELDS = [(n, f) for n in NAMES for f in dataclasses.fields(REGISTRY[n].Config)]


@pytest.mark.parametrize("name, field", FIELDS, ids=[f"{n}.{f.name}" for n, f in FIELDS])
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_every_field_rejects_out_of_range(name, field, data):
    info = REGISTRY[name].Config.field_info()[field.name]
    kind = info["kind"].split(":")[-1]
    strat = _out_of_range(field.metadata, kind)
    if strat is None:
        return  # an unbounded field has no out-of-range value
    bad = data.draw(strat)
    value = (bad,) if info["kind"].startswith("tuple") else bad
    with pytest.raises(ConfigError, match=rf"^{field.name} must be"):
        dataclasses.replace(REGISTRY[name].SMALL, **{field.name: value})


@pytest.mark.parametrize("name", NAMES)
def test_api_run_by_name_matches_contract(name):
    assert callable(neqlab.run) and name in neqlab.REGISTRY
