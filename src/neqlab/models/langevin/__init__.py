"""Langevin ensembles: potentials U(x, lambda), protocols, work and heat per trajectory."""

from neqlab.models.langevin.integrators import (
    LangevinParams,
    State,
    advance,
    equilibrium_state,
    protocol_values,
    trajectory_keys,
)
from neqlab.models.langevin.potentials import Potential, double_well, dragged_trap, stiffness_ramp

__all__ = [
    "LangevinParams", "State", "advance", "equilibrium_state", "protocol_values", "trajectory_keys",
    "Potential", "double_well", "dragged_trap", "stiffness_ramp",
]
