"""Live server under load: CPU used by 16 greedy tabs with the default particle-step budget.

Sixteen WebSocket clients each run the heaviest gas the page allows (5000 particles,
200 steps per frame, f64) against a server started by ``neqlab.web.server.serve`` in
its own process. Measured over a window after warm-up: the server's CPU time per wall
second (cores busy, from /proc/PID/stat) and the particle-steps per second delivered
in frames, after every tab's Lyapunov measurement is done (so the window holds frames
only). Baseline, timed in the same run: the same load with no budget
(``budget=None``). The ratio is cores(budget) / cores(no budget). Also: the cores the
default budget would use if fully spent (budget x CPU seconds per particle-step).
On a shared machine the cores a run gets depend on the other jobs: quote the load.

``run(smoke=True)`` (``--smoke``): the same two servers and code paths with 2 tabs of 100
particles, 10 steps per frame and a 1 s window (checks that the benchmark still works).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

N_TABS = 16
N_PARTICLES, STEPS = 5000, 200
WARMUP, WINDOW = 240.0, 20.0  # [s]: warm-up ends once every tab's lambda is measured (at most WARMUP)
SMOKE = {"n_tabs": 2, "n_particles": 100, "steps": 10, "warmup": 60.0, "window": 1.0}
FULL = {"n_tabs": N_TABS, "n_particles": N_PARTICLES, "steps": STEPS, "warmup": WARMUP, "window": WINDOW}


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _is_frame(msg, n_particles: int) -> bool:
    """A binary frame of one gas of ``n_particles`` (the record of ``neqlab.web.gas``)."""
    from neqlab.web.gas import HEADER, MAGIC

    return (isinstance(msg, bytes) and len(msg) >= HEADER.size and msg[:4] == MAGIC
            and HEADER.unpack_from(msg)[1] == n_particles)


def _is_lyapunov(msg) -> bool:
    return isinstance(msg, str) and json.loads(msg).get("type") == "lyapunov"


async def _tab(url: str, frames: list, stop: asyncio.Event, mine: list, n_particles: int, steps: int) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, max_size=None, proxy=None, open_timeout=120) as ws:
        await ws.send(json.dumps({"cmd": "reset", "config": {"n_particles": n_particles, "precision": "f64",
                                                             "steps_per_frame": steps}}))
        await ws.send(json.dumps({"cmd": "start"}))
        while not stop.is_set():
            try:
                msg = await asyncio.wait_for(ws.recv(), timeout=1.0)
            except asyncio.TimeoutError:
                continue
            if _is_frame(msg, n_particles):
                frames.append(time.monotonic())
                mine.append(1)
            elif _is_lyapunov(msg):
                mine.append(0)  # lambda of this gas measured: from now on only frames cost


async def _load(url: str, pid: int, n_tabs: int, n_particles: int, steps: int, warmup: float,
                window: float) -> tuple[float, float]:
    frames: list[float] = []
    stop = asyncio.Event()
    per_tab: list[list] = [[] for _ in range(n_tabs)]
    tabs = [asyncio.create_task(_tab(url, frames, stop, per_tab[i], n_particles, steps)) for i in range(n_tabs)]
    t_start = time.monotonic()
    def settled(m):  # lambda measured and two frames since
        return 0 in m and len(m) - m.index(0) > 2

    while not all(settled(m) for m in per_tab) and time.monotonic() - t_start < warmup:
        await asyncio.sleep(0.5)
    if not all(settled(m) for m in per_tab):
        print(f"note: not every tab settled within the {warmup:g} s warm-up "
              f"(frames and lambda per tab: {[len(m) for m in per_tab]})", file=sys.stderr)
    t0, c0 = time.monotonic(), _cpu_seconds(pid)
    await asyncio.sleep(window)
    t1, c1 = time.monotonic(), _cpu_seconds(pid)
    stop.set()
    await asyncio.gather(*tabs, return_exceptions=True)
    n = sum(1 for t in frames if t0 <= t < t1)
    # frames after a reset/start reply count too: each carries n_particles x steps particle-steps at most
    return (c1 - c0) / (t1 - t0), n * n_particles * steps / (t1 - t0)


def _measure(budget: str, n_tabs: int = N_TABS, n_particles: int = N_PARTICLES, steps: int = STEPS,
             warmup: float = WARMUP, window: float = WINDOW) -> tuple[float, float]:
    code = ("import sys; from neqlab.web.server import serve; "
            f"serve('127.0.0.1', 0, max_sessions={n_tabs}, budget={budget}, "
            "on_ready=lambda u: print(u, flush=True))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip().replace("http://", "ws://") + "ws"
        return asyncio.run(_load(url, proc.pid, n_tabs, n_particles, steps, warmup, window))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run(smoke: bool = False) -> dict:
    from neqlab.web.server import BUDGET

    size = SMOKE if smoke else FULL
    cores, rate = _measure(repr(BUDGET), **size)
    free_cores, free_rate = _measure("None", **size)
    if not (rate > 0 and free_rate > 0):
        raise RuntimeError(f"no frames counted in the window ({rate:g} and {free_rate:g} particle-steps/s): "
                           "the frame format or the server changed")
    tabs = size["n_tabs"]
    cost = cores / rate if rate else float("nan")  # CPU seconds per particle-step, budgeted run
    return {
        f"server_cores_{tabs}_tabs_default_budget": {
            "value": cores, "unit": "cores busy", "baseline": free_cores,
            "ratio": cores / free_cores if free_cores else float("nan"),
            "baseline_name": f"same {tabs} tabs, no budget",
        },
        f"server_particle_steps_per_s_{tabs}_tabs": {
            "value": rate, "unit": "particle-steps/s", "baseline": free_rate,
            "ratio": rate / free_rate if free_rate else float("nan"),
            "baseline_name": f"same {tabs} tabs, no budget (budget {BUDGET:g}/s)",
        },
        "server_cores_at_full_budget_projected": {
            "value": BUDGET * cost, "unit": "cores", "baseline": 2.0, "ratio": BUDGET * cost / 2.0,
            "baseline_name": "budget x CPU s per particle-step delivered / both cores",
        },
    }


if __name__ == "__main__":
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from run_all import print_table

    from _machine import cpu_model

    print(f"Model name: {cpu_model()}")
    print(f"load average before: {os.getloadavg()}")
    print_table(run(smoke="--smoke" in sys.argv))
