r"""Run, judge and plot experiments by name: the Python API behind the CLI and the report.

>>> cfg = config("macrostates", scale="quick", n_particles=60)
>>> cfg.n_particles, cfg == config("macrostates", scale="quick", n_particles="60")
(60, True)
>>> import tomllib
>>> text = config_toml("macrostates", scale="quick")
>>> print(text.split("\n\n")[1])
# balls in the Ehrenfest urn
# an integer in [2, 1000000]; default 1000
n_particles = 100
>>> config("macrostates", **tomllib.loads(text)) == config("macrostates", scale="quick")
True
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from typing import Any

from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY, Experiment

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


def config_toml(source: Any, *, scale: str | None = None, **overrides: Any) -> str:
    """The full config as TOML, each key with its doc, unit, range and default as comments.

    ``source``: an experiment name (then ``scale`` and ``overrides`` apply, as in
    :func:`config`), a Config, or a result Dataset (the config it was run with). The
    text lists every key, so ``neqlab run NAME --config FILE.toml`` accepts it unchanged
    and runs the same config (same bits), and ``tomllib.loads(text)`` gives the keyword
    arguments of :func:`run` / :func:`config`.
    """
    name, cfg, origin = _config_source(source, scale, overrides)
    exp = get(name)
    defaults = exp.Config()
    lines = [
        f"# neqlab config of the experiment {name} ({_one_line(exp.SECTION)}): {origin}",
        f"# claim: {_one_line(exp.CLAIM)}",
        f"# run it, unchanged or edited:  neqlab run {name} --config FILE.toml",
        f'# in Python:  neqlab.run("{name}", **tomllib.load(open("FILE.toml", "rb")))',
        "# every key of the experiment is listed; units are reduced (k_B = 1)",
    ]
    for key, info in type(cfg).field_info().items():
        doc = _one_line(info["doc"]) or key
        unit = f" [{info['unit']}]" if info["unit"] else ""
        lines += ["", f"# {doc}{unit}",
                  f"# {info['allowed']}; default {_toml_value(getattr(defaults, key))}",
                  f"{key} = {_toml_value(getattr(cfg, key))}"]
    return "\n".join(lines) + "\n"


def _config_source(source: Any, scale: str | None, overrides: Mapping[str, Any]):
    from neqlab.core.config import ConfigBase

    if isinstance(source, str):
        cfg = make_config(source, overrides, scale=scale)
        changed = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
        return source, cfg, f"scale {scale or 'default'}" + (f" with {changed}" if changed else "")
    if scale is not None:
        raise ConfigError(f"scale applies to an experiment name, got scale {scale!r} with a {type(source).__name__}")
    if isinstance(source, ConfigBase):
        name = type(source).experiment
        get(name)
        cfg = type(source).from_mapping(dict(overrides), base=source) if overrides else source
        return name, cfg, "a given config" + (" with overrides" if overrides else "")
    attrs = getattr(source, "attrs", None)
    if isinstance(attrs, Mapping) and "config" in attrs:
        name = _experiment_of(source)
        cfg = get(name).Config.from_mapping({**json.loads(attrs["config"]), **overrides})
        created = attrs.get("created")
        return name, cfg, "the config of a saved result" + (f" created {created}" if created else "")
    raise ConfigError("config source must be an experiment name, a Config or a result Dataset, "
                      f"got {type(source).__name__}")


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _toml_value(v: Any) -> str:
    """A config value as a TOML literal that tomllib reads back to the same value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)  # shortest text that reads back to the same double
    if isinstance(v, str):
        # JSON's escapes (quote, backslash, controls below U+0020) are TOML's; DEL needs one too
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise ConfigError(f"config values must be numbers, booleans, strings or lists, got {type(v).__name__}")


def run_config(name: str, config: Any, *, runner: Any = None):
    """Run experiment ``name`` on a ready Config; the result carries its config and provenance."""
    return get(name).run(config, runner=runner)


def run(name: str, *, scale: str | None = None, seed: int = 0, runner: Any = None, **overrides: Any):
    """Run experiment ``name`` at ``scale`` with config keys as keyword arguments; return its Dataset."""
    return run_config(name, make_config(name, {**overrides, "seed": seed}, scale=scale), runner=runner)


def verdict(ds, lang: str = "en"):
    """Judge a result (fresh or loaded) with its experiment's verdict, texts in ``lang``."""
    from neqlab.core.i18n import resolve_lang

    return get(_experiment_of(ds)).verdict(ds, lang=resolve_lang(lang))


def plot(ds):
    """The experiment's figure for a result (a matplotlib Figure, drawn without pyplot).

    In Jupyter/IPython the figure displays inline when it is a cell's value: a Figure
    made without pyplot has no image form of its own, so the first call registers PNG
    display of matplotlib Figures in the running shell, unless a figure format was
    already chosen there (``%matplotlib inline``, ``InlineBackend.figure_formats``).
    Outside IPython nothing is registered.
    """
    fig = get(_experiment_of(ds)).plot(ds)
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        display_figures_inline(shell)
    return fig


FIGURE_FORMATS = ("image/png", "image/svg+xml", "image/jpeg", "application/pdf")


def display_figures_inline(shell) -> bool:
    """Let ``shell`` (an IPython shell) show matplotlib Figures as PNG; True if it registered.

    Leaves the shell alone if any figure format is already registered for Figures.
    """
    from matplotlib.figure import Figure

    from neqlab.plotting import figure_bytes

    formatters = shell.display_formatter.formatters
    for mime in FIGURE_FORMATS:
        if mime in formatters:
            try:
                formatters[mime].lookup_by_type(Figure)
                return False
            except KeyError:
                pass
    formatters["image/png"].for_type(Figure, lambda fig: figure_bytes(fig, "png"))
    return True


def _experiment_of(ds) -> str:
    name = ds.attrs.get("experiment")
    if not name:
        raise ConfigError("dataset must carry an 'experiment' attribute (a result written by neqlab), got none")
    return str(name)
