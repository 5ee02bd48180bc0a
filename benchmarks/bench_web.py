"""Live page: frames per second the server can produce, one gas and the side-by-side pair.

Each figure is a ratio against a baseline timed in the same run, interleaved with it
(7 rounds of 10 frames, medians: the machine is shared and its load moves): the engine alone
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
from pathlib import Path

import numpy as np

from _machine import cpu_model as _model
from neqlab.models.gas import advance
from neqlab.observables.hydro import hydro_entropy
from neqlab.web import pair as pair_mod
from neqlab.web.gas import GasSpec, LiveGas
from neqlab.web.pair import PairConfig, PairSession
from neqlab.web.session import Session, SessionConfig


def cpu_model() -> str:
    """The CPU model as lscpu reports it, and the core count."""
    return f"{_model()}, {os.cpu_count()} cores"


def _warm(session, n: int = 3) -> None:
    session.start()
    for _ in range(n):
        session.advance()
        session.frame()


CPU_MS: dict = {}  # CPU time per call [ms] of the last _rate of each label (process time, all threads)


def _rate(step, n_frames: int, label: str = "") -> float:
    """Frames per second of ``n_frames`` calls of ``step``."""
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(n_frames):
        step()
    wall = time.perf_counter() - t0
    if label:
        CPU_MS.setdefault(label, []).append(1e3 * (time.process_time() - c0) / n_frames)
    return n_frames / wall


def _interleaved(cases: dict, baseline, n_frames: int, rounds: int) -> dict:
    """Median frames/s of each case and median ratio to the baseline timed right after it,
    over ``rounds`` rounds (the machine is shared: interleaving keeps the load alike)."""
    fps = {k: [] for k in cases}
    ratio = {k: [] for k in cases}
    base = []
    for _ in range(rounds):
        for k, step in cases.items():
            f = _rate(step, n_frames, k)
            b = _rate(baseline, n_frames, k + ":baseline")
            fps[k].append(f)
            ratio[k].append(f / b)
            base.append(b)
    return {k: (float(np.median(fps[k])), float(np.median(base)), float(np.median(ratio[k]))) for k in cases}


def _single(n_particles: int, n_frames: int, rounds: int) -> dict:
    out = {}
    for precision in ("exact", "f64"):
        s = Session(SessionConfig(n_particles=n_particles, precision=precision, steps_per_frame=10))
        _warm(s)
        g = s.gas
        box = {"state": g.state}

        def raw(g=g, box=box):
            box["state"] = advance(box["state"], g.params, 10)
        out.update(_interleaved({precision: lambda s=s: (s.advance(), s.frame())}, raw, n_frames, rounds))
    return out


VARIANTS = {"threads1": (1, False), "threads1_concurrent": (1, True), "threads2": (2, False),
            "threads2_concurrent": (2, True)}


def _pair(n_small: int, n_large: int, n_frames: int, rounds: int) -> dict:
    """Every variant of THREADS_LARGE and CONCURRENT, interleaved with the engine alone."""
    sessions, cases = {}, {}
    old = pair_mod.THREADS_LARGE, pair_mod.CONCURRENT
    try:
        for name, (threads, concurrent) in VARIANTS.items():
            pair_mod.THREADS_LARGE = threads
            sessions[name] = p = PairSession(PairConfig(n_small=n_small, n_large=n_large, precision="f64",
                                                        reverse_at=0.0))
            _warm(p)

            def step(p=p, concurrent=concurrent):
                pair_mod.CONCURRENT = concurrent
                p.advance()
                p.frame()
            cases[name] = step
        ref = sessions["threads1"]
        states = [g.state for g in ref.gases]
        params = ref.gases[0].params

        def raw():  # the engine alone, one gas after the other, serial kernels
            for i in range(2):
                states[i] = advance(states[i], params, 10)
        return _interleaved(cases, raw, n_frames, rounds)
    finally:
        pair_mod.THREADS_LARGE, pair_mod.CONCURRENT = old


def _hydro_ms(n_particles: int) -> tuple[float, float]:
    """(one S_hydro call, one 10-step advance) [ms] for a gas of n_particles, 1 tau after its release."""
    g = LiveGas(GasSpec(n_particles, 0.3, "f64", "free_expansion", 0, 0.002))
    g.start()
    g.advance(500)
    st = g.state
    t_h = 1e3 / float(np.median([_rate(lambda: hydro_entropy(st.positions, st.velocities, st.box, g.cells), 5)
                                  for _ in range(3)]))
    t_a = 1e3 / float(np.median([_rate(lambda: advance(st, g.params, 10), 5) for _ in range(3)]))
    return t_h, t_a


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far [s] (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def _chromium_fps(seconds: float = 10.0) -> tuple[float, float, float] | None:
    """(frames/s a headless Chromium receives in the side-by-side mode, the server's CPU ms
    per frame meanwhile, the page's draw time per panel [ms]); None without a browser."""
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
            f0, t0, c0 = page.evaluate("window.neqlab.frames"), time.monotonic(), _cpu_seconds(proc.pid)
            time.sleep(seconds)
            f1, t1, c1 = page.evaluate("window.neqlab.frames"), time.monotonic(), _cpu_seconds(proc.pid)
            draw = page.evaluate("window.neqlab.drawMs")
            browser.close()
        return (f1 - f0) / (t1 - t0), 1e3 * (c1 - c0) / max(f1 - f0, 1), draw
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run(smoke: bool = False) -> dict:
    """``smoke``: a few frames of small gases (checks that the benchmark still works)."""
    n_frames, rounds = (2, 1) if smoke else (10, 7)
    n1, n_small, n_large = (100, 64, 256) if smoke else (2500, 2500, 20000)
    cpu = cpu_model()
    out = {}
    for precision, (fps, base, ratio) in _single(n1, n_frames, rounds).items():
        out[f"web_frames_per_s_n{n1}_{precision}"] = {
            "value": fps, "unit": "frames/s", "baseline": base, "ratio": ratio, "cpu": cpu,
            "baseline_name": "engine advance alone (10 steps/frame)"}
    for name, (fps, base, ratio) in _pair(n_small, n_large, n_frames, rounds).items():
        out[f"web_pair_frames_per_s_{n_small}_{n_large}_f64_{name}"] = {
            "value": fps, "unit": "frames/s", "baseline": base, "ratio": ratio, "cpu": cpu,
            "baseline_name": "engine advance alone, both gases serial"}
    # CPU time per frame (robust to the load of other jobs): what one free core would give
    c, b = float(np.median(CPU_MS["threads1"])), float(np.median(CPU_MS["threads1:baseline"]))
    out[f"web_pair_cpu_ms_per_frame_{n_small}_{n_large}_f64"] = {
        "value": c, "unit": "ms CPU/frame", "baseline": b, "ratio": c / b, "cpu": cpu,
        "baseline_name": "engine advance alone, CPU ms per frame"}
    for n in (n_small, n_large):
        t_h, t_a = _hydro_ms(n)
        out[f"web_hydro_entropy_ms_n{n}"] = {"value": t_h, "unit": "ms/call", "baseline": t_a, "ratio": t_h / t_a,
                                             "cpu": cpu, "baseline_name": "one frame's advance (10 steps) [ms]"}
    if not smoke:
        got = _chromium_fps()
        if got is not None:
            fps, server_ms, draw_ms = got
            out["web_pair_chromium_frames_per_s"] = {
                "value": fps, "unit": "frames/s", "baseline": 30.0, "ratio": fps / 30.0, "cpu": cpu,
                "baseline_name": "the server's cap per tab (30 frames/s)"}
            out["web_pair_chromium_server_cpu_ms_per_frame"] = {
                "value": server_ms, "unit": "ms CPU/frame", "baseline": 1e3 / 30.0, "ratio": server_ms * 30.0 / 1e3,
                "cpu": cpu, "baseline_name": "the frame interval at 30 frames/s [ms]"}
            out["web_pair_chromium_draw_ms_per_panel"] = {
                "value": draw_ms, "unit": "ms/panel", "baseline": 1e3 / 30.0, "ratio": draw_ms * 30.0 / 1e3,
                "cpu": cpu, "baseline_name": "the frame interval at 30 frames/s [ms]"}
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    from run_all import print_table

    print(f"CPU: {cpu_model()}; load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print_table(run(smoke="--smoke" in sys.argv))
