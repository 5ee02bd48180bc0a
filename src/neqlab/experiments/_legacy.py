"""TRANSITIONAL: the verdict record of the experiments not yet in the package shape.

Removed when the last experiment is converted (see experiments/_base.py for the new one).

Old text follows.

An experiment module (see ``docs/architecture.md``) has ``NAME``, ``SECTION``,
``CLAIM``, ``Config`` (a frozen :class:`~neqlab.core.config.ConfigBase` with a
``seed`` field), ``SMALL``, ``SCALES`` (quick / default / full), ``run(config, *,
runner=None) -> xarray.Dataset``, ``verdict(ds) -> Verdict`` and ``plot(ds) ->
matplotlib.figure.Figure``. ``verdict`` and ``plot`` read only the dataset.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import xarray as xr


def _number(x: Any) -> float | int | None:
    if x is None:
        return None
    if isinstance(x, bool):
        return int(x)
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    if math.isfinite(f) and float(f).is_integer() and abs(f) < 2**53 and isinstance(x, int):
        return int(f)
    return f if math.isfinite(f) else None


@dataclass(frozen=True)
class Verdict:
    """The judgement of one claim: holds is True, False, or None (inconclusive)."""

    experiment: str
    claim: str
    holds: bool | None
    measured: dict[str, float] = field(default_factory=dict)
    expected: dict[str, float] = field(default_factory=dict)
    conditions: str = ""

    @property
    def badge(self) -> str:
        return {True: "holds", False: "does not hold", None: "inconclusive"}[self.holds]

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment,
            "claim": self.claim,
            "holds": self.holds,
            "measured": {k: _number(v) for k, v in self.measured.items()},
            "expected": {k: _number(v) for k, v in self.expected.items()},
            "conditions": self.conditions,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def config_of(ds: xr.Dataset) -> dict[str, Any]:
    """The config a dataset was produced with (from its ``config`` attribute)."""
    return json.loads(ds.attrs["config"])
