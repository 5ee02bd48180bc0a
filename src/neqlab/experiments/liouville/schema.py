"""The ``liouville`` dataset: coordinates, data variables and attributes with units.

Maps and flows have their own time axes: the maps' variables ``map_*`` are on
(``map``, ``step``) with ``step`` the map iteration; the flows' ``flow_*`` on
(``system``, ``integrator``, ``t``) with ``t`` the integrated time [tau]. Cloud
snapshots are on ``step_snapshot`` / ``t_snapshot``. Areas of the maps are
dimensionless; those of the flows are actions [epsilon tau]. An area is NaN (and
``*_resolved`` False) once the boundary needed more than ``max_vertices`` vertices.
"""

from __future__ import annotations

import math

import numpy as np

from neqlab.io.schema import Schema, Var

_RECORDS = {  # name: (units of the maps, units of the flows, long name, kind)
    "area": ("1", "epsilon tau", "area enclosed by the boundary (NaN once unresolved)", "float"),
    "area_rel_change": ("1", "1", "A(t)/A(0) - 1 of the boundary's area", "float"),
    "n_vertices": ("1", "1", "vertices of the refined boundary", "int"),
    "resolved": ("1", "1", "the boundary is resolved (at most max_vertices vertices)", "bool"),
    "gibbs_entropy": ("k_B", "k_B", "Gibbs entropy -<ln rho> of the cloud (kNN; Gaussian formula for the oscillator)",
                      "float"),
    "gibbs_entropy_sub": ("k_B", "k_B", "the same from every 8th point of the cloud", "float"),
    "boltzmann_entropy": ("k_B", "k_B", "Boltzmann entropy ln(area/h)", "float"),
}


def _schema() -> Schema:
    data = {}
    for name, (u_map, u_flow, long_name, kind) in _RECORDS.items():
        data[f"map_{name}"] = Var(("map", "step"), u_map, f"maps: {long_name}", kind)
        data[f"flow_{name}"] = Var(("system", "integrator", "t"), u_flow, f"flows: {long_name}", kind)
    data.update({
        "map_det_per_step": Var(("map",), "1", "det of the one-step Jacobian at a point of the final cloud"),
        "map_period": Var(("map",), "1", "side of the torus the map lives on (NaN: the plane)"),
        "map_is_symplectic": Var(("map",), "1", "the map is symplectic (det J = 1)", "bool"),
        "map_snapshot": Var(("map", "step_snapshot", "point", "axis"), "1",
                            "first 4000 points of the cloud (x, p; NaN if the cloud is smaller)"),
        "flow_det_per_step": Var(("system", "integrator"), "1",
                                 "det of the one-step Jacobian at a point of the final cloud"),
        "integrator_is_symplectic": Var(("integrator",), "1", "the integrator is symplectic", "bool"),
        "flow_snapshot": Var(("system", "integrator", "t_snapshot", "point", "axis"), "1",
                             "first 4000 points of the cloud (q [sigma], p [mass sigma/tau] in reduced units)"),
    })
    return Schema(
        "liouville",
        coords={
            "map": Var(("map",), "1", "map", "str"),
            "step": Var(("step",), "step", "map iterations", "int"),
            "step_snapshot": Var(("step_snapshot",), "step", "map iterations of the cloud snapshots", "int"),
            "system": Var(("system",), "1", "Hamiltonian system", "str"),
            "integrator": Var(("integrator",), "1", "integrator of the flow", "str"),
            "t": Var(("t",), "tau", "time of the flow"),
            "t_snapshot": Var(("t_snapshot",), "tau", "time of the flow's cloud snapshots"),
        },
        data_vars=data,
        attrs={"henon_b": Var((), "1", "parameter b of the Henon map (|det J| = |b|)")},
    )


SCHEMA = _schema()


def assemble(config, maps: dict[str, dict], flows: dict[tuple[str, str], dict], henon_b: float):
    """The dataset from the per-case outputs of :func:`~.tasks.track_region`.

    ``maps``: map name -> output; ``flows``: (system, integrator) -> output, both in the
    order of the coordinates.
    """
    systems = list(dict.fromkeys(s for s, _ in flows))
    integrators = list(dict.fromkeys(i for _, i in flows))
    m_names = list(maps)

    def grid(name):
        return np.stack([np.stack([flows[(s, i)][name] for i in integrators]) for s in systems])

    data = {}
    for prefix, get in (("map", lambda k: np.stack([maps[m][k] for m in m_names])), ("flow", grid)):
        area = get("area")
        data[f"{prefix}_area"] = area
        data[f"{prefix}_area_rel_change"] = area / area[..., :1] - 1.0
        data[f"{prefix}_boltzmann_entropy"] = np.log(area) - math.log(config.h)
        for k in ("n_vertices", "resolved", "gibbs_entropy", "gibbs_entropy_sub", "det_per_step"):
            data[f"{prefix}_{k}"] = get(k)
        data[f"{prefix}_snapshot"] = get("snapshot")
    data["map_period"] = np.stack([maps[m]["period"] for m in m_names])
    data["map_is_symplectic"] = np.stack([maps[m]["is_symplectic"] for m in m_names])
    data["integrator_is_symplectic"] = np.array([bool(flows[(systems[0], i)]["is_symplectic"]) for i in integrators])
    first_map, first_flow = maps[m_names[0]], flows[(systems[0], integrators[0])]
    coords = {
        "map": m_names, "step": first_map["step"], "step_snapshot": first_map["snapshot_step"],
        "system": systems, "integrator": integrators, "t": first_flow["step"] * config.dt,
        "t_snapshot": first_flow["snapshot_step"] * config.dt,
    }
    return SCHEMA.assemble(data, coords=coords, attrs={"henon_b": henon_b})
