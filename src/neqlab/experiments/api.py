"""Run, judge and plot experiments by name: the Python API behind the CLI and the report.

>>> cfg = config("macrostates", scale="quick", n_particles=60)
>>> cfg.n_particles, cfg == config("macrostates", scale="quick", n_particles="60")
(60, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY, Experiment
from neqlab.experiments._frame import stamp

SCALE_NAMES = ("quick", "default", "full")


def get(name: str) -> Experiment:
    """The experiment called ``name``; ConfigError listing the valid names otherwise."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise ConfigError(f"experiment must be one of {', '.join(REGISTRY)}, got {name!r}") from None


def make_config(name: str, overrides: Mapping[str, Any] | None = None, *, base: Any = None, scale: str | None = None):
    """The experiment's Config: ``base`` (or ``SCALES[scale]``; no scale is ``default``) plus overrides."""
    exp = get(name)
    if base is None:
        scale = "default" if scale is None else scale
        if scale not in SCALE_NAMES:
            raise ConfigError(f"scale must be one of {', '.join(SCALE_NAMES)}, got {scale!r}")
        base = exp.SCALES[scale]
    return exp.Config.from_mapping(dict(overrides or {}), base=base)


def config(name: str, *, scale: str | None = None, **overrides: Any):
    """The Config of experiment ``name`` at ``scale`` (quick, default, full; None is default) with overrides."""
    return make_config(name, overrides, scale=scale)


def run_config(name: str, config: Any, *, runner: Any = None):
    """Run experiment ``name`` on a ready Config; the result carries its config and provenance."""
    exp = get(name)
    ds = exp.run(config, runner=runner)
    if not exp.is_package:  # TRANSITIONAL: flat modules do not stamp their results
        stamp(ds, config, name=name, section=exp.SECTION, claim=exp.CLAIM)
    return ds


def run(name: str, *, scale: str | None = None, seed: int = 0, runner: Any = None, **overrides: Any):
    """Run experiment ``name`` at ``scale`` with config keys as keyword arguments; return its Dataset."""
    return run_config(name, make_config(name, {**overrides, "seed": seed}, scale=scale), runner=runner)


def verdict(ds, lang: str = "en"):
    """Judge a result (fresh or loaded) with its experiment's verdict, texts in ``lang``."""
    from neqlab.core.i18n import resolve_lang

    return get(_experiment_of(ds)).verdict(ds, lang=resolve_lang(lang))


def plot(ds):
    """The experiment's figure for a result (a matplotlib Figure)."""
    return get(_experiment_of(ds)).plot(ds)


def _experiment_of(ds) -> str:
    name = ds.attrs.get("experiment")
    if not name:
        raise ConfigError("dataset must carry an 'experiment' attribute (a result written by neqlab), got none")
    return str(name)
