"""The frame of an experiment's run: who owns the runner, what a result is stamped with.

:func:`owned_runner` is the one place that owns a runner's lifetime when an experiment's
``run`` is called without one; :func:`stamp` puts the config and provenance on a result;
:class:`Cost` is a run's rough resource estimate (``run.estimate``).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass


@contextmanager
def owned_runner(runner=None):
    """The runner to use: ``runner`` as given, or a quiet local one made and closed here.

    This is the one place that owns a runner's lifetime when an experiment's ``run`` is
    called without one.
    """
    if runner is not None:
        yield runner
        return
    from neqlab.runner import Runner

    with Runner(progress=False) as r:
        yield r


def stamp(ds, config, *, name: str, section: str, claim: str):
    """Put the config, seed, claim and provenance on a result dataset (returns it)."""
    from neqlab.io.provenance import provenance

    ds.attrs.update({
        "experiment": name,
        "section": section,
        "claim": claim,
        "config": config.to_json(),
        "seed": int(config.seed),
        **provenance(),
    })
    return ds


@dataclass(frozen=True)
class Cost:
    """A rough estimate of a run's peak memory [bytes] and time [s on one core], and the
    config keys that drive it (named in the error when a run would not fit)."""

    memory_bytes: float
    seconds: float
    keys: tuple[str, ...] = ()
