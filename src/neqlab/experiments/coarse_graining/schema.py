"""The ``coarse_graining`` dataset: coordinates, data variables and attributes with units.

Entropies are in units of k_B (S_cg = ln of a number of cells, or -sum p ln p); lengths
are fractions of the torus side (dimensionless); times are map steps. The forward runs
are on (``replica``, ``t``, ``cell_size``); the reversal run on ``t_rev``, the lattice run
on ``t_lattice``, the snapshots on ``t_snapshot``. Derived numbers (growth rate, decreases)
are computed by the verdict from these, not stored.
"""

from __future__ import annotations

import numpy as np

from neqlab.experiments.coarse_graining.tasks import SNAP_STEPS, cell_sides
from neqlab.io.schema import Schema, Var

SCHEMA = Schema(
    "coarse_graining",
    coords={
        "t": Var(("t",), "step", "time (map steps)", "int"),
        "cell_size": Var(("cell_size",), "1", "cell side δ as a fraction of the torus side"),
        "replica": Var(("replica",), "1", "independent initial region", "int"),
        "t_rev": Var(("t_rev",), "step", "time of the reversal run (the inverse map after n_reverse steps)", "int"),
        "t_lattice": Var(("t_lattice",), "step", "time of the cat map on the 2^b x 2^b lattice", "int"),
        "t_snapshot": Var(("t_snapshot",), "step", "time of a snapshot of region 0", "int"),
    },
    data_vars={
        "cg_entropy": Var(("t", "cell_size"), "k_B", "S_cg = ln(cells touched by the region), mean over the regions"),
        "cg_entropy_replica": Var(("replica", "t", "cell_size"), "k_B", "S_cg = ln(cells touched by the region), per region"),
        "cg_entropy_gibbs": Var(("t", "cell_size"), "k_B", "-sum p ln p over the cells' occupation (plug-in), mean over the regions"),
        "cg_entropy_gibbs_replica": Var(("replica", "t", "cell_size"), "k_B",
                                        "-sum p ln p over the cells' occupation (plug-in), per region"),
        "cg_entropy_integrable": Var(("t", "cell_size"), "k_B",
                                     "ln(cells touched) under the integrable shear (standard map, K = 0) from the same regions, mean"),
        "cg_entropy_boundary": Var(("t", "cell_size"), "k_B",
                                   "ln(cells crossed by the boundary of region 0); NaN once it has too many vertices to follow"),
        "cg_entropy_reversal": Var(("t_rev", "cell_size"), "k_B",
                                   "ln(cells touched by region 0): n_reverse steps forward, then the inverse map"),
        "cg_entropy_lattice": Var(("t_lattice", "cell_size"), "k_B",
                                  "ln(cells touched) by a square of lattice points under the cat map on the 2^b lattice"),
        "ln_n_cells": Var(("cell_size",), "k_B", "ln M, M = (1/δ)^2 cells: the largest possible S_cg"),
        "snapshot": Var(("t_snapshot", "point", "axis"), "1", "points of region 0 (x, y) in torus sides"),
    },
    attrs={
        "ks_entropy": Var((), "step^-1", "Kolmogorov-Sinai entropy (sum of positive Lyapunov exponents, Benettin)"),
        "ks_entropy_err": Var((), "step^-1", "standard error of ks_entropy"),
        "reversal_exact": Var((), "1", "1 if every point of the reversal run came back bit for bit", "int"),
        "reversal_max_error": Var((), "1", "largest distance of a point from its start after the reversal [map units]"),
        "lattice_period": Var((), "step", "first time every lattice point is back (0: not within n_lattice_steps)", "int"),
    },
)


def assemble(config, forward: dict, boundary: dict, reversal: dict, lattice: dict, snaps: dict, ks: dict):
    """The dataset of one run from the tasks' outputs (see :mod:`...coarse_graining.tasks`)."""
    c = config
    sides = np.array(cell_sides(c.cell_size), dtype=np.int64)
    return SCHEMA.assemble(
        {
            "cg_entropy": forward["touched"].mean(axis=0),
            "cg_entropy_replica": forward["touched"],
            "cg_entropy_gibbs": forward["gibbs"].mean(axis=0),
            "cg_entropy_gibbs_replica": forward["gibbs"],
            "cg_entropy_integrable": forward["integrable"].mean(axis=0),
            "cg_entropy_boundary": boundary["s"],
            "cg_entropy_reversal": reversal["s"],
            "cg_entropy_lattice": lattice["s"],
            "ln_n_cells": 2.0 * np.log(sides.astype(float)),
            "snapshot": snaps["points"],
        },
        coords={
            "t": np.arange(c.n_steps + 1), "cell_size": 1.0 / sides, "replica": np.arange(c.n_replicas),
            "t_rev": np.arange(2 * c.n_reverse + 1), "t_lattice": np.arange(c.n_lattice_steps + 1),
            "t_snapshot": np.array(SNAP_STEPS),
        },
        attrs={
            "ks_entropy": float(ks["ks"]), "ks_entropy_err": float(ks["ks_err"]),
            "reversal_exact": int(bool(reversal["exact"])), "reversal_max_error": float(reversal["max_error"]),
            "lattice_period": int(lattice["period"]),
        },
    )
