"""Units of neqlab's datasets: a small vocabulary of reduced units and a checked grammar.

Every coordinate and data variable carries a ``units`` string written in UDUNITS syntax
over the symbols of :data:`SYMBOLS` (reduced units, k_B = 1): factors separated by a space,
each a symbol with an optional integer power (``^-1`` or ``-1``), and ``1`` for a
dimensionless number (counts, ratios, fractions). Examples: ``"sigma"``,
``"sigma^-2"``, ``"tau^-1"``, ``"epsilon tau^-1"``, ``"k_B"``, ``"1"``.

>>> parse("sigma^-2 tau")
{'sigma': -2, 'tau': 1}
>>> pretty("tau^-1")
'1/τ'
>>> pretty("sigma^-2")
'σ⁻²'
>>> mathtext("epsilon tau^-1")
'$\\\\varepsilon\\\\,\\\\tau^{-1}$'
>>> parse("furlong")
Traceback (most recent call last):
...
neqlab.core.errors.ConfigError: units must be a product of powers of 1, sigma, tau, epsilon, k_B, mass, step, got 'furlong'
"""

from __future__ import annotations

import re

from neqlab.core.errors import ConfigError

# symbol -> (what it measures, meaning, Unicode, mathtext)
SYMBOLS: dict[str, tuple[str, str, str, str]] = {
    "1": ("number", "dimensionless: a count, ratio or fraction", "", ""),
    "sigma": ("length", "the particle diameter σ (the WCA/LJ length scale)", "σ", r"\sigma"),
    "tau": ("time", "τ = σ √(m/ε), the molecular time unit", "τ", r"\tau"),
    "epsilon": ("energy", "ε, the depth of the pair potential (k_B T is measured in ε)", "ε", r"\varepsilon"),
    "k_B": ("entropy", "Boltzmann's constant k_B (entropy in units of k_B)", "k_B", r"k_\mathrm{B}"),
    "mass": ("mass", "the particle mass m", "m", "m"),
    "step": ("time", "one step of a discrete-time model (urn, ring, map)", "step", r"\mathrm{step}"),
}
_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_FACTOR = re.compile(r"^([A-Za-z_]+)(?:\^?(-?\d+))?$")


def parse(units: str) -> dict[str, int]:
    """The symbols of ``units`` with their integer powers (``{}`` for ``"1"``).

    Raises ConfigError if the string is not a product of powers of :data:`SYMBOLS`.
    """
    if not isinstance(units, str) or not units.strip():
        raise ConfigError(f"units must be a non-empty string, got {units!r}")
    text = units.strip()
    if text == "1":
        return {}
    out: dict[str, int] = {}
    for factor in text.split():
        m = _FACTOR.match(factor)
        if not m or m.group(1) not in SYMBOLS or m.group(1) == "1":
            raise ConfigError(f"units must be a product of powers of {', '.join(SYMBOLS)}, got {units!r}")
        power = int(m.group(2)) if m.group(2) else 1
        if power == 0 or m.group(1) in out:
            raise ConfigError(f"units must name each symbol once with a non-zero power, got {units!r}")
        out[m.group(1)] = power
    return out


def is_valid(units: str) -> bool:
    """True if ``units`` parses (see :func:`parse`)."""
    try:
        parse(units)
    except ConfigError:
        return False
    return True


WORDS = {"ja": {"step": "ステップ"}}  # symbols that are words, per language


def pretty(units: str, lang: str = "en") -> str:
    """Unicode for text and HTML: ``sigma^-2`` -> ``σ⁻²``, ``tau^-1`` -> ``1/τ``, ``1`` -> ``''``."""
    powers = parse(units)
    if not powers:
        return ""
    sym = {s: WORDS.get(lang, {}).get(s, SYMBOLS[s][2]) for s in powers}
    if len(powers) == 1:
        (s, p), = powers.items()
        if p == -1:
            return "1/" + sym[s]
    return "·".join(sym[s] + (str(p).translate(_SUP) if p != 1 else "") for s, p in powers.items())


def mathtext(units: str) -> str:
    """Matplotlib mathtext for axis labels: ``epsilon tau^-1`` -> ``$\\varepsilon\\,\\tau^{-1}$``."""
    powers = parse(units)
    if not powers:
        return ""
    parts = [SYMBOLS[s][3] + (f"^{{{p}}}" if p != 1 else "") for s, p in powers.items()]
    return "$" + r"\,".join(parts) + "$"


def label(name: str, units: str, *, math: bool = True) -> str:
    """An axis label ``name [unit]`` (no brackets for a dimensionless quantity)."""
    u = mathtext(units) if math else pretty(units)
    return f"{name} [{u}]" if u else name
