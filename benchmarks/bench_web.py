"""Live page: frames per second the server can produce, one gas and the side-by-side pair.

Each figure is a ratio against a baseline timed in the same run: the engine alone
advancing the same gases by the same steps (no film, no observables, no frame packing),
so the ratio shows what the page's bookkeeping and measurements cost. Target (issue 15):
>= 30 frames/s for the pair N = 2500 + 20000 at 10 steps per frame on 2 cores.

Also timed: one S_hydro evaluation (WCA equation of state) at each size, against one
frame's advance, which sets how often the page computes it (``ENTROPY_EVERY``); and,
when Chromium and Playwright are installed (not in smoke runs), the frames per second a
real browser receives and draws in the side-by-side mode (the server caps a tab at 30).

``python benchmarks/bench_web.py`` prints the table with the CPU model and the load
average; the machine is shared, so say which other jobs ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import numpy as np

from neqlab.models.gas import advance
from neqlab.observables.hydro import hydro_entropy
from neqlab.web import pair as pair_mod
from neqlab.web.gas import GasSpec, LiveGas
from neqlab.web.pair import PairConfig, PairSession
from neqlab.web.session import Session, SessionConfig


def cpu_model() -> str:
    """The CPU model as lscpu reports it, and the core count."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        model = "unknown"
    return f"{model}, {os.cpu_count()} cores"


def _warm(session, n: int = 3) -> None:
    session.start()
    for _ in range(n):
        session.advance()
        session.frame()


def _rate(step, n_frames: int, repeats: int = 3) -> float:
    """Frames per second: the median over ``repeats`` timings of ``n_frames`` calls."""
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n_frames):
            step()
        rates.append(n_frames / (time.perf_counter() - t0))
    return float(np.median(rates))


def _single(precision: str, n_particles: int, n_frames: int) -> tuple[float, float]:
    s = Session(SessionConfig(n_particles=n_particles, precision=precision, steps_per_frame=10))
    _warm(s)
    fps = _rate(lambda: (s.advance(), s.frame()), n_frames)
    g = s.gas
    box = {"state": g.state}

    def raw():
        box["state"] = advance(box["state"], g.params, 10)
    return fps, _rate(raw, n_frames)


def _pair(n_small: int, n_large: int, n_frames: int, *, threads: int, concurrent: bool) -> tuple[float, float]:
    old = pair_mod.THREADS_LARGE, pair_mod.CONCURRENT
    pair_mod.THREADS_LARGE, pair_mod.CONCURRENT = threads, concurrent
    try:
        p = PairSession(PairConfig(n_small=n_small, n_large=n_large, precision="f64", reverse_at=0.0))
        _warm(p)
        fps = _rate(lambda: (p.advance(), p.frame()), n_frames)
    finally:
        pair_mod.THREADS_LARGE, pair_mod.CONCURRENT = old
    states = [g.state for g in p.gases]
    params = [g.params for g in p.gases]

    def raw():  # the engine alone, one gas after the other, serial kernels
        for i in range(2):
            states[i] = advance(states[i], params[0], 10)
    return fps, _rate(raw, n_frames)


def _hydro_ms(n_particles: int) -> tuple[float, float]:
    """(one S_hydro call, one 10-step advance) [ms] for a gas of n_particles, 1 tau after its release."""
    g = LiveGas(GasSpec(n_particles, 0.3, "f64", "free_expansion", 0, 0.002))
    g.start()
    g.advance(500)
    st = g.state
    t_h = 1e3 / _rate(lambda: hydro_entropy(st.positions, st.velocities, st.box, g.cells), 10)
    t_a = 1e3 / _rate(lambda: advance(st, g.params, 10), 10)
    return t_h, t_a


def _chromium_fps(seconds: float = 10.0) -> float | None:
    """Frames per second a headless Chromium receives in the side-by-side mode (None: no browser)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    proc = subprocess.Popen([sys.executable, "-m", "neqlab.cli.main", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = proc.stdout.readline().split("open ")[1].split()[0]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--headless=new", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(url + "?tab=pair&lang=en")
            page.wait_for_function("window.neqlab.gases.length === 2 && window.neqlab.gases[1].last !== null",
                                   timeout=300_000)
            page.evaluate("document.getElementById('reverse_at').value = '0'")
            n = page.evaluate("window.neqlab.inits")
            page.click("#reset")
            page.wait_for_function(f"window.neqlab.inits > {n} && window.neqlab.gases[1].last !== null", timeout=300_000)
            page.click("#start")
            page.wait_for_function("window.neqlab.gases[1].last.t > 0.2", timeout=300_000)
            f0, t0 = page.evaluate("window.neqlab.frames"), time.monotonic()
            time.sleep(seconds)
            f1, t1 = page.evaluate("window.neqlab.frames"), time.monotonic()
            browser.close()
        return (f1 - f0) / (t1 - t0)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run(smoke: bool = False) -> dict:
    """``smoke``: a few frames of small gases (checks that the benchmark still works)."""
    n_frames = 3 if smoke else 40
    n1, n_small, n_large = (100, 64, 256) if smoke else (2500, 2500, 20000)
    cpu = cpu_model()
    out = {}
    for precision in ("exact", "f64"):
        fps, raw = _single(precision, n1, n_frames)
        out[f"web_frames_per_s_n{n1}_{precision}"] = {
            "value": fps, "unit": "frames/s", "baseline": raw, "ratio": fps / raw, "cpu": cpu,
            "baseline_name": "engine advance alone (10 steps/frame)"}
    for threads, concurrent in ((1, False), (1, True), (2, False), (2, True)):
        fps, raw = _pair(n_small, n_large, n_frames, threads=threads, concurrent=concurrent)
        name = f"web_pair_frames_per_s_{n_small}_{n_large}_f64_threads{threads}" + ("_concurrent" if concurrent else "")
        out[name] = {"value": fps, "unit": "frames/s", "baseline": raw, "ratio": fps / raw, "cpu": cpu,
                     "baseline_name": "engine advance alone, both gases serial"}
    for n in (n_small, n_large):
        t_h, t_a = _hydro_ms(n)
        out[f"web_hydro_entropy_ms_n{n}"] = {"value": t_h, "unit": "ms/call", "baseline": t_a, "ratio": t_h / t_a,
                                             "cpu": cpu, "baseline_name": "one frame's advance (10 steps) [ms]"}
    if not smoke:
        fps = _chromium_fps()
        if fps is not None:
            out["web_pair_chromium_frames_per_s"] = {
                "value": fps, "unit": "frames/s", "baseline": 30.0, "ratio": fps / 30.0, "cpu": cpu,
                "baseline_name": "the server's cap per tab (30 frames/s)"}
    return out


if __name__ == "__main__":
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from run_all import print_table

    print(f"CPU: {cpu_model()}; load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print_table(run(smoke="--smoke" in sys.argv))
