"""One live simulation per browser tab: the gas engine stepped server-side.

The page never re-implements physics: it sends commands (reset, start, pause,
reverse, set) and receives one binary message per animation frame, made of one record
per gas (:mod:`neqlab.web.gas` documents the record). Two page modes share the
protocol: ``single`` (:class:`Session`, one gas) and ``pair`` (:class:`~neqlab.web.pair.PairSession`,
two gases side by side); :func:`make_session` builds either.

Both kinds offer the server the same interface: ``Config`` (the validated settings of
a reset), ``SETTABLE`` (what ``set`` may change without a reset), ``config``,
``generation``, ``lyapunov``, ``running``, ``reset``, ``start``, ``pause``, ``reverse``,
``advance``, ``frame``, ``info`` and ``measure_lyapunov``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError
from neqlab.models.gas import PRECISIONS
from neqlab.web.gas import INITS, KICKS, GasSpec, LiveGas

MODES = ("single", "pair")


@dataclass(frozen=True)
class SessionConfig(ConfigBase):
    """What the single page may choose (validated: bad input becomes a message on the page)."""

    experiment: ClassVar[str] = "serve"
    n_particles: int = param(1000, lo=16, hi=5000, doc="particles")
    density: float = param(0.3, lo=0.05, hi=0.5, unit="sigma^-2", doc="number density of the whole box")
    precision: str = param("exact", choices=PRECISIONS, doc="f32, f64 or exact (bit-reversible)")
    init: str = param("free_expansion", choices=INITS, doc="initial condition")
    eps: float = param(0.0, lo=0.0, hi=1.0, unit="sigma", doc="kick at the reversal: rms displacement of the kicked particles")
    kick: str = param("all", choices=KICKS, doc="which particles the kick eps moves: all, or one")
    steps_per_frame: int = param(10, lo=1, hi=200, doc="MD steps between frames (speed)")
    dt: float = param(0.002, lo=0.0005, hi=0.005, unit="tau", doc="time step")
    seed: int = param(0, lo=0, hi=2**31 - 1, doc="random seed")


class Session:
    """State and controls of one live gas (the single page)."""

    Config: ClassVar[type] = SessionConfig
    SETTABLE: ClassVar[tuple[str, ...]] = ("steps_per_frame", "eps", "kick")
    mode: ClassVar[str] = "single"

    def __init__(self, config: SessionConfig | None = None):
        self.generation = 0
        self.reset(config or SessionConfig())

    # -- controls -------------------------------------------------------------------
    def reset(self, config: SessionConfig) -> None:
        self.config = config
        self.generation += 1  # tells stale lambda results apart
        c = config
        self.gas = LiveGas(GasSpec(c.n_particles, c.density, c.precision, c.init, c.seed, c.dt), panel=0)

    @property
    def lyapunov(self) -> float | None:
        return self.gas.lyapunov

    @lyapunov.setter
    def lyapunov(self, value: float | None) -> None:
        self.gas.lyapunov = value

    @property
    def running(self) -> bool:
        return self.gas.running

    def start(self) -> None:
        self.gas.start()

    def pause(self) -> None:
        self.gas.running = False

    def reverse(self) -> None:
        """Reverse every velocity now (after the kick eps, if set); once per run."""
        self.gas.reverse(self.config.eps, self.config.kick)

    def advance(self) -> None:
        """One frame: steps_per_frame steps, stopping exactly when a reversed run is back."""
        self.gas.advance(self.config.steps_per_frame)

    def measure_lyapunov(self) -> tuple[int, float, float]:
        """Largest Lyapunov exponent [1/tau] of the initial state: (generation, value, error)."""
        gen = self.generation
        value, err = self.gas.measure_lyapunov()
        return gen, value, err

    # -- output ---------------------------------------------------------------------
    def frame(self) -> bytes:
        return self.gas.record()

    def info(self) -> dict:
        """Sent as JSON after each reset: the mode, the config and each gas's constants."""
        return {"type": "init", "mode": self.mode, "config": self.config.to_dict(),
                "gases": [self.gas.info(self.config.eps)]}


def make_session(mode: str | None = None, *, build: bool = True):
    """A new session of the page ``mode`` ("single", the default, or "pair"); with
    ``build=False`` its class (to check the mode, or price a reset, before building one)."""
    mode = mode or "single"
    if mode not in MODES:
        raise ConfigError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "pair":
        from neqlab.web.pair import PairSession

        kind = PairSession
    else:
        kind = Session
    return kind() if build else kind
