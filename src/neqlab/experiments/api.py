"""Run, judge and plot experiments by name; the Python API behind the CLI and report."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

import xarray as xr

from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY
from neqlab.experiments._base import Verdict
from neqlab.io.provenance import provenance


def get(name: str) -> ModuleType:
    """The experiment module called ``name``; ConfigError listing the valid names otherwise."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise ConfigError(
            f"experiment must be one of {', '.join(REGISTRY)}, got {name!r}"
        ) from None


def make_config(name: str, overrides: Mapping[str, Any] | None = None, *, base: Any = None, scale: str | None = None):
    """The experiment's Config: ``base`` (or ``SCALES[scale]``, or the defaults) plus overrides."""
    mod = get(name)
    if base is None and scale is not None:
        if scale not in mod.SCALES:
            raise ConfigError(f"scale must be one of {', '.join(mod.SCALES)}, got {scale!r}")
        base = mod.SCALES[scale]
    return mod.Config.from_mapping(dict(overrides or {}), base=base)


def run_config(name: str, config: Any, *, runner: Any = None) -> xr.Dataset:
    """Run experiment ``name`` on a ready Config and stamp config and provenance on the result."""
    mod = get(name)
    ds = mod.run(config, runner=runner)
    ds.attrs.update(
        {
            "experiment": name,
            "section": mod.SECTION,
            "claim": mod.CLAIM,
            "config": config.to_json(),
            "seed": int(config.seed),
            **provenance(),
        }
    )
    return ds


def run(name: str, *, seed: int = 0, runner: Any = None, **config: Any) -> xr.Dataset:
    """Run experiment ``name`` with config keys as keyword arguments; return its Dataset."""
    cfg = make_config(name, {**config, "seed": seed})
    return run_config(name, cfg, runner=runner)


def verdict(ds: xr.Dataset) -> Verdict:
    """Judge a result (fresh or loaded) with its experiment's verdict function."""
    return get(_experiment_of(ds)).verdict(ds)


def plot(ds: xr.Dataset):
    """The experiment's figure for a result (a matplotlib Figure)."""
    return get(_experiment_of(ds)).plot(ds)


def _experiment_of(ds: xr.Dataset) -> str:
    name = ds.attrs.get("experiment")
    if not name:
        raise ConfigError("dataset must carry an 'experiment' attribute (a result written by neqlab), got none")
    return str(name)
