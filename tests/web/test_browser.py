"""End to end in a real browser: Playwright driving Debian's Chromium.

Skipped, with the reason, when Chromium or Playwright is missing (`.ci/run` installs
Chromium as root). Set NEQLAB_UPDATE_SCREENSHOT=1 to refresh docs/figures/web.png.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not found (apt-get install chromium)")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture()
def server(tmp_path):
    results = tmp_path / "essay"
    (results / "figures").mkdir(parents=True)
    (results / "summary.json").write_text('{"version": "t", "scale": "quick", "claims": []}')
    proc = subprocess.Popen([sys.executable, "-m", "neqlab.cli.main", "serve", "--port", "0", "--results", str(results)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "open http://" in line, proc.stderr.read()
    url = line.split("open ")[1].split()[0]
    yield url, proc
    proc.terminate()
    proc.wait(timeout=20)


def test_reverse_exact_returns_h_and_picture_and_bad_input(server, tmp_path):
    url, proc = server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 800})
        page.goto(url)
        page.wait_for_function("window.neqlab.last !== null", timeout=120_000)  # first numba compile
        page.fill("#n_particles", "1000")
        page.select_option("#precision", "exact")
        page.select_option("#init", "free_expansion")
        page.click("#reset")
        page.wait_for_function("window.neqlab.info.config.n_particles === 1000 && window.neqlab.last.n === 1000",
                               timeout=120_000)
        initial_png = page.evaluate("document.getElementById('gas').toDataURL()")
        h0, s0 = page.text_content("#h0"), page.text_content("#s0")
        page.wait_for_function("window.neqlab.lyapunov !== undefined", timeout=60_000)
        assert float(page.text_content("#lam").split()[0]) > 0  # lambda of this gas, measured by the server
        page.click("#start")
        page.wait_for_function("window.neqlab.last.t > 3.0", timeout=60_000)
        moved_png = page.evaluate("document.getElementById('gas').toDataURL()")
        assert moved_png != initial_png  # the gas did expand on the canvas
        assert page.evaluate("window.neqlab.last.s") > page.evaluate("window.neqlab.initial.s")
        page.click("#start")  # pause for the screenshot: the expanded gas, coloured by initial side
        page.wait_for_function("document.getElementById('status').textContent === 'paused'")
        shot = Path("docs/figures/web.png") if os.environ.get("NEQLAB_UPDATE_SCREENSHOT") else tmp_path / "web.png"
        page.screenshot(path=str(shot))
        page.click("#reverse")
        page.click("#start")
        page.wait_for_function("window.neqlab.last.lt > 0", timeout=60_000)  # lambda t since reversal shown
        page.wait_for_function("document.getElementById('status').textContent === 'returned'", timeout=60_000)
        # read through the page: H and S back at their initial values, and the same picture
        assert page.text_content("#h") == h0 and page.text_content("#s") == s0
        assert abs(page.evaluate("window.neqlab.last.h - window.neqlab.initial.h")) < 1e-12
        assert page.evaluate("document.getElementById('gas').toDataURL()") == initial_png
        # bad input: a message on the page, and the server keeps running
        page.fill("#n_particles", "999999")
        page.click("#reset")
        page.wait_for_function("document.getElementById('error').textContent.length > 0", timeout=30_000)
        assert page.text_content("#error").startswith("n_particles must be an integer in [16, 5000]")
        assert proc.poll() is None
        page.fill("#n_particles", "200")
        page.click("#reset")
        page.wait_for_function("window.neqlab.info.config.n_particles === 200", timeout=60_000)
        # the saved-results tab
        page.click("#tab-results")
        page.wait_for_function("document.getElementById('results-body').textContent.includes('scale quick')")
        browser.close()
