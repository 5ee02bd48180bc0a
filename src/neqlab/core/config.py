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
import re
import reprlib
import sys
import typing
from collections.abc import Mapping
from typing import Any, ClassVar

from neqlab.core.errors import ConfigError

_MISSING = object()
_LOG10_2 = math.log10(2.0)
SHOW_MAX = 40  # characters of a user's value echoed in an error before it is shortened
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # every integer key fits an int64, whatever its declared range


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


def _digits(v: int) -> int:
    """Number of decimal digits of ``|v|`` without converting it to text (no 4300-digit limit)."""
    v = abs(v)
    if v < 10:
        return 1
    d = int((v.bit_length() - 1) * _LOG10_2)  # floor(log10 v) is d or d + 1
    return d + 2 if v >= 10 ** (d + 1) else d + 1


def _short_int(v: int) -> str:
    n = _digits(v)
    if n <= 30:
        return str(v)
    head = abs(v) // 10 ** (n - 12)
    return f"{'-' if v < 0 else ''}{head}...{abs(v) % 10_000:04d} ({n} digits)"


class _Short(reprlib.Repr):
    """reprlib that never turns a huge int into text (Python refuses past 4300 digits)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxlist, self.maxtuple, self.maxdict = 3, 6, 6, 4
        self.maxset = self.maxfrozenset = self.maxdeque = self.maxarray = 6
        self.maxstring, self.maxother = SHOW_MAX, SHOW_MAX

    def repr_int(self, x, level):  # noqa: D401 - reprlib API
        return _short_int(x)

    def repr_str(self, x, level):
        if len(x) <= SHOW_MAX:
            return repr(x)
        return repr(x[:24] + "..." + x[-8:]) + f" ({len(x)} characters)"


_SHORT = _Short()


def shown(value: Any, *, limit: int = SHOW_MAX) -> str:
    """The given value as it goes into a one-line error: a repr, shortened when long.

    ``limit``: characters of a string kept whole (paths pass more than the default).

    >>> shown("-0"), shown(float("inf")), shown(10**400)
    ("'-0'", 'inf', '100000000000...0000 (401 digits)')
    """
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, numbers.Integral):
        return _short_int(int(value))
    if isinstance(value, str) and len(value) <= limit:
        return repr(value)
    try:
        text = _SHORT.repr(value)
    except Exception:  # a value whose repr fails is still named
        return f"<{type(value).__name__}>"
    return text if len(text) <= 3 * SHOW_MAX else text[: 3 * SHOW_MAX - 3] + "..."


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


def _list_text(meta: Mapping[str, Any], inner: str) -> str:
    """``a list of integers in [2, 1000]``: the allowed values of a tuple field's elements."""
    one = range_text(meta, inner)
    for single, plural in (("an integer", "integers"), ("a number", "numbers")):
        if one.startswith(single):
            return "a list of " + plural + one[len(single):]
    return f"a list of {inner} values ({one})"


def _kind(field: dataclasses.Field) -> str:
    typ = field.type
    if not isinstance(typ, str):  # a real annotation (no `from __future__ import annotations`)
        args = typing.get_args(typ)
        name = getattr(typing.get_origin(typ) or typ, "__name__", str(typ))
        typ = f"{name}[{getattr(args[0], '__name__', 'float')}]" if args else name
    ann = typ.replace(" ", "")
    if ann in ("int", "float", "str", "bool"):
        return ann
    if ann.startswith("tuple"):
        inner = ann[ann.find("[") + 1 : ann.rfind("]")].split(",")[0] if "[" in ann else "float"
        return "tuple:" + inner
    return "any"


def _is_bool(value: Any) -> bool:
    """A Python or NumPy boolean. NumPy is not imported here (the command line checks a
    config without loading it): if it is not loaded, no value can be a NumPy boolean."""
    if isinstance(value, bool):
        return True
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, np.bool_)


def _in_range(x: float, meta: Mapping[str, Any]) -> bool:
    """Whether ``x`` lies in the declared range; Python ints are compared exactly (any size)."""
    lo, hi = meta.get("lo"), meta.get("hi")
    if isinstance(x, float) and not math.isfinite(x):
        return False
    if lo is not None and (x <= lo if meta.get("lo_open") else x < lo):
        return False
    if hi is not None and (x >= hi if meta.get("hi_open") else x > hi):
        return False
    return True


def _fail(name: str, allowed: str, value: Any, typed: str | None, note: str = "") -> ConfigError:
    """The one-line error: parameter, allowed values, and what the user gave (as typed)."""
    got = shown(typed) if typed is not None else shown(value)
    return ConfigError(f"{name} must be {allowed}, got {got}{note}")


def _integer_note(value: Any) -> str:
    """For a float given to an integer key: say that integers are written with digits only."""
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        f = float(value)
        if math.isfinite(f) and f.is_integer():
            hint = f": write {int(f)}" if abs(f) < 1e18 else ""
            return f" (an integer key takes digits only, no decimal point or exponent{hint})"
    return ""


def check_value(name: str, value: Any, kind: str, meta: Mapping[str, Any], *, typed: str | None = None) -> Any:
    """Check one value against its declaration; return it normalised or raise ConfigError.

    Integer keys take integers only (``2.0`` is refused, saying so); integers of any size
    get the range error, never OverflowError. ``typed`` is the text the user wrote, echoed
    in the error instead of the converted value (``-0``, ``1e400``).
    """
    if kind.startswith("tuple:"):
        inner = kind.split(":", 1)[1]
        allowed = _list_text(meta, inner)
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            raise _fail(name, allowed, value, typed)
        items = tuple(value)
        if len(items) == 0:
            raise ConfigError(f"{name} must be a non-empty list ({allowed}), got {shown(typed if typed is not None else value)}")
        out = []
        for i, item in enumerate(items):
            try:
                out.append(check_value(name, item, inner, meta))
            except ConfigError:
                raise ConfigError(
                    f"{name} must be {allowed}, got {shown(item)} at position {i + 1}{_integer_note(item) if inner == 'int' else ''}"
                ) from None
        return tuple(out)
    allowed = range_text(meta, kind)
    choices = meta.get("choices")
    if kind == "bool":
        if _is_bool(value):
            return bool(value)
        if isinstance(value, numbers.Integral) and value in (0, 1):
            return bool(value)
        raise ConfigError(f"{name} must be true or false, got {shown(typed if typed is not None else value)}")
    if kind == "int":
        if _is_bool(value) or not isinstance(value, numbers.Integral):
            raise _fail(name, allowed, value, typed, _integer_note(value))
        value = int(value)
        if choices is not None:
            if value not in choices:
                raise _fail(name, allowed, value, typed)
            return value
        if not _in_range(value, meta) or not INT_MIN <= value <= INT_MAX:
            raise _fail(name, allowed, value, typed)
        return value
    if kind == "float":
        if _is_bool(value) or not isinstance(value, numbers.Real):
            raise _fail(name, allowed, value, typed)
        try:
            f = float(value)
        except OverflowError:  # an int beyond the float range
            raise _fail(name, allowed, value, typed) from None
        if choices is not None:
            if f not in choices:
                raise _fail(name, allowed, value, typed)
            return f
        if not _in_range(f, meta):
            raise _fail(name, allowed, value, typed)
        return f
    if kind == "str":
        if not isinstance(value, str) or (choices is not None and value not in choices):
            raise _fail(name, allowed, value, typed)
        return value
    if choices is not None and not any(value is c or (type(value) is type(c) and value == c) for c in choices):
        raise _fail(name, allowed, value, typed)
    return value


_INT_TEXT = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*")


def _number(text: str, kind: str) -> tuple[Any, str]:
    """``(number, "")`` for text of this kind ("int" or "float"), else ``(None, note)``.

    Integers are optionally signed digits (``1_000`` allowed, as in TOML and Python);
    more than 19 significant digits is beyond int64, so it is refused unconverted.
    """
    t = text.strip()
    if kind == "int":
        if not _INT_TEXT.fullmatch(t):
            try:
                return None, _integer_note(float(t))
            except ValueError:
                return None, ""
        if len(t.lstrip("+-").replace("_", "").lstrip("0")) > 19:
            return None, ""
        return int(t), ""
    try:
        return float(t), ""
    except ValueError:
        return None, ""


def parse_text(name: str, text: str, kind: str, meta: Mapping[str, Any]) -> Any:
    """Turn a command-line string into a value of the field's kind (then validate).

    Errors echo ``text`` as typed (``got '-0'``, ``got '1e400'``); integer keys refuse
    ``2.0`` or ``1e6``, saying that they take digits only.
    """
    t = text.strip()
    if kind == "str":
        return check_value(name, t, kind, meta, typed=text)
    if kind == "bool":
        low = t.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} must be true or false, got {shown(text)}")
    if kind.startswith("tuple:"):
        inner = kind.split(":", 1)[1]
        allowed = _list_text(meta, inner)
        body = t.strip("[]() ")
        parts = [p.strip() for p in body.replace(";", ",").split(",")] if body else []
        if not parts or not all(parts):
            raise ConfigError(f"{name} must be {allowed}, separated by commas, got {shown(text)}")
        vals = []
        for i, part in enumerate(parts):
            num, note = _number(part, inner) if inner in ("int", "float") else (part, "")
            try:
                if num is None:
                    raise ConfigError(note)
                vals.append(check_value(name, num, inner, meta, typed=part))
            except ConfigError:
                raise ConfigError(f"{name} must be {allowed}, got {shown(part)} at position {i + 1}{note}") from None
        return check_value(name, vals, kind, meta, typed=text)
    if kind in ("int", "float"):
        num, note = _number(text, kind)
        if num is None:
            raise ConfigError(f"{name} must be {range_text(meta, kind)}, got {shown(text)}{note}")
        return check_value(name, num, kind, meta, typed=text)
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

        Unknown keys raise ConfigError listing the valid keys; ``values`` that is not a
        mapping (JSON ``null``, a number, a list) is refused the same way.
        """
        fields = {f.name: f for f in dataclasses.fields(cls)}
        label = cls.experiment or cls.__name__
        if not isinstance(values, Mapping):
            raise ConfigError(f"config of {label} must be a mapping of keys to values, got {shown(values)}")
        unknown = [k for k in values if k not in fields]
        if unknown:
            raise ConfigError(f"unknown key {shown(unknown[0])} for {label}; valid keys: " + ", ".join(fields))
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
        """The config stored as JSON (a dataset's ``config`` attribute); ConfigError if malformed."""
        try:
            values = json.loads(text)
        except (TypeError, ValueError, RecursionError) as exc:
            what = f"{type(exc).__name__}: {exc}" if not isinstance(exc, json.JSONDecodeError) else str(exc)
            raise ConfigError(f"config of {cls.experiment or cls.__name__} must be a JSON object, "
                              f"got {shown(text)} ({what[:120]})") from None
        return cls.from_mapping(values)


def _plain(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v
