"""Every key of every experiment: integer keys take integers of int64 size only, any text
gives a config or one ConfigError line (issue 18: 2, 3, 15 over the real configs)."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY

KEYS = [(name, key, info) for name, mod in REGISTRY.items() for key, info in mod.Config.field_info().items()]
INT_KEYS = [(n, k, i) for n, k, i in KEYS if i["kind"] in ("int", "tuple:int")]
NUM_KEYS = [(n, k, i) for n, k, i in KEYS if i["kind"] in ("int", "float", "tuple:int", "tuple:float")]


def _ids(rows):
    return [f"{n}.{k}" for n, k, _ in rows]


def _valid_text(info) -> str:
    d = info["default"]
    return ", ".join(str(x) for x in d) if isinstance(d, tuple) else str(d)


@pytest.mark.parametrize("name, key, info", INT_KEYS, ids=_ids(INT_KEYS))
def test_integer_keys_refuse_a_valid_value_written_as_a_float(name, key, info):
    cfg = REGISTRY[name].Config
    first = info["default"][0] if isinstance(info["default"], tuple) else info["default"]
    assert cfg.from_mapping({key: _valid_text(info)}) == cfg()  # the default, as digits, is fine
    with pytest.raises(ConfigError, match=rf"^{key} must be .*, got '{first}\.0'.*digits only.*: write {first}\)$"):
        cfg.from_mapping({key: f"{first}.0"})
    with pytest.raises(ConfigError, match=rf"^{key} must be .*, got {first}\.0"):
        cfg.from_mapping({key: float(first) if info["kind"] == "int" else [float(first)]})  # as TOML gives it


@pytest.mark.parametrize("name, key, info", NUM_KEYS, ids=_ids(NUM_KEYS))
def test_huge_integers_get_the_range_error_for_every_numeric_key(name, key, info):
    cfg = REGISTRY[name].Config
    allowed = info["allowed"]
    plural = allowed.replace("an integer", "a list of integers").replace("a number", "a list of numbers")
    expect = plural if info["kind"].startswith("tuple") else allowed
    for typed in ("9" * 400, "9" * 5000):
        with pytest.raises(ConfigError) as exc:
            cfg.from_mapping({key: typed})
        assert str(exc.value).startswith(f"{key} must be {expect}, got '99999"), str(exc.value)
    for value in (10**400, -(10**5000)):
        with pytest.raises(ConfigError) as exc:
            cfg.from_mapping({key: [value] if info["kind"].startswith("tuple") else value})
        assert str(exc.value).startswith(f"{key} must be {expect}, got "), str(exc.value)


TEXT = st.one_of(
    st.text(max_size=20),
    st.integers(-10**25, 10**25).map(str),
    st.floats().map(repr),
    st.from_regex(r"\A-?[0-9]{1,6}(\.0)?(e[0-9])?\Z"),
    st.sampled_from(["-0", "1e400", "nan", "inf", "2.0", "3", "3.0", "true", "exact", "[2, 3]", "1,2,,3",
                     "9" * 400, "2, 3.0", "1e6"]),
)


@settings(max_examples=300, deadline=None)
@given(row=st.sampled_from(KEYS), typed=TEXT)
@example(row=next(r for r in KEYS if r[1] == "dimension"), typed="3.0")
@example(row=next(r for r in KEYS if r[1] == "seed"), typed="9" * 400)
def test_any_text_for_any_key_gives_a_config_or_one_error_line(row, typed):
    """Either a config whose value has the key's type (integers as int64-sized ints, numbers
    finite), or one ConfigError line; never another exception."""
    name, key, info = row
    try:
        cfg = REGISTRY[name].Config.from_mapping({key: typed})
    except ConfigError as exc:  # a cross-field check may name another key; still one line
        assert "\n" not in str(exc) and len(str(exc)) < 600
        return
    value = getattr(cfg, key)
    values = value if info["kind"].startswith("tuple") else (value,)
    for v in values:
        if info["kind"].endswith("int"):
            assert type(v) is int and -(2**63) <= v < 2**63, (key, typed, v)
        elif info["kind"].endswith("float"):
            assert type(v) is float and math.isfinite(v), (key, typed, v)
