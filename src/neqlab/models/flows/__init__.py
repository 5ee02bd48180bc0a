"""Hamiltonian flows (oscillator, pendulum, Henon-Heiles, soft-disk gas) and integrators."""

from neqlab.models.flows.flow import INTEGRATORS, Flow
from neqlab.models.flows.systems import SYSTEMS, HarmonicOscillator, HenonHeiles, Pendulum, SoftDiskGas

__all__ = ["INTEGRATORS", "SYSTEMS", "Flow", "HarmonicOscillator", "HenonHeiles", "Pendulum", "SoftDiskGas"]
