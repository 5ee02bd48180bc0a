"""The relaxation experiment: analysis helpers on exact inputs, SMALL run, config checks."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY
from neqlab.experiments import relaxation as R
from neqlab.experiments._relaxation_analysis import fit_exponent, pooled_rel_sd, relaxation_time
from neqlab.experiments.api import run_config
from neqlab.runner import Runner


def test_registered():
    assert REGISTRY["relaxation"].module("run") is R  # TRANSITIONAL: a flat module


def test_fit_exponent_exact_power_law():
    n = np.array([100, 400, 1600, 6400])
    y = 0.7 * n**-0.5
    b, err, a, chi2 = fit_exponent(n, y, 0.01 * y)
    assert b == pytest.approx(-0.5, abs=1e-12) and a == pytest.approx(math.log(0.7))
    assert err == pytest.approx(0.01 / np.std(np.log(n)) / 2, rel=1e-9)  # sd(slope) = s/(sqrt(n) sd(x))


def test_relaxation_time_of_an_exponential():
    t = np.linspace(0, 50, 5001)
    assert relaxation_time(t, 3.0 - 2.0 * np.exp(-t / 4.0)) == pytest.approx(4.0, abs=0.02)


def test_pooled_rel_sd_of_normal_samples():
    rng = np.random.default_rng(1)
    x = rng.normal(10.0, 1.0, size=(40, 50))
    rel, err = pooled_rel_sd(x)
    # sd of a sample sd from 2000 normal values: 1/sqrt(2 * 1999) relative: |z| < 4 with the jackknife
    assert abs(rel - 0.1) < 4 * max(err, 0.1 / math.sqrt(2 * 1999))
    assert 0.5 * 0.1 / math.sqrt(2 * 1999) < err < 2.0 * 0.1 / math.sqrt(2 * 1999)


def test_small_run_relaxes_and_is_reproducible():
    ds = run_config("relaxation", R.SMALL, runner=Runner(workers=2, progress=False))
    ex = ds.sel(process="expansion")
    s = ex["spatial_entropy"].values
    assert s[-1] > s[0] + 0.3  # left half -> whole box: about ln 2 for n_cells even
    assert ex["left_fraction"].values[0] == 1.0 and ex["left_fraction"].values[-1] < 0.7
    co = ds.sel(process="contact")
    assert co["kT_left"].values[0] == pytest.approx(R.SMALL.kT_hot)
    assert co["kT_right"].values[0] == pytest.approx(R.SMALL.kT_cold)
    assert abs(co["kT_left"].values[-1] - co["kT_right"].values[-1]) < 0.5 * (R.SMALL.kT_hot - R.SMALL.kT_cold)
    # total energy conserved during the isolated runs: Verlet error O(dt^2), measured
    # 1.0e-3 per particle at dt = 0.002 with kT_hot = 3 (4.0e-3 at 0.004, 2.3e-4 at 0.001)
    e = ds["kinetic_energy"].values + ds["potential_energy"].values
    assert np.abs(e - e[:, :1]).max() / R.SMALL.n_particles < 2e-3
    again = run_config("relaxation", R.SMALL, runner=Runner(workers=1, progress=False))
    for v in ds.data_vars:
        assert np.array_equal(ds[v].values, again[v].values, equal_nan=True), v
    v = R.verdict(ds)
    assert v.holds in (True, False, None) and "exponent_pressure" in v.measured


def test_snapshots_and_sweep_shapes():
    ds = run_config("relaxation", R.SMALL, runner=Runner(workers=1, progress=False))
    assert ds["snapshot_positions"].shape == (2, len(R.snapshot_frames(R.SMALL.n_frames)), R.SMALL.n_particles, 2)
    assert ds["rel_sd"].shape == (3, len(R.SMALL.sweep_sizes))
    assert np.all(ds["rel_sd"].values > 0) and np.all(np.isfinite(ds["rel_sd_err"].values))


FIELDS = {f.name: f for f in dataclasses.fields(R.Config)}


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(n for n in FIELDS if n not in ("dimension", "sweep_sizes"))),
       scale=st.floats(-3, 3))
def test_numeric_fields_validated(name, scale):
    meta = FIELDS[name].metadata
    lo, hi = meta["lo"], meta["hi"]
    value = lo + (hi - lo) * scale  # scale outside [0, 1]: out of range
    if FIELDS[name].type in ("int", int):
        value = int(round(value))
    inside = lo <= value <= hi
    if inside:
        assert getattr(R.Config(**{name: value}), name) == value
    else:
        with pytest.raises(ConfigError, match=name):
            R.Config(**{name: value})


def test_choice_and_tuple_fields_validated():
    with pytest.raises(ConfigError, match="dimension must be one of"):
        R.Config(dimension=4)
    with pytest.raises(ConfigError, match="sweep_sizes"):
        R.Config(sweep_sizes=(10, 100))
    assert R.Config.from_mapping({"sweep_sizes": "100,200,400"}).sweep_sizes == (100, 200, 400)


def test_save_load_verdict_plot_roundtrip(tmp_path):
    from matplotlib.figure import Figure

    from neqlab.io.store import load, save

    ds = run_config("relaxation", R.SMALL, runner=Runner(workers=1, progress=False))
    back = load(save(ds, tmp_path / "relaxation.nc"))
    for v in ds.data_vars:
        np.testing.assert_array_equal(back[v].values, ds[v].values, err_msg=v)
    assert R.verdict(back).to_dict() == R.verdict(ds).to_dict()
    assert isinstance(R.plot(back), Figure)
