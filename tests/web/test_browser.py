"""End to end in a real browser: Playwright driving Debian's Chromium.

Skipped, with the reason, when Chromium or Playwright is missing (`.ci/run` installs
Chromium as root). One server for the module (with a real essay report of one claim for
the "Saved results" tab); every test opens its own page. Small gases keep the module
within about a minute: N = 400 reversed at t = 20 tau in f64 does not return
(lambda t ~ 56 > ln(sigma/eps) = 36.7), the same gas in exact arithmetic does.

``NEQLAB_UPDATE_SCREENSHOT=1`` also runs the side-by-side mode at the essay's sizes and
refreshes docs/figures/web.png (and web-single.png, web-ja.png).
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
UPDATE = bool(os.environ.get("NEQLAB_UPDATE_SCREENSHOT"))
DOCS = Path(__file__).resolve().parents[2] / "docs" / "figures"
DRAWN = "window.neqlab.gases.every((g) => g.last !== null && !g.dirty)"  # the latest frame is on the canvas
ENDED = "['returned', 'did not return'].includes(document.querySelector('{p} [data-testid=status]').dataset.status)"


@pytest.fixture(scope="module")
def essay(tmp_path_factory):
    """A real report of one claim (macrostates at its SMALL scale), in both languages."""
    from neqlab.experiments.macrostates.config import SMALL
    from neqlab.report.essay import run_essay

    out = tmp_path_factory.mktemp("essay")
    run_essay(out, names=["macrostates"], configs={"macrostates": SMALL}, progress=False, log=lambda m: None)
    return out


@pytest.fixture(scope="module")
def server(essay):
    proc = subprocess.Popen([sys.executable, "-m", "neqlab.cli.main", "serve", "--port", "0", "--results", str(essay)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "open http://" in line, proc.stderr.read()
    yield line.split("open ")[1].split()[0], proc
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    pg = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    pg.close()
    assert not errors, errors  # no script error on any page


def _open(page, url, query="lang=en"):
    page.goto(f"{url}?{query}")
    page.wait_for_function("window.neqlab.ready && window.neqlab.gases.length > 0 && "
                           "window.neqlab.gases.every((g) => g.last !== null)", timeout=180_000)


def _reset(page, fields: dict, selects: dict = {}):
    for k, v in fields.items():
        page.fill(f"#{k}", str(v))
    for k, v in selects.items():
        page.select_option(f"#{k}", v)
    n = page.evaluate("window.neqlab.inits")
    page.click("#reset")
    page.wait_for_function(f"window.neqlab.inits > {n} && {DRAWN}", timeout=180_000)


def _status(page, panel="[data-panel=single]"):
    return page.get_attribute(f"{panel} [data-testid=status]", "data-status")


def test_f64_reversed_late_does_not_return(page, server):
    url, _ = server
    _open(page, url)
    _reset(page, {"n_particles": 400, "steps_per_frame": 200}, {"precision": "f64", "init": "free_expansion"})
    assert _status(page) == "running"
    assert "f64" in page.text_content("#caption") and "exact" not in page.text_content("#caption").lower()
    page.click("#start")
    page.wait_for_function("window.neqlab.gases[0].last.film_t >= 20", timeout=120_000)
    page.click("#reverse")
    page.wait_for_function("document.querySelector('[data-testid=status]').dataset.status === 'reversed'",
                           timeout=30_000)
    page.wait_for_function(ENDED.format(p="[data-panel=single]"), timeout=120_000)
    assert _status(page) == "did not return"
    err = float(page.get_attribute("[data-testid=return-error]", "data-value"))
    assert err > 0.1 and page.text_content("[data-testid=return-error]").endswith("σ")
    assert page.text_content("[data-testid=status]").startswith("did not return")
    assert float(page.text_content(".ro-lt")) > float(page.text_content(".ro-lne")) == pytest.approx(36.7, abs=0.05)
    assert float(page.text_content("[data-testid=time]")) >= 40.0  # forward and back
    if UPDATE:
        page.screenshot(path=str(DOCS / "web-single.png"))


def test_exact_returns_with_zero_error_and_the_initial_picture(page, server):
    url, _ = server
    _open(page, url)
    _reset(page, {"n_particles": 400, "steps_per_frame": 50, "eps": 0}, {"precision": "exact"})
    assert "exact" in page.text_content("#caption")
    initial_png = page.evaluate("document.querySelector('canvas.gas').toDataURL()")
    h0 = page.evaluate("window.neqlab.gases[0].initial.negh")
    page.click("#start")
    page.wait_for_function("window.neqlab.gases[0].last.t > 4", timeout=60_000)
    assert page.evaluate("document.querySelector('canvas.gas').toDataURL()") != initial_png  # the gas did move
    page.click("#reverse")
    page.wait_for_function(ENDED.format(p="[data-panel=single]"), timeout=120_000)
    page.wait_for_function(DRAWN)
    assert _status(page) == "returned"
    assert page.get_attribute("[data-testid=return-error]", "data-value") == "0"
    assert "0" in page.text_content("[data-testid=return-error]")
    assert page.evaluate("-window.neqlab.gases[0].last.h") == h0
    assert page.evaluate("document.querySelector('canvas.gas').toDataURL()") == initial_png
    # the entropy readout: S_hydro by default, back at S0 exactly
    assert page.get_attribute("[data-testid=entropy]", "data-kind") == "hydro"
    s = float(page.get_attribute("[data-testid=entropy]", "data-value"))
    assert s == page.evaluate("window.neqlab.gases[0].initial.hydro")


def test_side_by_side_both_panels_update(page, server):
    url, _ = server
    _open(page, url, "lang=en&tab=pair")
    assert page.evaluate("window.neqlab.mode") == "pair"
    page.fill("#n_small", "400")
    page.fill("#n_large", "1600")
    n = page.evaluate("window.neqlab.inits")
    page.click("[data-preset=early]")  # f64, both reversed when f_L first drops below 0.85
    page.wait_for_function(f"window.neqlab.inits > {n} && {DRAWN}", timeout=120_000)
    assert page.evaluate("window.neqlab.info.config.reverse_at") == 0.85
    pictures = [page.evaluate(f"document.querySelectorAll('canvas.gas')[{i}].toDataURL()") for i in (0, 1)]
    page.click("#start")
    page.wait_for_function("window.neqlab.gases.every((g) => g.last.t > 1.0)", timeout=120_000)
    moved = [page.evaluate(f"document.querySelectorAll('canvas.gas')[{i}].toDataURL()") for i in (0, 1)]
    assert moved[0] != pictures[0] and moved[1] != pictures[1]  # both pictures are redrawn as the gases move
    for p in ("[data-panel=small]", "[data-panel=large]"):
        page.wait_for_function(ENDED.format(p=p), timeout=120_000)
    t_r = page.evaluate("window.neqlab.gases.map((g) => g.tr)")
    assert 0 < t_r[0] < t_r[1]  # the bigger box reaches the stage later
    for i, p in enumerate(("[data-panel=small]", "[data-panel=large]")):
        assert float(page.text_content(f"{p} [data-testid=time]")) > 2 * t_r[i] - 0.05
        assert float(page.get_attribute(f"{p} [data-testid=return-error]", "data-value")) >= 0
        assert page.evaluate(f"window.neqlab.gases[{i}].history.length") > 20
        assert page.evaluate(f"window.neqlab.gases[{i}].errors.length") > 5


def test_japanese_page(page, server):
    url, _ = server
    _open(page, url, "lang=ja")
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.text_content("#tab-live") == "気体の実験" and page.text_content("#tab-pair") == "2 つの系を並べて"
    assert page.text_content("#reset") == "リセット" and "状態" in page.text_content("[data-panel=single] .readout")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.includes('順方向')")
    assert _status(page) == "running"  # the attribute keeps the exact English value
    assert "計算精度" in page.text_content("#caption")
    assert page.evaluate("document.title").startswith("neqlab・")
    _reset(page, {"n_particles": 400, "steps_per_frame": 50}, {"precision": "exact"})
    page.click("#start")
    page.wait_for_function("window.neqlab.gases[0].last.t > 5", timeout=60_000)
    page.click("#reverse")
    page.wait_for_function(ENDED.format(p="[data-panel=single]"), timeout=120_000)
    assert _status(page) == "returned" and page.text_content("[data-testid=status]").startswith("戻った")
    assert "ビット単位" in page.text_content("[data-testid=return-error]")
    if UPDATE:
        page.wait_for_function(DRAWN)
        page.screenshot(path=str(DOCS / "web-ja.png"))


@pytest.mark.parametrize("lang, holds", [("en", "holds"), ("ja", "成り立つ")])
def test_saved_results_tab_shows_the_report_view(page, server, lang, holds):
    url, _ = server
    page.goto(f"{url}?lang={lang}&tab=results")
    page.wait_for_function("window.neqlab.resultsLoaded === true", timeout=60_000)
    assert page.text_content("#results .badge") == holds
    assert page.locator("#results table.checks tr[data-check]").count() >= 1
    assert page.locator("#results figcaption").count() == 1
    page.wait_for_function("document.querySelector('#results figure img').complete")
    assert page.evaluate("document.querySelector('#results figure img').naturalWidth") > 100  # the figure loaded
    assert "nan" not in page.text_content("#results table.checks").lower()


def test_bad_input_shows_an_error_and_the_server_stays_up(page, server):
    url, proc = server
    _open(page, url)
    page.fill("#n_particles", "999999")
    page.click("#reset")
    page.wait_for_function("document.getElementById('error').textContent.length > 0", timeout=30_000)
    assert "n_particles must be an integer in [16, 5000]" in page.text_content("#error")
    assert proc.poll() is None
    _reset(page, {"n_particles": 200})
    assert page.evaluate("window.neqlab.info.config.n_particles") == 200


@pytest.mark.skipif(not UPDATE, reason="set NEQLAB_UPDATE_SCREENSHOT=1 to refresh docs/figures/web.png")
def test_screenshot_side_by_side_at_the_essay_sizes(page, server):
    """The README's picture: N = 2500 and 20000, f64, reversed at f_L < 0.85, the large one running back."""
    url, _ = server
    _open(page, url, "lang=en&tab=pair")
    n = page.evaluate("window.neqlab.inits")
    page.click("[data-preset=early]")
    page.wait_for_function(f"window.neqlab.inits > {n} && window.neqlab.gases.every((g) => g.last !== null)",
                           timeout=300_000)
    page.click("#start")
    page.wait_for_function(ENDED.format(p="[data-panel=small]"), timeout=900_000)
    page.wait_for_function("window.neqlab.gases[1].last.since > 12", timeout=900_000)
    page.screenshot(path=str(DOCS / "web.png"))
