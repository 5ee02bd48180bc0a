"""Side by side: the essay's 2500 and 20000 particles, reversed at the same macroscopic stage.

Two gases at the same density (free expansion from the left half, hard walls) run on
the same clock. "The same stage" is measured by ``stage``:

* ``f_left``: the left-half fraction f_L; the expansion makes it fall, and a bigger box
  reaches a given f_L later (the times scale like the box length L);
* ``t_over_l``: the time per box length t / L [tau/sigma], the same fraction of the
  sound-crossing and relaxation times in both boxes (for late reversals, once f_L
  sloshes about 1/2).

With ``reverse_at`` > 0 both gases are armed from the start and reverse on their own
when they reach it (f_L first at or below it, or t / L at or above it). The Reverse
button decides otherwise: the gas further along reverses at once and the other when it
first reaches the same stage value; pressing it again reverses a waiting gas at once. :data:`PRESETS` are the page's
presets; each names the settings it changes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError
from neqlab.models.gas import PRECISIONS
from neqlab.observables.entropy import half_fraction
from neqlab.web.gas import KICKS, GasSpec, LiveGas

STAGES = ("f_left", "t_over_l")
# Verlet threads of the big gas: >1 selects the engine's 16-slab kernel, whose bits do not
# depend on the thread count; measured in benchmarks/bench_web.py (docs/web.md).
THREADS_LARGE = 1
# Advance the small gas in a worker thread while the large one advances in the caller's
# (the kernels release the GIL; the same bits). Measured in benchmarks/bench_web.py: no
# gain on the shared 2-core machine (docs/web.md), so off.
CONCURRENT = False
_WORKER: ThreadPoolExecutor | None = None


def _worker() -> ThreadPoolExecutor:
    global _WORKER
    if _WORKER is None:  # one thread shared by every pair session of the process
        _WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="neqlab-pair")
    return _WORKER

# Presets of the page: the settings each changes (the others stay as the user set them).
PRESETS = {
    # the essay's observation: f64, reversed when f_L first drops below 0.85
    # (t_r = 9 tau at N = 2500, 24 tau at N = 20000, walls all round)
    "early": {"precision": "f64", "eps": 0.0, "stage": "f_left", "reverse_at": 0.85, "steps_per_frame": 10},
    # the flow has died: t / L = 1.5 tau/sigma (t_r = 137 tau at N = 2500, 387 tau at 20000;
    # the flow energy is then a few 0.01 kT per particle, measured in docs/web.md)
    "flow_died": {"precision": "f64", "eps": 0.0, "stage": "t_over_l", "reverse_at": 1.5, "steps_per_frame": 50},
    # bit-exact dynamics, one particle displaced by 1e-3 sigma at the reversal
    "kick_one": {"precision": "exact", "eps": 1e-3, "kick": "one", "stage": "f_left", "reverse_at": 0.85,
                 "steps_per_frame": 10},
}


@dataclass(frozen=True)
class PairConfig(ConfigBase):
    """What the side-by-side page may choose."""

    experiment: ClassVar[str] = "serve"
    n_small: int = param(2500, lo=16, hi=5000, doc="particles of the small gas")
    n_large: int = param(20000, lo=16, hi=20000, doc="particles of the large gas")
    density: float = param(0.3, lo=0.05, hi=0.5, unit="sigma^-2", doc="number density of both boxes")
    precision: str = param("f64", choices=PRECISIONS, doc="f32, f64 or exact (bit-reversible)")
    eps: float = param(0.0, lo=0.0, hi=1.0, unit="sigma", doc="kick at the reversal: rms displacement of the kicked particles")
    kick: str = param("all", choices=KICKS, doc="which particles the kick eps moves: all, or one")
    stage: str = param("f_left", choices=STAGES, doc="what 'the same stage' means: left-half fraction or t / L")
    reverse_at: float = param(0.85, lo=0.0, hi=20.0, doc="stage of the reversal (f_L, or t / L [tau/sigma]); 0: the button")
    steps_per_frame: int = param(10, lo=1, hi=200, doc="MD steps between frames (speed)")
    dt: float = param(0.002, lo=0.0005, hi=0.005, unit="tau", doc="time step")
    seed: int = param(0, lo=0, hi=2**31 - 1, doc="random seed")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.stage == "f_left" and self.reverse_at >= 1.0:
            raise ConfigError(f"reverse_at must be a number in [0, 1) with stage 'f_left', got {self.reverse_at!r}")
        if self.n_large < self.n_small:
            raise ConfigError(f"n_large must be an integer in [n_small = {self.n_small}, 20000], got {self.n_large}")


class PairSession:
    """Two live gases (panel 0: small, panel 1: large) on one clock, one Reverse button."""

    Config: ClassVar[type] = PairConfig
    SETTABLE: ClassVar[tuple[str, ...]] = ("steps_per_frame", "eps", "kick")
    mode: ClassVar[str] = "pair"

    def __init__(self, config: PairConfig | None = None):
        self.generation = 0
        self.reset(config or PairConfig())

    def reset(self, config: PairConfig) -> None:
        self.config = c = config
        self.generation += 1
        self.gases = [LiveGas(GasSpec(n, c.density, c.precision, "free_expansion", c.seed, c.dt,
                                      threads=1 if i == 0 else THREADS_LARGE), panel=i)
                      for i, n in enumerate((c.n_small, c.n_large))]
        self.target: float | None = c.reverse_at if c.reverse_at > 0 else None
        for g in self.gases:
            g.armed = self.target is not None

    # -- the stage -------------------------------------------------------------------
    def stage_value(self, gas: LiveGas) -> float:
        """f_L [-] or t / L [tau/sigma] of ``gas`` now."""
        s = gas.state
        if self.config.stage == "f_left":
            return half_fraction(s.positions, s.box)
        return gas.step * self.config.dt / float(s.box[0])

    def _reached(self, gas: LiveGas) -> bool:
        v = self.stage_value(gas)
        return v <= self.target if self.config.stage == "f_left" else v >= self.target - 1e-12

    def _steps_to_target(self, gas: LiveGas) -> int | None:
        """With the t / L stage: steps until the armed gas reaches it (lands on it exactly)."""
        if not gas.armed or self.config.stage != "t_over_l":
            return None
        step = int(-(-self.target * float(gas.state.box[0]) // self.config.dt))  # ceil
        return max(step - gas.step, 0)

    # -- controls --------------------------------------------------------------------
    @property
    def lyapunov(self) -> float | None:
        return self.gases[0].lyapunov

    @lyapunov.setter
    def lyapunov(self, value: float | None) -> None:
        for g in self.gases:  # lambda is intensive: one measurement for both
            g.lyapunov = value

    @property
    def running(self) -> bool:
        return any(g.running for g in self.gases)

    def start(self) -> None:
        for g in self.gases:
            g.start()

    def pause(self) -> None:
        for g in self.gases:
            g.running = False

    def reverse(self) -> None:
        """The Reverse button: if one gas is already reversed, the other reverses now;
        otherwise the gas further along reverses now and the other is armed at its stage value."""
        c = self.config
        if all(g.is_reversed for g in self.gases):
            raise ConfigError("reverse is allowed once per run (both gases are reversed); press Reset to run again")
        if any(g.is_reversed for g in self.gases):
            for g in self.gases:
                if not g.is_reversed:
                    g.reverse(c.eps, c.kick)
            return
        values = [self.stage_value(g) for g in self.gases]
        pick = min if c.stage == "f_left" else max
        lead = pick(range(2), key=lambda i: values[i])
        self.gases[lead].reverse(c.eps, c.kick)
        self.target = values[lead]
        self.gases[1 - lead].armed = True
        self._fire()

    def _fire(self) -> None:
        for g in self.gases:
            if g.armed and not g.is_reversed and g.index > 0 and self._reached(g):
                g.reverse(self.config.eps, self.config.kick)

    def advance(self) -> None:
        """One frame: each running gas takes steps_per_frame steps (an armed gas stops at
        its stage with t / L), then every armed gas that reached its stage reverses."""
        n = self.config.steps_per_frame
        steps = []
        for g in self.gases:
            k = self._steps_to_target(g)
            steps.append(n if k is None or k == 0 else min(n, k))
        small, large = self.gases
        if CONCURRENT and small.running and large.running:
            job = _worker().submit(small.advance, steps[0])
            try:
                large.advance(steps[1])
            finally:
                job.result()
        else:
            small.advance(steps[0])
            large.advance(steps[1])
        self._fire()

    def measure_lyapunov(self) -> tuple[int, float, float]:
        """lambda [1/tau] of the small gas's initial state (intensive: it stands for both)."""
        gen = self.generation
        value, err = self.gases[0].measure_lyapunov()
        return gen, value, err

    # -- output ----------------------------------------------------------------------
    def frame(self) -> bytes:
        return b"".join(g.record() for g in self.gases)

    def info(self) -> dict:
        return {"type": "init", "mode": self.mode, "config": self.config.to_dict(),
                "gases": [g.info(self.config.eps) for g in self.gases],
                "presets": PRESETS}
