"""The sheared thermostatted WCA fluid: SLLOD, Lees-Edwards, Gaussian thermostats.

Public API: :class:`ShearParams`, :class:`ShearState`, :class:`Record`,
:func:`advance`, :func:`run`, :func:`reverse`, :func:`lattice_state`,
:func:`equilibrium_ensemble`, the phase functions of :mod:`.measure`
(:func:`forces`, :func:`potential_energy`, :func:`pressure_tensor`,
:func:`thermostat_multiplier`, :func:`phase_space_compression`,
:func:`dissipation_function`, :func:`vector_field`) and the tangent dynamics
:func:`tangent_step`, :func:`constraint_normals`. Equations and conventions in
:mod:`neqlab.models.shear.dynamics` and :mod:`neqlab.models.shear.measure`.
"""

from neqlab.models.shear.dynamics import Record, advance, reverse, run
from neqlab.models.shear.init import equilibrium_ensemble, lattice_state
from neqlab.models.shear.measure import (dissipation_function, forces, phase_space_compression, potential_energy,
                                         pressure_tensor, thermostat_multiplier, vector_field)
from neqlab.models.shear.state import ShearParams, ShearState, degrees_of_freedom
from neqlab.models.shear.tangent import constraint_normals, tangent_step

__all__ = [
    "Record", "ShearParams", "ShearState", "advance", "constraint_normals", "degrees_of_freedom",
    "dissipation_function", "equilibrium_ensemble", "forces", "lattice_state", "phase_space_compression",
    "potential_energy", "pressure_tensor", "reverse", "run", "tangent_step", "thermostat_multiplier",
    "vector_field",
]
