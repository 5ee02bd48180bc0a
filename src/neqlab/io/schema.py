"""Dataset schemas: the coordinates, data variables and attributes of a result, with units.

Each experiment declares its result's shape once (``experiments/NAME/schema.py``) as a
:class:`Schema` of :class:`Var` s. :meth:`Schema.assemble` builds the
:class:`xarray.Dataset` from arrays and writes ``units`` and ``long_name`` on every
variable; :meth:`Schema.problems` checks a dataset (fresh, or read lazily from a file
before its data are loaded) and lists what does not match: missing or undeclared names,
wrong dimensions or kinds, units that do not parse, sizes beyond a limit.

>>> S = Schema("demo", coords={"t": Var(("t",), "tau", "time")},
...            data_vars={"energy": Var(("t",), "epsilon", "total energy")},
...            attrs={"rate": Var((), "tau^-1", "growth rate")})
>>> ds = S.assemble({"energy": [1.0, 1.1]}, coords={"t": [0.0, 0.5]}, attrs={"rate": 2.5})
>>> ds["energy"].attrs["units"], S.problems(ds, stamped=False)
('epsilon', [])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neqlab.core import units as U
from neqlab.core.errors import NeqlabError

KINDS = {"float": "f", "int": "iu", "bool": "b", "str": "UOS"}
MAX_ELEMENTS = 10**9  # a result variable larger than this is not one neqlab wrote


@dataclass(frozen=True)
class Var:
    """One declared variable: dims, units (see :mod:`neqlab.core.units`), long_name, kind.

    ``optional``: present only for some configs (e.g. a sweep that can be switched off).
    """

    dims: tuple[str, ...]
    units: str
    long_name: str
    kind: str = "float"
    optional: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "dims", tuple(self.dims))
        U.parse(self.units)
        if self.kind not in KINDS:
            raise NeqlabError(f"var kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if not self.long_name:
            raise NeqlabError("a var needs a long_name")


@dataclass(frozen=True)
class Schema:
    """The shape of one experiment's result dataset."""

    name: str
    coords: Mapping[str, Var] = field(default_factory=dict)
    data_vars: Mapping[str, Var] = field(default_factory=dict)
    attrs: Mapping[str, Var] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for attr_name, var in self.attrs.items():
            if var.dims:
                raise NeqlabError(f"attr {attr_name} must be a scalar (dims ()), got {var.dims}")
        for coord, var in self.coords.items():
            if var.dims != (coord,):
                raise NeqlabError(f"coord {coord} must have dims ({coord!r},), got {var.dims}")

    def assemble(self, data_vars: Mapping[str, Any], *, coords: Mapping[str, Any],
                 attrs: Mapping[str, Any] | None = None):
        """The Dataset of ``data_vars`` and ``coords`` (arrays, in the declared dims), with units.

        Raises NeqlabError (a programming error, not a user's) if a name is undeclared, a
        required one is missing, or a shape does not fit its dims.
        """
        import xarray as xr

        attrs = dict(attrs or {})
        self._names_match("coord", coords, self.coords)
        self._names_match("data var", data_vars, self.data_vars)
        self._names_match("attr", attrs, self.attrs)
        ds = xr.Dataset(
            {k: (self.data_vars[k].dims, np.asarray(v)) for k, v in data_vars.items()},
            coords={k: (self.coords[k].dims, np.asarray(v)) for k, v in coords.items()},
        )
        for k, var in {**self.coords, **self.data_vars}.items():
            if k in ds.variables:
                ds[k].attrs.update({"units": var.units, "long_name": var.long_name})
        for k, v in attrs.items():
            ds.attrs[k] = _attr_value(v)
        problems = self.problems(ds, stamped=False)
        if problems:
            raise NeqlabError(f"{self.name} dataset does not match its schema: " + "; ".join(problems))
        return ds

    def problems(self, ds, *, stamped: bool = True, max_elements: int = MAX_ELEMENTS) -> list[str]:
        """What in ``ds`` does not match the schema (empty if it matches).

        Reads only metadata (names, dims, dtypes, sizes, attrs), so it can run on a lazily
        opened file before any data are loaded. ``stamped``: also require the provenance
        attributes every saved result carries.
        """
        out: list[str] = []
        for kind, declared, present in (("coord", self.coords, ds.coords), ("data var", self.data_vars, ds.data_vars)):
            for k, var in declared.items():
                if k not in present:
                    if not var.optional:
                        out.append(f"missing {kind} {k!r}")
                    continue
                out.extend(_var_problems(k, var, present[k], max_elements))
            for k in present:
                if k not in declared:
                    out.append(f"undeclared {kind} {k!r}")
        for k, var in self.attrs.items():
            if k not in ds.attrs and not var.optional:
                out.append(f"missing attr {k!r}")
        if stamped:
            for k in ("experiment", "config", "seed", "neqlab_version"):
                if k not in ds.attrs:
                    out.append(f"missing attr {k!r}")
            if ds.attrs.get("experiment", self.name) != self.name:
                out.append(f"experiment attr must be {self.name!r}, got {ds.attrs.get('experiment')!r}")
        return out

    def _names_match(self, kind: str, given: Mapping[str, Any], declared: Mapping[str, Var]) -> None:
        extra = [k for k in given if k not in declared]
        missing = [k for k, v in declared.items() if k not in given and not v.optional]
        if extra or missing:
            raise NeqlabError(f"{self.name}: {kind}s must match the schema; undeclared {extra}, missing {missing}")

    def unit_of(self, name: str) -> str:
        """The declared unit of a coord, data var or attr."""
        for table in (self.coords, self.data_vars, self.attrs):
            if name in table:
                return table[name].units
        raise KeyError(f"{self.name} declares no variable {name!r}")


def _var_problems(name: str, var: Var, arr, max_elements: int) -> list[str]:
    out = []
    if tuple(arr.dims) != var.dims:
        out.append(f"{name} must have dims {var.dims}, got {tuple(arr.dims)}")
    stored_bool = var.kind == "bool" and arr.attrs.get("neqlab_dtype") == "bool"  # netCDF keeps bools as int8
    if arr.dtype.kind not in KINDS[var.kind] and not stored_bool:
        out.append(f"{name} must be of kind {var.kind}, got dtype {arr.dtype}")
    if int(np.prod(arr.shape, dtype=np.float64)) > max_elements:
        out.append(f"{name} must have at most {max_elements} elements, got shape {tuple(arr.shape)}")
    units = arr.attrs.get("units")
    if units != var.units:
        out.append(f"{name} must have units {var.units!r}, got {units!r}")
    elif not U.is_valid(units):
        out.append(f"{name} units {units!r} do not parse")
    if not arr.attrs.get("long_name"):
        out.append(f"{name} must have a long_name")
    return out


def _attr_value(v: Any) -> Any:
    """netCDF attributes: numbers, strings, or 1-D numeric arrays (bools as int)."""
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v
