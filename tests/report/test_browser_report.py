"""The essay report in a real browser (Playwright driving Debian's Chromium), both languages.

Every claim's section is present, every figure loaded, no measured cell shows nan, None
or a dash, and the page's language is the one asked for. Skipped, with the reason, when
Chromium or Playwright is missing (`.ci/run` installs Chromium). Set
NEQLAB_UPDATE_SCREENSHOT=1 to refresh docs/figures/report-{en,ja}.png from this run (the
README's screenshot is taken from a quick-scale report: see docs/web.md).
"""

import os
import shutil
from pathlib import Path

import pytest

from neqlab.experiments import REGISTRY
from neqlab.report import run_essay

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not found (apt-get install chromium)")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("essay")
    run_essay(out, configs={n: REGISTRY[n].SMALL for n in REGISTRY}, progress=False, lang="ja", log=lambda m: None)
    return out


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_report_in_a_browser(report, lang):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto((report / f"index.{lang}.html").as_uri())
        assert page.evaluate("document.documentElement.lang") == lang
        sections = page.eval_on_selector_all("section.claim", "els => els.map(e => e.dataset.experiment)")
        assert sections == list(REGISTRY)
        images = page.eval_on_selector_all("figure img", "els => els.map(e => e.complete && e.naturalWidth)")
        assert len(images) == len(REGISTRY) and all(w and w > 500 for w in images)
        cells = page.eval_on_selector_all("td.num", "els => els.map(e => e.textContent.trim())")
        assert cells and not [c for c in cells if c in ("", "–", "-") or "nan" in c.lower().split() or "None" in c]
        badges = page.eval_on_selector_all(".badge", "els => els.map(e => e.textContent.trim())")
        assert badges
        if lang == "ja":
            assert page.text_content("h1").startswith("エントロピー")
        links = page.eval_on_selector_all(".files a", "els => els.map(e => e.getAttribute('href'))")
        assert all((report / href).is_file() for href in links) and len(links) == 2 * len(REGISTRY)
        if os.environ.get("NEQLAB_UPDATE_SCREENSHOT"):
            page.screenshot(path=str(ROOT / "docs" / "figures" / f"report-{lang}.png"))
        browser.close()
