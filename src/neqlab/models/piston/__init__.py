"""Ideal gas in a box with a thermal wall and a moving piston (event-driven, exact)."""

from neqlab.models.piston.gas import PistonParams, run

__all__ = ["PistonParams", "run"]
