"""Molecular dynamics of a 2D/3D gas: WCA or truncated-shifted LJ, Verlet or bit-reversible.

Public API: :class:`Params` (:func:`params_for` gives those of a precision "f64", "f32"
or "exact"), :class:`State`, :class:`LatticeState`, :func:`advance`, :class:`ThermalWalls`,
:func:`reverse`, :class:`Stepper` (a run that keeps its lists between calls), :func:`to_lattice`, :func:`from_lattice`, :func:`forces`,
:func:`potential_energy`, :func:`pair_virial`, and the initial conditions of
:mod:`neqlab.models.gas.init`. See ``docs/engine.md``.
"""

from neqlab.models.gas.init import (box_for, confined_gas, equilibrate, equilibrated_fluid,
                                    lattice_gas, lattice_sites, maxwell_boltzmann, random_gas,
                                    thermal_contact_gas)
from neqlab.models.gas.integrators import advance, from_lattice, reverse, to_lattice
from neqlab.models.gas.potentials import forces, pair_virial, potential_energy
from neqlab.models.gas.state import PRECISIONS, LatticeState, Params, State, ThermalWalls, params_for
from neqlab.models.gas.stepper import Stepper

__all__ = [
    "LatticeState", "PRECISIONS", "Params", "State", "advance", "box_for", "confined_gas", "equilibrate",
    "equilibrated_fluid", "forces", "from_lattice", "thermal_contact_gas",
    "lattice_gas", "lattice_sites", "maxwell_boltzmann", "pair_virial", "params_for", "potential_energy",
    "Stepper", "ThermalWalls", "random_gas", "reverse", "to_lattice",
]
