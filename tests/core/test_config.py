from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError


@dataclass(frozen=True)
class Demo(ConfigBase):
    n: int = param(10, lo=2, hi=100, doc="count")
    x: float = param(1.0, lo=0.0, lo_open=True, unit="length")
    mode: str = param("a", choices=("a", "b"))
    flags: tuple[float, ...] = param((1.0, 2.0), lo=0.0)
    on: bool = param(False)


def test_defaults_valid():
    assert Demo().n == 10


@given(st.integers().filter(lambda v: not 2 <= v <= 100))
def test_int_out_of_range_names_field_and_range(v):
    with pytest.raises(ConfigError, match=r"^n must be an integer in \[2, 100\], got"):
        Demo(n=v)


@given(st.floats(max_value=0.0) | st.just(float("nan")) | st.just(float("inf")))
def test_float_out_of_range(v):
    with pytest.raises(ConfigError, match=r"^x must be a number in \(0\.0, inf\)"):
        Demo(x=v)


def test_choice_and_bool_and_tuple():
    with pytest.raises(ConfigError, match="mode must be one of 'a', 'b', got 'c'"):
        Demo(mode="c")
    with pytest.raises(ConfigError, match="on must be true or false"):
        Demo(on="yes")
    with pytest.raises(ConfigError, match="flags"):
        Demo(flags=(1.0, -1.0))
    assert Demo.from_mapping({"flags": "3, 4.5"}).flags == (3.0, 4.5)


def test_from_mapping_parses_and_rejects_unknown():
    c = Demo.from_mapping({"n": "12", "x": "0.5", "on": "true", "mode": "b"})
    assert (c.n, c.x, c.on, c.mode) == (12, 0.5, True, "b")
    with pytest.raises(ConfigError, match="unknown key 'nn'.*valid keys: n, x, mode, flags, on"):
        Demo.from_mapping({"nn": 1})
    with pytest.raises(ConfigError, match="n must be an integer in \\[2, 100\\], got 'ten'"):
        Demo.from_mapping({"n": "ten"})


def test_json_round_trip():
    c = Demo(n=3, flags=(0.5,))
    assert Demo.from_json(c.to_json()) == c
