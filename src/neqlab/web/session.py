"""One live simulation per browser tab: the gas engine stepped server-side.

The page never re-implements physics: it sends commands (reset, start, pause,
reverse, speed) and receives compact binary frames with positions, speeds and the
measurements of the current state (H-function, spatial entropy, left fraction).

Binary frame (little endian): a 64-byte header

    magic b"NQL1" | uint32 n | float64 t | float64 h | float64 s | float64 f_left
    | float64 t_since_reversal (-1 before any reversal) | uint32 flags | uint32 step
    | float64 lambda_t (lambda * t_since_reversal, or -1)

followed by n (x, y) pairs as uint16 (fraction of the box times 65535) and n speeds
as uint8 (|v| / (4 sqrt(kT)) times 255, clipped). flags: 1 running, 2 reversed, 4 returned.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from neqlab.core.config import ConfigBase, param
from neqlab.core.rng import Stream, replica_rng
from neqlab.models.gas import PRECISIONS, Params, State, advance, params_for, reverse, to_lattice
from neqlab.models.gas.init import confined_gas, equilibrated_fluid, thermal_contact_gas
from neqlab.observables.divergence import lyapunov_max
from neqlab.observables.entropy import half_fraction, h_function, spatial_entropy

HEADER = struct.Struct("<4sIdddddIId")
MAGIC = b"NQL1"
RUNNING, REVERSED, RETURNED = 1, 2, 4
INITS = ("free_expansion", "thermal_contact", "equilibrium")
KT = 1.0


@dataclass(frozen=True)
class SessionConfig(ConfigBase):
    """What the page may choose (validated: bad input becomes a message on the page)."""

    experiment: ClassVar[str] = "serve"
    n_particles: int = param(1000, lo=16, hi=5000, doc="particles")
    density: float = param(0.3, lo=0.05, hi=0.5, unit="sigma^-2", doc="number density of the whole box")
    precision: str = param("exact", choices=PRECISIONS, doc="f32, f64 or exact (bit-reversible)")
    init: str = param("free_expansion", choices=INITS, doc="initial condition")
    eps: float = param(0.0, lo=0.0, hi=1.0, unit="sigma", doc="position perturbation applied at reversal")
    steps_per_frame: int = param(10, lo=1, hi=200, doc="MD steps between frames (speed)")
    dt: float = param(0.002, lo=0.0005, hi=0.005, unit="tau", doc="time step")
    seed: int = param(0, lo=0, hi=2**31 - 1, doc="random seed")


class Session:
    """State and controls of one live gas."""

    def __init__(self, config: SessionConfig | None = None):
        self.reset(config or SessionConfig())

    # -- controls -------------------------------------------------------------------
    def reset(self, config: SessionConfig) -> None:
        self.config = config
        self.generation = getattr(self, "generation", 0) + 1  # tells stale lambda results apart
        self.lyapunov = None
        self.params = params_for(config.precision, dt=config.dt)
        state = _initial_state(config)
        self.initial = state
        # colour by initial side: the right half of the region the gas occupies at t = 0
        x = state.positions[:, 0]
        self.side = (x >= np.median(x)).astype(np.uint8)
        self.state = to_lattice(state, self.params) if self.params.integrator == "fixed_point" else state
        self.running = False
        self.reversed_at: int | None = None  # elapsed step of the last reversal
        self.returned = False
        self.step = 0  # elapsed steps since reset (always grows)
        self.film = 0  # position along the original film: +1 per step forward, -1 backward
        self.direction = 1

    def start(self) -> None:
        if not self.returned:
            self.running = True

    def pause(self) -> None:
        self.running = False

    def reverse(self) -> None:
        """Reverse every velocity now (after perturbing positions by eps, if set)."""
        eps = self.config.eps
        if eps > 0:
            rng = replica_rng(self.config.seed, 0, Stream.WEB_KICK, sub=self.step)
            x = self.state.positions + eps * rng.standard_normal(self.state.positions.shape)
            box = self.state.box
            x = np.clip(x, 1e-9 * box, box * (1 - 1e-9))
            fl = State(x, self.state.velocities, box, self.state.periodic, self.state.time, self.state.step)
            self.state = to_lattice(fl, self.params) if self.params.integrator == "fixed_point" else fl.astype(self.params.precision)
        self.state = reverse(self.state)
        self.reversed_at = self.step
        self.direction = -self.direction
        self.returned = False

    def advance(self) -> None:
        """One frame: steps_per_frame steps, stopping exactly when a reversed run is back."""
        if not self.running:
            return
        n = self.config.steps_per_frame
        if self.direction < 0:
            n = min(n, self.film)  # stop exactly at the start of the film
        if n > 0:
            self.state = advance(self.state, self.params, n)
            self.step += n
            self.film += self.direction * n
        if self.direction < 0 and self.film == 0:
            self.running = False
            self.returned = True

    def measure_lyapunov(self) -> tuple[int, float, float]:
        """Largest Lyapunov exponent [1/tau] of the initial state (two copies, f64 Verlet).

        Returns (generation, value, standard error); run it off the event loop.
        """
        est = lyapunov_max(self.initial, Params(dt=self.config.dt), t_total=2.0, t_transient=0.5,
                           n_segments=4, seed=self.config.seed)
        return self.generation, est.value, est.err

    # -- output ---------------------------------------------------------------------
    def measurements(self) -> dict[str, float]:
        s = self.state
        return {
            "t": self.step * self.config.dt,
            "h": float(h_function(s.velocities)),
            "s": float(spatial_entropy(s.positions, s.box)),
            "f_left": half_fraction(s.positions, s.box),
        }

    def frame(self) -> bytes:
        s = self.state
        m = self.measurements()
        box = np.asarray(s.box, dtype=np.float64)
        xy = np.clip(s.positions[:, :2] / box[:2], 0.0, 1.0)
        q = np.rint(xy * 65535.0).astype("<u2")
        speed = np.linalg.norm(s.velocities, axis=1) / (4.0 * np.sqrt(KT))
        sp = np.rint(np.clip(speed, 0.0, 1.0) * 255.0).astype(np.uint8)
        since = -1.0 if self.reversed_at is None else (self.step - self.reversed_at) * self.config.dt
        lam_t = -1.0 if (self.lyapunov is None or since < 0) else self.lyapunov * since
        flags = (RUNNING if self.running else 0) | (REVERSED if self.reversed_at is not None else 0) | (
            RETURNED if self.returned else 0)
        head = HEADER.pack(MAGIC, s.n_particles, m["t"], m["h"], m["s"], m["f_left"], since, flags, self.step, lam_t)
        return head + q.tobytes() + sp.tobytes()

    def info(self) -> dict:
        """Sent as JSON after each reset: sizes and the per-particle initial side."""
        box = [float(b) for b in self.state.box]
        eps = self.config.eps
        eff = eps if eps > 0 else {"f32": 6e-8, "f64": 1.1e-16, "exact": 0.0}[self.config.precision]
        return {
            "type": "init",
            "config": self.config.to_dict(),
            "box": box,
            "side": self.side.tolist(),
            "ln_sigma_over_eps": (float(np.log(1.0 / eff)) if eff > 0 else None),
            "lyapunov": self.lyapunov,
        }


def _initial_state(c: SessionConfig) -> State:
    """Free expansion (equilibrated in the left half, then released), thermal contact
    (left half at kT = 2, right at 0.5), or equilibrium; hard walls all round."""
    p = Params(dt=c.dt)
    if c.init == "free_expansion":
        return confined_gas(c.n_particles, c.density, KT, 2, fill=0.5, seed=c.seed, params=p)
    if c.init == "thermal_contact":
        return thermal_contact_gas(c.n_particles, c.density, 2.0, 0.5, 2, seed=c.seed, params=p)
    return equilibrated_fluid(c.n_particles, c.density, KT, 2, seed=c.seed, periodic=False, params=p)
