"""The crooks experiment: contract, verdict on SMALL, reproducibility across runners, config validation."""

import dataclasses
import functools
import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from neqlab.core.rng import Stream
from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY, crooks
from neqlab.experiments import _crooks_parts as parts
from neqlab.io.store import load, save
from neqlab.models.langevin import LangevinParams
from neqlab.runner import Runner


@pytest.fixture(scope="module")
def small():
    crooks.run(dataclasses.replace(crooks.SMALL, n_trajectories=1000, n_sweep=1000, n_piston=1000,
                                   n_ness=1000, n_particles=(1,), gas_piston_n=(4,),
                                   gas_piston_replicas=20))  # compile
    t0 = time.perf_counter()
    ds = crooks.run(crooks.SMALL, runner=Runner(workers=1, progress=False))
    return ds, time.perf_counter() - t0


def test_registered():
    assert REGISTRY["crooks"].module("run") is crooks  # TRANSITIONAL: a flat module


def test_small_run_contract(small, tmp_path):
    ds, seconds = small
    assert seconds < 10.0
    assert set(ds.direction.values) == {"forward", "reverse"}
    assert ds.work.dims == ("direction", "replica") and ds.heat.shape == ds.work.shape
    for key in ("delta_f_exact", "delta_f_bar", "delta_f_bar_err", "crooks_slope", "crooks_slope_err",
                "delta_f_mbar", "delta_f_exp_forward"):
        assert math.isfinite(ds.attrs[key])
    ds.attrs.update({"experiment": "crooks", "config": crooks.SMALL.to_json()})
    path = save(ds, tmp_path / "crooks.nc")
    back = load(path)
    assert np.array_equal(back.work.values, ds.work.values)
    assert crooks.verdict(back).to_dict() == crooks.verdict(ds).to_dict()
    assert isinstance(crooks.plot(back), Figure)


def test_small_verdict_holds(small):
    ds, _ = small
    v = crooks.verdict(ds)
    assert v.holds is True, v.to_json()
    # the piston's entropy decreases vanish with N (essay): P(w < 0) falls from N = 1 to N = 100
    p = ds.piston_p_negative.values
    assert p[0] > 0.3 and p[-1] < 0.01
    # the steady-state slope approaches 1 from above as the window grows (exact Gaussian values)
    assert np.all(np.diff(ds.ness_slope_exact.values) < 0)


def test_bitwise_same_for_one_and_two_workers_and_chunks():
    cfg = dataclasses.replace(crooks.SMALL, n_trajectories=3000)
    fwd, _, duration = parts.protocol_of(cfg.model, cfg.protocol, cfg.speed)
    task = functools.partial(parts.langevin_task, model=cfg.model, protocol=fwd, duration=duration,
                             params=LangevinParams(dt=cfg.dt), stream=Stream.CROOKS_FORWARD)
    with Runner(workers=1, progress=False) as r1, Runner(workers=2, progress=False) as r2:
        a = r1.ensemble(task, 3000, seed=5)
        b = r2.ensemble(task, 3000, seed=5, chunk_size=333)
    assert np.array_equal(a["work"], b["work"]) and np.array_equal(a["heat"], b["heat"])


def test_bitwise_same_on_dask():
    cfg = crooks.SMALL
    fwd, _, duration = parts.protocol_of(cfg.model, cfg.protocol, cfg.speed)
    task = functools.partial(parts.langevin_task, model=cfg.model, protocol=fwd, duration=duration,
                             params=LangevinParams(dt=cfg.dt), stream=Stream.CROOKS_FORWARD)
    with Runner(workers=1, progress=False) as r1, Runner(backend="dask", workers=2, progress=False) as r2:
        a = r1.ensemble(task, 2000, seed=5)
        b = r2.ensemble(task, 2000, seed=5, chunk_size=300)
    assert np.array_equal(a["work"], b["work"])


def test_scales_are_valid_configs():
    assert set(crooks.SCALES) == {"quick", "default", "full"}
    assert crooks.SCALES["default"].n_trajectories == 1_000_000


FIELDS = crooks.Config.field_info()


def _bad_value(info, data):
    meta = info["meta"]
    if meta["choices"] is not None:
        return data.draw(st.text(max_size=10).filter(lambda s: s not in meta["choices"]))
    lo, hi = meta["lo"], meta["hi"]
    side = data.draw(st.sampled_from(["lo", "hi", "nan"]))
    if side == "nan":
        return float("nan")
    if side == "lo":
        return lo - data.draw(st.integers(1, 10**6)) if not meta["lo_open"] else lo - data.draw(st.integers(0, 10**6))
    return hi + data.draw(st.integers(1, 10**6))


@settings(max_examples=80, deadline=None)
@given(name=st.sampled_from(sorted(FIELDS)), data=st.data())
def test_every_field_rejects_out_of_range(name, data):
    info = FIELDS[name]
    bad = _bad_value(info, data)
    if info["kind"].startswith("tuple"):
        bad = (bad,)
    with pytest.raises(ConfigError, match=name):
        crooks.Config(**{name: bad})


def test_cross_field_checks():
    with pytest.raises(ConfigError, match="ness_windows"):
        crooks.Config(ness_windows=(2.0, 1.0))
    with pytest.raises(ConfigError, match="baoab"):
        crooks.Config(integrator="baoab", dt=0.03)
    assert crooks.Config.from_mapping({"speed": "4", "model": "stiffness_ramp"}).speed == 4.0
