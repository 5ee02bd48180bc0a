"""Results on disk: xarray Datasets as netCDF4, written atomically.

A result file is readable by plain ``xarray.open_dataset``. :func:`save` writes to a
temporary name in the target directory and renames it into place, so a crash never
leaves a half-written result. :func:`load` reads it fully into memory (the file is
closed on return).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr

from neqlab.core.errors import ConfigError

ENGINE = "netcdf4"


def check_writable(path: str | os.PathLike) -> Path:
    """Raise ConfigError unless ``path``'s directory exists (or can be made) and is writable."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"out must be a path in a writable directory, got {str(p)!r} ({exc.strerror})") from None
    if not os.access(parent, os.W_OK):
        raise ConfigError(f"out must be a path in a writable directory, got {str(p)!r} (permission denied)")
    if p.is_dir():
        raise ConfigError(f"out must be a file path, got the directory {str(p)!r}")
    return p


def _encodable(ds: xr.Dataset) -> xr.Dataset:
    """netCDF has no bool type: store booleans as int8 and mark them for load."""
    ds = ds.copy()
    for name, var in list(ds.variables.items()):
        if var.dtype == bool:
            ds[name] = var.astype(np.int8)
            ds[name].attrs["neqlab_dtype"] = "bool"
    return ds


def save(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``ds`` to ``path`` atomically (temporary file + rename); return the path."""
    p = check_writable(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    os.close(fd)
    try:
        _encodable(ds).to_netcdf(tmp, engine=ENGINE, format="NETCDF4")
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def load(path: str | os.PathLike) -> xr.Dataset:
    """Read a saved result into memory."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"path must be an existing result file (.nc), got {str(p)!r}")
    try:
        with xr.open_dataset(p, engine=ENGINE) as ds:
            out = ds.load()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"path must be a netCDF result written by neqlab, got {str(p)!r} ({exc})") from None
    for name, var in list(out.variables.items()):
        if var.attrs.get("neqlab_dtype") == "bool":
            attrs = {k: v for k, v in var.attrs.items() if k != "neqlab_dtype"}
            out[name] = var.astype(bool)
            out[name].attrs = attrs
    return out
