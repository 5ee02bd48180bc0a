"""Hypothesis checks of every Config field's validation (shared by my experiment tests)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError


def check_all_fields(config_cls) -> None:
    for name, info in config_cls.field_info().items():
        meta, kind = info["meta"], info["kind"]
        base = config_cls()
        if meta.get("choices"):
            for c in meta["choices"]:
                assert getattr(dataclasses.replace(base, **{name: c}), name) == c
            with pytest.raises(ConfigError, match=name):
                dataclasses.replace(base, **{name: "no-such-choice"})
            continue
        lo, hi = meta.get("lo"), meta.get("hi")
        inner = kind.split(":")[-1]
        num = st.integers if inner == "int" else st.floats
        wrap = (lambda v: (v,)) if kind.startswith("tuple") else (lambda v: v)

        @settings(max_examples=15, deadline=None)
        @given(v=num(min_value=lo, max_value=hi) if inner == "int" else num(min_value=lo, max_value=hi, allow_nan=False))
        def inside(v):
            if (meta.get("lo_open") and v == lo) or (meta.get("hi_open") and v == hi):
                return
            try:
                cfg = dataclasses.replace(base, **{name: wrap(v)})
            except ConfigError as exc:  # a cross-field check may still refuse it
                assert name in str(exc)
                return
            assert getattr(cfg, name) == wrap(v)

        inside()
        if hi is not None:
            with pytest.raises(ConfigError, match=name):
                dataclasses.replace(base, **{name: wrap(hi * 2 + 1 if hi >= 0 else hi + 1)})
        if lo is not None:
            with pytest.raises(ConfigError, match=name):
                dataclasses.replace(base, **{name: wrap(lo - 1)})
