"""One live gas of the page: the engine stepped along a film, reversed once, measured, packed.

A :class:`LiveGas` owns a 2D WCA gas (hard walls all round), its forward
:class:`~neqlab.web.film.Film`, the return error of the backward run and the entropies
the page plots. The single page drives one (:class:`neqlab.web.session.Session`), the
side-by-side page two (:class:`neqlab.web.pair.PairSession`).

Binary record of one gas (little endian), :data:`HEADER` then the particles::

    magic b"NQL2" | uint32 n | uint32 step | uint32 flags | uint8 panel | uint8 status
    | uint16 0 | float64 t, film_t, h, s_pos, f_left, since, lambda_t, return_error,
    return_error_s, s_hydro, s_hydro_err, s_mu

followed by n (x, y) pairs as uint16 (fraction of the box times 65535), n speeds as
uint8 (|v| / (4 sqrt(kT)) times 255, clipped) and zero bytes up to a multiple of 4 (so
the next record's uint16 data stay aligned). ``status`` indexes
:data:`~neqlab.web.film.STATUSES`; flags: :data:`MOVING`, :data:`REVERSED`,
:data:`BACK`, :data:`ENTROPY_FRESH` (s_hydro and s_mu were computed for this frame; NaN
otherwise), :data:`ERROR_FRESH` (a new return-error point at backward time
return_error_s), :data:`ARMED` (the pair page will reverse this gas at the stage).
Times [tau]; t counts every step since the reset, film_t the position along the film;
since = -1 and lambda_t = -1 before the reversal; return_error [sigma] is NaN before
the first point. Entropies per particle [k_B]: h is Boltzmann's H of the velocities
(the page plots -H), s_pos the position entropy over 8 x 8 cells, s_hydro the
local-equilibrium entropy with its standard error, s_mu the mu-space entropy.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np

from neqlab.core.errors import ConfigError, NeqlabError
from neqlab.core.rng import Stream, replica_rng
from neqlab.models.gas import Params, State, advance, params_for, reverse, to_lattice
from neqlab.models.gas.init import confined_gas, equilibrated_fluid, thermal_contact_gas
from neqlab.observables.divergence import lyapunov_max
from neqlab.observables.entropy import h_function, half_fraction, mu_entropy, spatial_entropy
from neqlab.observables.hydro import hydro_entropy
from neqlab.web.film import STATUSES, UNIT_ROUNDOFF, Film, ln_sigma_over_eps, status_of

HEADER = struct.Struct("<4sIIIBBH12d")
MAGIC = b"NQL2"
MOVING, REVERSED, BACK, ENTROPY_FRESH, ERROR_FRESH, ARMED = 1, 2, 4, 8, 16, 32
INITS = ("free_expansion", "thermal_contact", "equilibrium")
KICKS = ("all", "one")
KT = 1.0
FILM_STRIDE = 50  # [steps] first spacing of the recorded forward frames (0.1 tau at dt = 0.002)
FILM_CAPACITY = 128  # frames kept (41 MB of float64 positions at N = 20000)
PARTICLES_PER_CELL = 40  # S_hydro's coarse cells hold about this many particles at the mean density
POSITION_CELLS = 8  # the position entropy's cells per axis (as the loschmidt experiment)
# S_hydro and S_mu are computed on every ENTROPY_EVERY-th frame (and at t = 0, at the
# reversal and at the end); the two gases of the pair take turns. S_hydro costs 1-2 ms at
# N = 2500 and 20-30 ms at N = 20000 (22 x 22 cells) on the shared 2-core machine, against
# 13-20 ms for a frame's advance of both gases: benchmarks/bench_web.py, docs/web.md.
ENTROPY_EVERY = 6


@dataclass(frozen=True)
class GasSpec:
    """What makes one live gas: n_particles, density [sigma^-2], precision, init, seed,
    dt [tau], threads (numba threads of the Verlet step; results depend only on 1 vs > 1)."""

    n_particles: int
    density: float
    precision: str
    init: str
    seed: int
    dt: float
    threads: int = 1


def hydro_cells(n_particles: int) -> int:
    """Coarse cells per axis for S_hydro: about :data:`PARTICLES_PER_CELL` per cell (8 at N = 2500)."""
    return max(1, round(math.sqrt(n_particles / PARTICLES_PER_CELL)))


def initial_state(spec: GasSpec) -> State:
    """Free expansion (equilibrated in the left half, then released), thermal contact
    (left half at kT = 2, right at 0.5), or equilibrium; hard walls all round."""
    p = Params(dt=spec.dt)
    if spec.init == "free_expansion":
        return confined_gas(spec.n_particles, spec.density, KT, 2, fill=0.5, seed=spec.seed, params=p)
    if spec.init == "thermal_contact":
        return thermal_contact_gas(spec.n_particles, spec.density, 2.0, 0.5, 2, seed=spec.seed, params=p)
    if spec.init == "equilibrium":
        return equilibrated_fluid(spec.n_particles, spec.density, KT, 2, seed=spec.seed, periodic=False, params=p)
    raise ConfigError(f"init must be one of {', '.join(INITS)}, got {spec.init!r}")


class LiveGas:
    """A gas on a film: forward, one reversal, back to film index 0, with the return error."""

    def __init__(self, spec: GasSpec, panel: int = 0):
        self.spec, self.panel = spec, panel
        self.params = params_for(spec.precision, dt=spec.dt, threads=spec.threads)
        self.initial = initial_state(spec)
        x = self.initial.positions[:, 0]
        self.side = (x >= np.median(x)).astype(np.uint8)  # colour by the half of the gas at t = 0
        exact = self.params.integrator == "fixed_point"
        self.state = to_lattice(self.initial, self.params) if exact else self.initial.astype(spec.precision)
        self.cells = hydro_cells(spec.n_particles)
        self.film = Film(FILM_STRIDE, FILM_CAPACITY)
        self.film.record(0, self.state.positions)
        self.lyapunov: float | None = None
        self.running = False
        self.step = 0  # steps since the reset (always grows)
        self.index = 0  # film index: +1 per step forward, -1 per step back
        self.reversed_index: int | None = None  # film index at the reversal
        self.reversed_step: int | None = None
        self.is_back = False
        self.armed = False
        self.error = math.nan  # the latest return error [sigma]
        self.error_s = math.nan  # its backward time [tau]
        self._error_fresh = False
        self._entropy_due = True
        self._frames = 0  # records packed since the reset
        self._entropy_phase = (ENTROPY_EVERY // 2) * (panel % 2)  # the pair's two gases take turns

    # -- controls -------------------------------------------------------------------
    @property
    def is_reversed(self) -> bool:
        return self.reversed_index is not None

    @property
    def status(self) -> str:
        return status_of(is_reversed=self.is_reversed, is_back=self.is_back, error=self.error)

    def start(self) -> None:
        if not self.is_back:
            self.running = True

    def reverse(self, eps: float = 0.0, kick: str = "all") -> None:
        """Kick the positions by ``eps`` [sigma] (``kick`` "all": every particle, rms
        displacement eps; "one": one particle, displaced by eps) and reverse every velocity."""
        if self.is_reversed:
            raise ConfigError(f"reverse is allowed once per run (this gas was reversed at t = "
                              f"{self.reversed_step * self.spec.dt:.2f} tau); press Reset to run again")
        if self.index == 0:
            raise ConfigError("reverse needs a forward run first: press Start, then Reverse")
        if kick not in KICKS:
            raise ConfigError(f"kick must be one of {', '.join(KICKS)}, got {kick!r}")
        if eps > 0:
            self.state = self._kicked(eps, kick)
        self.state = reverse(self.state)
        self.reversed_index, self.reversed_step = self.index, self.step
        if eps > 0:  # the first point of the return error: the kick itself
            err = self.film.error_at(self.index, self.state.positions, self.state.box, self.state.periodic)
            if err is not None:
                self.error, self.error_s, self._error_fresh = err, 0.0, True
        self.armed = False
        self._entropy_due = True

    def _kicked(self, eps: float, kick: str):
        s = self.state
        rng = replica_rng(self.spec.seed, self.panel, Stream.WEB_KICK, sub=self.step)
        x = np.array(s.positions, dtype=np.float64)
        if kick == "one":
            i = int(rng.integers(s.n_particles))
            d = rng.standard_normal(s.dim)
            x[i] += eps * d / np.linalg.norm(d)
        else:
            x += eps / math.sqrt(s.dim) * rng.standard_normal(x.shape)
        box = np.asarray(s.box, dtype=np.float64)
        x = np.clip(x, 1e-9 * box, box * (1.0 - 1e-9))  # hard walls all round
        v = np.asarray(s.velocities, dtype=np.float64)
        fl = State(x, v, box, np.asarray(s.periodic).copy(), s.time, s.step)
        if self.params.integrator == "fixed_point":
            return to_lattice(fl, self.params)
        return fl.astype(self.spec.precision)

    def advance(self, n_steps: int) -> None:
        """Up to ``n_steps`` steps along the film, stopping at the recorded frames (forward:
        record; back: compare) and exactly at film index 0 after a reversal."""
        if not self.running:
            return
        direction = -1 if self.is_reversed else 1
        left = n_steps if direction > 0 else min(n_steps, self.index)
        while left > 0:
            k = min(left, self.film.steps_to_mark(self.index, direction))
            self.state = advance(self.state, self.params, k)
            self.step += k
            self.index += direction * k
            left -= k
            if not self.film.is_mark(self.index):
                continue
            if direction > 0:
                self.film.record(self.index, self.state.positions)
            else:
                err = self.film.error_at(self.index, self.state.positions, self.state.box, self.state.periodic)
                if err is not None:
                    self.error, self._error_fresh = err, True
                    self.error_s = (self.reversed_index - self.index) * self.spec.dt
        if self.is_reversed and self.index == 0:
            self.running = False
            self.is_back = True
            self._entropy_due = True

    def measure_lyapunov(self) -> tuple[float, float]:
        """Largest Lyapunov exponent [1/tau] of the initial state (two copies, f64 Verlet):
        (value, standard error). Slow (seconds): run it off the event loop."""
        est = lyapunov_max(self.initial, Params(dt=self.spec.dt), t_total=2.0, t_transient=0.5,
                           n_segments=4, seed=self.spec.seed)
        return est.value, est.err

    # -- output ---------------------------------------------------------------------
    def entropies(self) -> tuple[float, float, float]:
        """(S_hydro, its standard error, S_mu) per particle [k_B]; NaN where not defined."""
        s = self.state
        x, v = s.positions, s.velocities
        try:
            h = hydro_entropy(x, v, s.box, self.cells)
            sh, sh_err = h.per_particle, h.per_particle_err
        except NeqlabError:  # a cell beyond the equation of state: no value this frame
            sh = sh_err = math.nan
        return sh, sh_err, mu_entropy(x, v, s.box).value

    def record(self) -> bytes:
        """This gas's binary record (see the module doc); resets the 'fresh' flags."""
        s = self.state
        x, v = s.positions, s.velocities
        box = np.asarray(s.box, dtype=np.float64)
        dt = self.spec.dt
        flags = (MOVING * self.running) | (REVERSED * self.is_reversed) | (BACK * self.is_back) | (ARMED * self.armed)
        self._frames += 1
        if self._entropy_due or (self._frames + self._entropy_phase) % ENTROPY_EVERY == 0:
            sh, sh_err, smu = self.entropies()
            flags |= ENTROPY_FRESH
            self._entropy_due = False
        else:
            sh = sh_err = smu = math.nan
        if self._error_fresh:
            flags |= ERROR_FRESH
            self._error_fresh = False
        since = -1.0 if self.reversed_step is None else (self.step - self.reversed_step) * dt
        lam_t = -1.0 if (self.lyapunov is None or since < 0) else self.lyapunov * since
        head = HEADER.pack(MAGIC, s.n_particles, self.step, flags, self.panel, STATUSES.index(self.status), 0,
                           self.step * dt, self.index * dt, h_function(v, miller_madow=True),
                           spatial_entropy(x, box, POSITION_CELLS, miller_madow=True), half_fraction(x, box),
                           since, lam_t, self.error, self.error_s, sh, sh_err, smu)
        xy = np.clip(np.asarray(x[:, :2], dtype=np.float64) / box[:2], 0.0, 1.0)
        q = np.rint(xy * 65535.0).astype("<u2")
        speed = np.linalg.norm(np.asarray(v, dtype=np.float64), axis=1) / (4.0 * math.sqrt(KT))
        sp = np.rint(np.clip(speed, 0.0, 1.0) * 255.0).astype(np.uint8)
        return head + q.tobytes() + sp.tobytes() + bytes(-s.n_particles % 4)

    def info(self, eps: float) -> dict:
        """Sizes and constants of this gas for the page (sent as JSON after each reset)."""
        return {
            "panel": self.panel,
            "n_particles": self.spec.n_particles,
            "precision": self.spec.precision,
            "box": [float(b) for b in self.state.box],
            "side": self.side.tolist(),
            "ln_sigma_over_eps": ln_sigma_over_eps(self.spec.precision, eps),
            "unit_roundoff": UNIT_ROUNDOFF[self.spec.precision],
            "hydro_cells": self.cells,
            "position_cells": POSITION_CELLS,
            "entropy_every": ENTROPY_EVERY,
            "lyapunov": self.lyapunov,
        }


def parse_records(blob: bytes) -> list[dict]:
    """The records of one binary message (one per gas), as dicts; for tests and tools."""
    out, off = [], 0
    names = ("t", "film_t", "h", "s_pos", "f_left", "since", "lambda_t", "return_error", "return_error_s",
             "s_hydro", "s_hydro_err", "s_mu")
    while off < len(blob):
        magic, n, step, flags, panel, status, _, *vals = HEADER.unpack_from(blob, off)
        if magic != MAGIC:
            raise NeqlabError(f"frame record must start with {MAGIC!r}, got {magic!r} at byte {off}")
        rec = {"n": n, "step": step, "flags": flags, "panel": panel, "status": STATUSES[status], **dict(zip(names, vals))}
        base = off + HEADER.size
        rec["xy"] = np.frombuffer(blob, "<u2", 2 * n, base)
        rec["speed"] = np.frombuffer(blob, np.uint8, n, base + 4 * n)
        out.append(rec)
        off = base + 5 * n + (-n % 4)
    return out
