"""Validated, frozen configuration dataclasses.

A config is a frozen dataclass whose fields are declared with :func:`param`, which
records the allowed range (or choices) and the unit. :class:`ConfigBase` checks every
field at construction, so a bad value raises :class:`ConfigError` before any kernel
runs, and :meth:`ConfigBase.from_mapping` turns strings from the command line or a
TOML file into typed values, rejecting unknown keys with the list of valid ones.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Demo(ConfigBase):
...     n_particles: int = param(100, lo=2, hi=1000, doc="number of particles")
...     kT: float = param(1.0, lo=0.0, lo_open=True, unit="energy")
>>> Demo(n_particles=1)
Traceback (most recent call last):
...
neqlab.core.errors.ConfigError: n_particles must be an integer in [2, 1000], got 1
>>> Demo.from_mapping({"kT": "2.5"}).kT
2.5
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

from neqlab.core.errors import ConfigError

_MISSING = object()


def param(
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    choices: tuple | None = None,
    unit: str = "",
    doc: str = "",
) -> Any:
    """Declare a config field with its allowed range or choices and its unit.

    ``lo``/``hi`` bound numbers (closed unless ``lo_open``/``hi_open``); ``choices``
    restricts to a fixed set. The type is taken from the field annotation
    (``int``, ``float``, ``str``, ``bool``, or ``tuple`` of numbers).
    """
    meta = {
        "lo": lo,
        "hi": hi,
        "lo_open": lo_open,
        "hi_open": hi_open,
        "choices": choices,
        "unit": unit,
        "doc": doc,
    }
    if isinstance(default, list):
        default = tuple(default)
    return dataclasses.field(default=default, metadata=meta)


def _fmt(x: float) -> str:
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, numbers.Integral):
        return str(int(x))
    return repr(float(x)) if abs(x) < 1e6 else f"{float(x):g}"


def range_text(meta: Mapping[str, Any], kind: str) -> str:
    """Human text for the allowed values of a field, e.g. ``an integer in [2, 1000]``."""
    if meta.get("choices") is not None:
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    lo, hi = meta.get("lo"), meta.get("hi")
    noun = {"int": "an integer", "float": "a number", "bool": "true or false"}.get(kind, kind)
    if lo is None and hi is None:
        return noun
    left = "(" if meta.get("lo_open") else "["
    right = ")" if meta.get("hi_open") else "]"
    lo_s = "-inf" if lo is None else _fmt(lo)
    hi_s = "inf" if hi is None else _fmt(hi)
    if lo is None:
        left = "("
    if hi is None:
        right = ")"
    return f"{noun} in {left}{lo_s}, {hi_s}{right}"


def _kind(field: dataclasses.Field) -> str:
    ann = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", str(field.type))
    ann = ann.replace(" ", "")
    if ann in ("int", "float", "str", "bool"):
        return ann
    if ann.startswith("tuple"):
        inner = ann[ann.find("[") + 1 : ann.rfind("]")].split(",")[0] if "[" in ann else "float"
        return "tuple:" + inner
    return "any"


def _in_range(x: float, meta: Mapping[str, Any]) -> bool:
    lo, hi = meta.get("lo"), meta.get("hi")
    if not math.isfinite(x):
        return False
    if lo is not None and (x <= lo if meta.get("lo_open") else x < lo):
        return False
    if hi is not None and (x >= hi if meta.get("hi_open") else x > hi):
        return False
    return True


def check_value(name: str, value: Any, kind: str, meta: Mapping[str, Any]) -> Any:
    """Check one value against its declaration; return it normalised or raise ConfigError."""
    allowed = range_text(meta, kind.split(":")[0] if not kind.startswith("tuple") else "a list")
    if kind.startswith("tuple:"):
        inner = kind.split(":", 1)[1]
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise ConfigError(f"{name} must be a list of {inner} values, got {value!r}")
        items = tuple(value)
        if len(items) == 0:
            raise ConfigError(f"{name} must be a non-empty list, got {value!r}")
        out = []
        for item in items:
            sub = dict(meta)
            try:
                out.append(check_value(name, item, inner, sub))
            except ConfigError:
                raise ConfigError(
                    f"{name} must be a list of {range_text(meta, inner)} values, got {value!r}"
                ) from None
        return tuple(out)
    if meta.get("choices") is not None:
        if value not in meta["choices"]:
            raise ConfigError(f"{name} must be {allowed}, got {value!r}")
        return value
    if kind == "bool":
        if not isinstance(value, (bool,)) and not (isinstance(value, numbers.Integral) and value in (0, 1)):
            raise ConfigError(f"{name} must be true or false, got {value!r}")
        return bool(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            if isinstance(value, float) and value.is_integer() and math.isfinite(value):
                value = int(value)
            else:
                raise ConfigError(f"{name} must be {allowed}, got {value!r}")
        value = int(value)
        if not _in_range(value, meta):
            raise ConfigError(f"{name} must be {allowed}, got {value!r}")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ConfigError(f"{name} must be {allowed}, got {value!r}")
        value = float(value)
        if not _in_range(value, meta):
            raise ConfigError(f"{name} must be {allowed}, got {value!r}")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{name} must be {allowed}, got {value!r}")
        return value
    return value


def parse_text(name: str, text: str, kind: str, meta: Mapping[str, Any]) -> Any:
    """Turn a command-line string into a value of the field's kind (then validate)."""
    t = text.strip()
    if kind == "str":
        return check_value(name, t, kind, meta)
    if kind == "bool":
        low = t.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} must be true or false, got {text!r}")
    if kind.startswith("tuple:"):
        inner = kind.split(":", 1)[1]
        body = t.strip("[]() ")
        parts = [p for p in body.replace(";", ",").split(",") if p.strip()]
        vals = [parse_text(name, p, inner, {}) for p in parts]
        return check_value(name, vals, kind, meta)
    if kind in ("int", "float"):
        try:
            num = float(t) if kind == "float" else (int(t) if t.lstrip("+-").isdigit() else float(t))
        except ValueError:
            raise ConfigError(f"{name} must be {range_text(meta, kind)}, got {text!r}") from None
        return check_value(name, num, kind, meta)
    return t


class ConfigBase:
    """Mixin for frozen config dataclasses declared with :func:`param`."""

    experiment: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            if not f.metadata:
                continue
            value = check_value(f.name, getattr(self, f.name), _kind(f), f.metadata)
            object.__setattr__(self, f.name, value)
        self.check()

    def check(self) -> None:
        """Cross-field checks; subclasses override and raise ConfigError."""

    @classmethod
    def keys(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def field_info(cls) -> dict[str, dict[str, Any]]:
        """Per field: kind, default, allowed text, unit, doc (for `neqlab list` and docs)."""
        out = {}
        for f in dataclasses.fields(cls):
            kind = _kind(f)
            out[f.name] = {
                "kind": kind,
                "default": f.default,
                "allowed": range_text(f.metadata, kind.split(":")[0] if not kind.startswith("tuple") else kind.split(":")[1]),
                "unit": f.metadata.get("unit", ""),
                "doc": f.metadata.get("doc", ""),
                "meta": dict(f.metadata),
            }
        return out

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, base: "ConfigBase | None" = None):
        """Build a config from ``values`` (strings are parsed), on top of ``base``.

        Unknown keys raise ConfigError listing the valid keys.
        """
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = [k for k in values if k not in fields]
        if unknown:
            raise ConfigError(
                f"unknown key {unknown[0]!r} for {cls.experiment or cls.__name__}; valid keys: "
                + ", ".join(fields)
            )
        parsed = {}
        for k, v in values.items():
            kind = _kind(fields[k])
            if isinstance(v, str) and kind != "str":
                v = parse_text(k, v, kind, fields[k].metadata)
            elif isinstance(v, list):
                v = tuple(v)
            parsed[k] = v
        start = base if base is not None else cls()
        return dataclasses.replace(start, **parsed)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str):
        return cls.from_mapping(json.loads(text))


def _plain(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v
