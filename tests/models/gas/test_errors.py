"""Blow-ups become one-line SimulationErrors with a remedy; bad input is a ConfigError."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError, SimulationError
from neqlab.models.gas import PRECISIONS, Params, State, advance, lattice_gas, params_for, to_lattice


def test_overlap_says_reduce_dt():
    x = np.array([[5.0, 5.0], [5.3, 5.0], [1.0, 1.0]])
    s = State(x, np.zeros_like(x), [10.0, 10.0], True)
    with pytest.raises(SimulationError, match="overlap.*reduce dt") as e:
        advance(s, Params(), 1)
    assert "\n" not in str(e.value)


def test_huge_dt_blows_up_with_a_remedy_not_a_hang():
    s = lattice_gas(400, 0.9, 50.0, 2, seed=1)
    with pytest.raises(SimulationError, match="reduce dt"):
        advance(s, Params(dt=0.05), 2000)


def test_nan_is_reported():
    s = lattice_gas(50, 0.5, 1.0, 2, seed=1)
    s.velocities[3, 0] = np.nan
    with pytest.raises(SimulationError, match="NaN"):
        advance(s, Params(), 10)


def test_escape_through_a_wall_is_reported():
    s = lattice_gas(50, 0.5, 1.0, 2, seed=1, periodic=False)
    s.positions[0, 0] = -3.0
    with pytest.raises(SimulationError, match="left the box"):
        advance(s, Params(), 1)


def test_fixed_point_overlap_and_state_mismatch():
    x = np.array([[5.0, 5.0], [5.2, 5.0], [1.0, 1.0]])
    p = Params(integrator="fixed_point")
    with pytest.raises(SimulationError, match="reduce dt"):
        to_lattice(State(x, np.zeros_like(x), [10.0, 10.0], True), p)
    s = to_lattice(lattice_gas(20, 0.3, 1.0, 2), p)
    with pytest.raises(ConfigError, match="lattice_bits and dt"):
        advance(s, dataclasses.replace(p, dt=0.001), 1)
    with pytest.raises(ConfigError, match="integrator must be 'verlet'"):
        advance(lattice_gas(20, 0.3, 1.0, 2), p, 1)


def test_small_periodic_box_rejected():
    x = np.array([[0.5, 0.5], [1.5, 1.5]])
    with pytest.raises(ConfigError, match=r"box\[0\] must be >= 2 \(r_cut \+ skin\)"):
        advance(State(x, np.zeros_like(x), [2.0, 8.0], True), Params(), 1)


def test_negative_steps_rejected():
    with pytest.raises(ConfigError, match="n_steps"):
        advance(lattice_gas(20, 0.3, 1.0, 2), Params(), -1)


FIELDS = {
    "dt": (0.0, 0.05), "r_cut": (1.0, 5.0), "skin": (0.05, 2.0),
    "lattice_bits": (8, 44), "threads": (0, 256),
}


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(FIELDS)), value=st.floats(-100, 100, allow_nan=False))
def test_params_numeric_fields_validated(name, value):
    lo, hi = FIELDS[name]
    if isinstance(lo, int):
        value = int(value)
    ok = (lo < value <= hi) if name == "dt" else (lo <= value <= hi)
    if ok:
        assert getattr(Params(**{name: value}), name) == value
    else:
        with pytest.raises(ConfigError, match=name):
            Params(**{name: value})


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(["potential", "integrator", "precision"]), value=st.text(max_size=8))
def test_params_choice_fields_validated(name, value):
    allowed = {"potential": ("wca", "lj"), "integrator": ("verlet", "fixed_point"),
               "precision": ("f64", "f32")}[name]
    if value in allowed:
        assert getattr(Params(**{name: value}), name) == value
    else:
        with pytest.raises(ConfigError, match=f"{name} must be one of"):
            Params(**{name: value})


@pytest.mark.parametrize("precision, integrator, dtype", [("f64", "verlet", np.float64), ("f32", "verlet", np.float32),
                                                          ("exact", "fixed_point", np.float64)])
def test_params_for_maps_the_precision_vocabulary(precision, integrator, dtype):
    p = params_for(precision, dt=0.001, skin=0.4)
    assert (p.integrator, p.dtype, p.dt, p.skin) == (integrator, np.dtype(dtype), 0.001, 0.4)


@settings(max_examples=30, deadline=None)
@given(value=st.text(max_size=8))
def test_params_for_rejects_unknown_precision(value):
    if value in PRECISIONS:
        assert params_for(value).integrator in ("verlet", "fixed_point")
    else:
        with pytest.raises(ConfigError, match="precision must be one of f32, f64, exact"):
            params_for(value)


def test_params_for_rejects_conflicting_and_unknown_keys():
    with pytest.raises(ConfigError, match="integrator is set by the precision"):
        params_for("f64", integrator="fixed_point")
    with pytest.raises(ConfigError, match="unknown Params key 'dtt'; valid keys: dt,"):
        params_for("f64", dtt=0.1)


def test_state_astype_speaks_the_same_vocabulary():
    s = lattice_gas(16, 0.5, 1.0, 2, seed=0)
    assert s.astype("f32").dtype == np.float32 and s.astype("f32").astype("f64").dtype == np.float64
    with pytest.raises(ConfigError, match="precision must be one of f64, f32, got 'float32'"):
        s.astype("float32")
