"""The ``macrostates`` dataset: coordinates, data variables and attributes with units.

Counting panel: ln Omega(N, xN) for N on ``n_counting`` and x = n/N on ``x``; the
Ehrenfest urn's paths on (``replica``, ``t``) and its recurrence times; the Kac rings'
delta(t) on (``ring``, ``t_kac``).
"""

from __future__ import annotations

import numpy as np

from neqlab.experiments.macrostates.tasks import recurrence_cap, stride_of
from neqlab.io.schema import Schema, Var
from neqlab.observables.macrostate import log_omega, mass_within, relative_width

SCHEMA = Schema(
    "macrostates",
    coords={
        "replica": Var(("replica",), "1", "urn replica", "int"),
        "t": Var(("t",), "step", "Ehrenfest time", "int"),
        "ring": Var(("ring",), "1", "Kac ring (marker placement)", "int"),
        "t_kac": Var(("t_kac",), "step", "Kac ring time", "int"),
        "n_counting": Var(("n_counting",), "1", "particles N of the counting panel", "int"),
        "x": Var(("x",), "1", "fraction in the left half n/N"),
    },
    data_vars={
        "ehrenfest_n_left": Var(("replica", "t"), "1", "balls in the left urn", "int"),
        "ehrenfest_return_time": Var(("replica",), "step", "first return time to all-left (-1: not within the cap)", "int"),
        "kac_delta": Var(("ring", "t_kac"), "1", "(white - black) / n_sites"),
        "kac_n_markers": Var(("ring",), "1", "marked edges of the ring", "int"),
        "kac_reversal_ok": Var(("ring",), "1", "ring back to all white after running backwards", "bool"),
        "log_omega": Var(("n_counting", "x"), "k_B", "ln C(N, xN): Boltzmann entropy of the macrostate"),
        "mass_3sigma": Var(("n_counting",), "1", "probability within 3 standard deviations of N/2"),
        "relative_width": Var(("n_counting",), "1", "std(n)/mean(n) of the binomial macrostate law"),
    },
    attrs={
        "recurrence_max_steps": Var((), "step", "longest wait for a return (200 mean recurrence times)"),
    },
)


def counting_grid(n_max: int) -> np.ndarray:
    """N values of the counting panel: 10 .. n_max, two per decade."""
    exps = np.arange(1.0, np.log10(n_max) + 1e-9, 0.5)
    return np.unique(np.round(10.0**exps).astype(np.int64))


def assemble(config, urn: dict, recurrence: dict, kac: dict):
    """The dataset of one run from the three ensembles' outputs."""
    c = config
    stride = stride_of(c)
    n_grid = counting_grid(c.counting_n_max)
    x = np.linspace(0.0, 1.0, 1001)
    return SCHEMA.assemble(
        {
            "ehrenfest_n_left": urn["n_left"],
            "ehrenfest_return_time": recurrence["t_return"],
            "kac_delta": kac["delta"],
            "kac_n_markers": kac["n_markers"],
            "kac_reversal_ok": kac["reversal_ok"],
            "log_omega": np.stack([log_omega(N, x * N) for N in n_grid]),
            "mass_3sigma": np.array([mass_within(N, 3.0) for N in n_grid]),
            "relative_width": np.array([relative_width(N) for N in n_grid]),
        },
        coords={
            "replica": np.arange(c.n_replicas), "t": np.arange(c.n_steps // stride + 1) * stride,
            "ring": np.arange(c.n_rings), "t_kac": np.arange(2 * c.n_sites + 1), "n_counting": n_grid, "x": x,
        },
        attrs={"recurrence_max_steps": recurrence_cap(c)},
    )
