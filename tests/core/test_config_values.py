"""Value parsing and validation of config keys, over every kind of field (issue 18: 2, 3, 15).

Invariants checked for any input: the result is a valid value of the field's kind, or a
ConfigError whose message is one line, names the key and its allowed values, and echoes
the value as the user gave it (the text typed, not the converted number). Never an
OverflowError, TypeError or ValueError of another kind.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from neqlab.core.config import ConfigBase, param, range_text, shown
from neqlab.core.errors import ConfigError


@dataclass(frozen=True)
class Kinds(ConfigBase):
    """One field of every kind the configs of neqlab use."""

    experiment = "kinds"
    n: int = param(10, lo=2, hi=100, doc="an integer key")
    dimension: int = param(2, choices=(2, 3), doc="an integer choice key")
    x: float = param(1.0, lo=0.0, lo_open=True, hi=50.0, unit="length", doc="a number key, open below")
    mode: str = param("a", choices=("a", "b"), doc="a string choice key")
    on: bool = param(False, doc="a boolean key")
    sizes: tuple[int, ...] = param((10, 20), lo=2, hi=100, doc="integer elements")
    widths: tuple[float, ...] = param((1.0,), lo=0.0, hi=10.0, doc="number elements")
    seed: int = param(0, lo=0, hi=2**63 - 1, doc="random seed")


FIELDS = Kinds.field_info()
INT_KEYS = ["n", "dimension", "seed"]
HUGE = [10**400 - 1, 10**5000, -(10**400)]
HUGE_IDS = ["400 nines", "10^5000", "-10^400"]


def _one_line_error(exc: ConfigError, key: str) -> str:
    msg = str(exc)
    assert "\n" not in msg and "\r" not in msg
    assert msg.startswith(f"{key} must be "), msg
    assert len(msg) < 400, msg  # whatever was given, the echo is shortened
    return msg


# -- items 2 and 3: integer keys take integers, of any size, and nothing else -----------------
@pytest.mark.parametrize("key", INT_KEYS)
@pytest.mark.parametrize("typed", ["2.0", "3.0", "1e6", "2e0", "+2.", "1E3"])
def test_integer_keys_refuse_float_text_saying_why(key, typed):
    with pytest.raises(ConfigError) as info:
        Kinds.from_mapping({key: typed})
    msg = _one_line_error(info.value, key)
    allowed = range_text(FIELDS[key]["meta"], "int")
    assert msg.startswith(f"{key} must be {allowed}, got {typed!r} (an integer key takes digits only")


@pytest.mark.parametrize("key", INT_KEYS)
@given(v=st.floats(allow_nan=True, allow_infinity=True))
@example(v=2.0)
@example(v=3.0)
@example(v=10.0)
def test_integer_keys_refuse_every_float_value(key, v):
    """A float from TOML, JSON or Python (2.0 included) is not an integer key's value."""
    for value in (v, np.float64(v)):
        with pytest.raises(ConfigError) as info:
            Kinds(**{key: value})
        _one_line_error(info.value, key)
        with pytest.raises(ConfigError):
            Kinds.from_mapping({key: value})


def test_integer_choice_key_takes_its_choices_as_integers():
    assert Kinds.from_mapping({"dimension": "3"}).dimension == 3
    assert Kinds(dimension=np.int64(2)).dimension == 2 and type(Kinds(dimension=np.int64(2)).dimension) is int
    for bad in (2.0, True, "2", 4):
        with pytest.raises(ConfigError, match=r"^dimension must be one of 2, 3, got "):
            Kinds(dimension=bad)


@pytest.mark.parametrize("key, allowed", [
    ("n", "an integer in [2, 100]"),
    ("seed", "an integer in [0, 9223372036854775807]"),
    ("dimension", "one of 2, 3"),
    ("x", "a number in (0.0, 50.0]"),
])
@pytest.mark.parametrize("huge", HUGE, ids=HUGE_IDS)
def test_huge_integers_get_the_range_error(key, allowed, huge):
    with pytest.raises(ConfigError) as info:  # as Python/TOML/JSON values
        Kinds(**{key: huge})
    assert _one_line_error(info.value, key).startswith(f"{key} must be {allowed}, got ")
    if huge > 0:
        text = str(huge) if huge < 10**4000 else "9" * 5000  # str() refuses > 4300 digits
        with pytest.raises(ConfigError) as info:  # as typed on the command line
            Kinds.from_mapping({key: text})
        msg = _one_line_error(info.value, key)
        assert msg.startswith(f"{key} must be {allowed}, got {text[:24]!r}"[:-1]) and f"({len(text)} characters)" in msg


@pytest.mark.parametrize("huge", HUGE, ids=HUGE_IDS)
def test_huge_tuple_elements_get_the_element_range(huge):
    with pytest.raises(ConfigError, match=r"^sizes must be a list of integers in \[2, 100\], got .* at position 2$"):
        Kinds(sizes=(10, huge))
    with pytest.raises(ConfigError, match=r"^widths must be a list of numbers in \[0\.0, 10\.0\], got .* at position 1$"):
        Kinds(widths=[huge])
    with pytest.raises(ConfigError, match=r"^sizes must be a list of integers in \[2, 100\], got '9999.* at position 3$"):
        Kinds.from_mapping({"sizes": "10, 20, " + "9" * 400})


@given(v=st.integers() | st.integers(10**300, 10**400))
@example(v=10**400)
@example(v=-(10**309))
def test_any_integer_is_accepted_or_gets_the_range_error(v):
    for key in ("n", "seed", "dimension"):
        try:
            got = Kinds(**{key: v}).__getattribute__(key)
        except ConfigError as exc:
            _one_line_error(exc, key)
        else:
            assert got == v and type(got) is int
    try:
        Kinds(x=v)
    except ConfigError as exc:
        _one_line_error(exc, "x")


# -- item 15: errors echo the text typed, tuple errors give the element's range ----------------
@pytest.mark.parametrize("key, typed", [
    ("n", "-0"), ("n", "0"), ("n", "+101"), ("x", "-0"), ("x", "1e400"), ("x", "-1e400"),
    ("x", "nan"), ("x", "0.0"), ("seed", "-0001"), ("n", "1_000"),
])
def test_errors_echo_the_text_as_typed(key, typed):
    with pytest.raises(ConfigError) as info:
        Kinds.from_mapping({key: typed})
    assert _one_line_error(info.value, key).endswith(f", got {typed!r}")


@pytest.mark.parametrize("typed, position, shown_part", [
    ("10, nan", 2, "'nan'"), ("10; 1", 2, "'1'"), ("[10, 20, 2.0]", 3, "'2.0'"),
    ("101", 1, "'101'"), ("10, -0", 2, "'-0'"), ("10, ten", 2, "'ten'"),
])
def test_tuple_element_errors_give_the_element_range_and_position(typed, position, shown_part):
    with pytest.raises(ConfigError) as info:
        Kinds.from_mapping({"sizes": typed})
    msg = _one_line_error(info.value, "sizes")
    assert msg.startswith(f"sizes must be a list of integers in [2, 100], got {shown_part} at position {position}")


def test_tuple_text_shapes():
    assert Kinds.from_mapping({"sizes": "[3, 4]"}).sizes == (3, 4)
    assert Kinds.from_mapping({"widths": "0.5;1e-3"}).widths == (0.5, 1e-3)
    for typed in ("", "[]", "1,,2", ","):
        with pytest.raises(ConfigError, match=r"^widths must be a list of numbers in \[0\.0, 10\.0\], separated"):
            Kinds.from_mapping({"widths": typed})
    with pytest.raises(ConfigError, match=r"^widths must be a non-empty list"):
        Kinds(widths=())
    with pytest.raises(ConfigError, match=r"^widths must be a list of numbers"):
        Kinds(widths={"a": 1.0})


# -- hypothesis over every kind: any text, any JSON-like value ---------------------------------
NUMBERISH = st.one_of(
    st.text(max_size=30),
    st.integers().map(str),
    st.floats().map(repr),
    st.from_regex(r"\A[+-]?[0-9_]{0,30}(\.[0-9]*)?([eE][+-]?[0-9]{1,4})?\Z"),
    st.integers(300, 6000).map(lambda k: "9" * k),
    st.lists(st.integers(-10**30, 10**30).map(str) | st.floats().map(repr), max_size=5).map(", ".join),
)


def _echoed(msg: str, typed: str) -> bool:
    """The error quotes the text typed (or one element of it), shortened as shown() does."""
    parts = [typed] + [p.strip() for p in typed.strip().strip("[]() ").replace(";", ",").split(",")]
    return any(shown(p) in msg for p in parts) or shown(typed.strip()) in msg


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(FIELDS)), typed=NUMBERISH)
def test_any_text_gives_a_valid_value_or_a_one_line_error_echoing_it(key, typed):
    try:
        cfg = Kinds.from_mapping({key: typed})
    except ConfigError as exc:
        msg = _one_line_error(exc, key)
        assert _echoed(msg, typed), (msg, typed)
        return
    value = getattr(cfg, key)
    kind = FIELDS[key]["kind"]
    if kind == "int":
        assert type(value) is int and re.fullmatch(r"\s*[+-]?[0-9_]+\s*", typed)
    elif kind == "float":
        assert type(value) is float and math.isfinite(value)
    elif kind.startswith("tuple"):
        inner = int if kind.endswith("int") else float
        assert value and all(type(v) is inner for v in value)
    assert Kinds.from_json(cfg.to_json()) == cfg


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(10**20, 10**500) | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(FIELDS)), value=JSONISH)
def test_any_json_value_gives_a_valid_value_or_a_one_line_error(key, value):
    """What TOML, JSON (the web page) or Python hand over: never another exception."""
    try:
        Kinds.from_mapping({key: value})
    except ConfigError as exc:
        _one_line_error(exc, key)


@pytest.mark.parametrize("values", [None, 5, "n=3", [["n", 3]], 2.5])
def test_a_config_that_is_not_a_mapping_is_refused(values):
    with pytest.raises(ConfigError, match=r"^config of kinds must be a mapping of keys to values, got "):
        Kinds.from_mapping(values)


def test_unknown_key_is_shortened_and_lists_the_valid_keys():
    with pytest.raises(ConfigError) as info:
        Kinds.from_mapping({"k" * 10_000: 1})
    msg = str(info.value)
    assert len(msg) < 300 and msg.endswith("valid keys: " + ", ".join(f.name for f in dataclasses.fields(Kinds)))


@pytest.mark.parametrize("text", ["{", "[" * 100_000, "null", "3", "\x00"])
def test_from_json_refuses_malformed_text_in_one_line(text):
    with pytest.raises(ConfigError) as info:
        Kinds.from_json(text)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(("config of kinds must be", "n must be"))
    assert json.dumps(msg)  # printable as it is


def test_shown_never_converts_a_huge_integer_to_text():
    assert shown(10**5000) == "100000000000...0000 (5001 digits)"
    assert shown(-(10**40) - 7) == "-100000000000...0007 (41 digits)"
    assert shown(12345) == "12345" and shown("-0") == "'-0'" and shown(float("inf")) == "inf"
    assert shown([10**5000] * 100).startswith("[100000000000...0000 (5001 digits), ") and len(shown([1] * 100)) < 60
