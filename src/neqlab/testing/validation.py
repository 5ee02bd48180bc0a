"""Out-of-range values for every field of a Config, to test validation generically.

>>> from neqlab.experiments.macrostates import Config
>>> bad = dict(out_of_range_values(Config))
>>> bad["n_particles"][:2]
[1, 1000001]
"""

from __future__ import annotations

import dataclasses
from typing import Any

from neqlab.core.config import ConfigBase


def _bad_values(meta: dict, kind: str) -> list[Any]:
    if meta.get("choices") is not None:
        return ["__not_a_choice__", None]
    if kind == "bool":
        return ["maybe", 2]
    if kind == "str":
        return [3]
    lo, hi = meta.get("lo"), meta.get("hi")
    out: list[Any] = []
    if kind == "int":
        if lo is not None:
            out.append(int(lo) if meta.get("lo_open") else int(lo) - 1)
        if hi is not None:
            out.append(int(hi) if meta.get("hi_open") else int(hi) + 1)
        out += [1.5, "3", True]
    else:
        if lo is not None:
            out.append(float(lo) if meta.get("lo_open") else float(lo) - abs(float(lo)) * 0.5 - 1e-3)
        if hi is not None:
            out.append(float(hi) if meta.get("hi_open") else float(hi) + abs(float(hi)) * 0.5 + 1e-3)
        out += [float("nan"), float("inf"), "x"]
    return out


def out_of_range_values(config_cls: type[ConfigBase]) -> list[tuple[str, list[Any]]]:
    """Per field of ``config_cls``: values its validation must reject."""
    info = config_cls.field_info()
    rows = []
    for f in dataclasses.fields(config_cls):
        if not f.metadata:
            continue
        kind = info[f.name]["kind"]
        if kind.startswith("tuple:"):
            rows.append((f.name, [(v,) for v in _bad_values(f.metadata, kind.split(":")[1])] + ["not a list"]))
        else:
            rows.append((f.name, _bad_values(f.metadata, kind)))
    return rows
