"""Server endpoints and the WebSocket protocol, without a browser."""

import json
import time

import numpy as np
import pytest
from starlette.testclient import TestClient

from neqlab.core.errors import ConfigError
from neqlab.experiments._base import Bound, Check, Verdict
from neqlab.testing.validation import out_of_range_values
from neqlab.web.gas import HEADER, parse_records
from neqlab.web.server import create_app
from neqlab.web.session import SessionConfig

SMALL = {"n_particles": 64, "density": 0.3, "precision": "exact", "init": "free_expansion", "steps_per_frame": 20}


def _next(ws, want: str):
    """The next message of kind ``want`` ("json" or "bytes"); lambda reports and, when
    waiting for JSON, animation frames may arrive in between and are skipped."""
    while True:
        msg = ws.receive()
        if msg.get("bytes") is not None:
            if want == "bytes":
                return msg["bytes"]
            continue
        data = json.loads(msg["text"])
        if data.get("type") == "lyapunov":
            continue
        if want == "json":
            return data
        raise AssertionError(f"expected a frame, got {data}")


def _summary(lang: str) -> dict:
    label = {"en": "left-half fraction", "ja": "左半分にいる割合"}[lang]
    v = Verdict.from_checks("macrostates", {"en": "Equilibrium is likely", "ja": "平衡は圧倒的に起こりやすい"}[lang],
                            [Check("width", label, 0.51, 0.01, Bound.equal(0.5, 4.0)),
                             Check("tail", label, 0.2, None, Bound.below(0.1))],
                            conditions="N = 100", section="§2.2", lang=lang)
    entry = v.to_dict()
    entry.update({"figure": "figures/macrostates.png", "data": "data/macrostates.nc", "config": {"n": 100}})
    return {"version": "x", "scale": "quick", "lang": lang, "date": "2026-11-28", "claims": [entry]}


@pytest.fixture()
def results_dir(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "macrostates.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "summary.json").write_text(json.dumps(_summary("en")))
    (tmp_path / "summary.ja.json").write_text(json.dumps(_summary("ja"), ensure_ascii=False), encoding="utf-8")
    (tmp_path / "secret.txt").write_text("no")
    return tmp_path


@pytest.fixture()
def client(results_dir):
    return TestClient(create_app(results_dir))


def test_page_scripts_and_limits(client):
    r = client.get("/")
    assert r.status_code == 200 and 'id="panels"' in r.text and 'src="/static/app.js"' in r.text
    assert 'src="http' not in r.text and 'href="http' not in r.text  # offline: nothing fetched from outside
    js = client.get("/static/app.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert 'import {drawGas' in js.text and "http" not in client.get("/static/plot.js").text
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")
    for bad in ("/static/index.html", "/static/..%2Fserver.py", "/static/nothere.js", "/static/App.js"):
        assert client.get(bad).status_code == 404, bad
    lim = client.get("/api/limits").json()
    assert lim["precision"]["choices"] == ["f32", "f64", "exact"] and lim["n_particles"]["hi"] == 5000


def test_strings_in_both_languages(client):
    en, ja = (client.get(f"/api/strings?lang={lg}").json() for lg in ("en", "ja"))
    assert en["lang"] == "en" and ja["lang"] == "ja" and set(en["strings"]) == set(ja["strings"])
    assert en["strings"]["status.returned"].startswith("returned") and "戻った" in ja["strings"]["status.returned"]
    assert client.get("/api/strings").json()["lang"] == "en"  # the browser chooses; no choice: English
    r = client.get("/api/strings?lang=fr")
    assert r.status_code == 400 and r.json()["error"] == "lang must be one of en, ja, got 'fr'"


def test_every_text_the_page_uses_is_in_the_catalogue(client):
    """data-i18n keys of the page and tr("...") keys of its script exist (both languages: test_i18n)."""
    import re

    keys = set(client.get("/api/strings?lang=en").json()["strings"])
    page = client.get("/").text + client.get("/static/app.js").text
    used = set(re.findall(r'data-i18n(?:-title)?="([\w.]+)"', page)) | set(re.findall(r'\btr\("([\w.]+)"', page))
    used |= set(re.findall(r'"((?:tab|ctl|opt|btn|preset|status|ro|plot|cap|results)\.\w+)"', page))  # key tables
    used = {k for k in used if not k.endswith((".", "_"))}  # prefixes completed below
    used |= {f"status.{k}" for k in ("running", "reversed", "returned", "did_not_return")}
    used |= {f"cap.{p}" for p in ("exact", "f64", "f32")} | {f"cap.entropy_{k}" for k in ("hydro", "mu", "pos", "negh")}
    assert len(used) > 60 and used <= keys, sorted(used - keys)


def test_saved_results_per_claim_in_the_page_language(client):
    ja = client.get("/results/claims?lang=ja").json()
    assert ja["source"] == "summary.ja.json" and ja["lang"] == "ja"
    assert "平衡は圧倒的に起こりやすい" in ja["html"] and "成り立たない" in ja["html"]  # badge in Japanese
    assert "<table class='checks'>" in ja["html"] and "src='/results/figures/macrostates.png'" in ja["html"]
    en = client.get("/results/claims?lang=en").json()
    assert en["source"] == "summary.json" and "does not hold" in en["html"] and "&lt; 0.1" in en["html"]


def test_saved_results_fall_back_to_summary_json(results_dir):
    (results_dir / "summary.ja.json").unlink()
    ja = TestClient(create_app(results_dir)).get("/results/claims?lang=ja").json()
    assert ja["source"] == "summary.json" and ja["summary_lang"] == "en" and "Equilibrium is likely" in ja["html"]
    assert "成り立たない" in ja["html"]  # the chrome follows the page's language


def test_results_served_only_from_results_dir(client):
    assert client.get("/results/summary.json").json()["scale"] == "quick"
    assert client.get("/results/figures/macrostates.png").status_code == 200
    for bad in ("/results/figures/..%2Fsecret.png", "/results/secret.txt", "/results/figures/Secret.png",
                "/results/figures/nothere.png", "/../secret.txt"):
        assert client.get(bad).status_code == 404, bad


def test_no_results_dir():
    c = TestClient(create_app(None))
    assert c.get("/results/summary.json").status_code == 404
    assert c.get("/results/claims?lang=ja").status_code == 404


def test_websocket_reverse_exact_returns_and_bad_input_keeps_session(client):
    with client.websocket_connect("/ws") as ws:
        info = _next(ws, "json")
        assert info["type"] == "init" and info["mode"] == "single"
        parse_records(_next(ws, "bytes"))
        ws.send_text(json.dumps({"cmd": "reset", "config": SMALL}))
        info = _next(ws, "json")
        assert info["config"]["n_particles"] == 64 and len(info["gases"][0]["side"]) == 64
        frame0 = _next(ws, "bytes")
        assert len(frame0) == HEADER.size + 5 * 64
        f0 = parse_records(frame0)[0]
        # bad input: an error message, the session stays usable
        ws.send_text(json.dumps({"cmd": "reset", "config": {"n_particles": 10**7}}))
        err = _next(ws, "json")
        assert err["type"] == "error" and err["message"].startswith("n_particles must be an integer in [16, 5000]")
        _next(ws, "bytes")
        ws.send_text("not json")
        assert _next(ws, "json")["type"] == "error"
        _next(ws, "bytes")
        ws.send_text(json.dumps({"cmd": "explode"}))
        assert "cmd must be one of reset, start, pause, reverse, set" in _next(ws, "json")["message"]
        _next(ws, "bytes")
        ws.send_text(json.dumps({"cmd": "set", "config": {"n_particles": 5}}))
        assert _next(ws, "json")["message"] == "set accepts only eps, kick, steps_per_frame, got 'n_particles'"
        _next(ws, "bytes")
        ws.send_text(json.dumps({"cmd": "reverse"}))  # nothing to reverse yet
        assert _next(ws, "json")["message"].startswith("reverse needs a forward run first")
        _next(ws, "bytes")
        ws.send_text(json.dumps({"cmd": "start"}))
        f = parse_records(_next(ws, "bytes"))[0]
        while f["step"] < 200:
            f = parse_records(_next(ws, "bytes"))[0]
        ws.send_text(json.dumps({"cmd": "reverse"}))
        while f["status"] not in ("returned", "did not return"):
            f = parse_records(_next(ws, "bytes"))[0]
        assert f["status"] == "returned" and f["return_error"] == 0.0
        assert np.array_equal(f["xy"], f0["xy"]) and f["s_pos"] == f0["s_pos"] and f["h"] == f0["h"]


def test_websocket_pair_mode(client):
    with client.websocket_connect("/ws?mode=pair") as ws:
        info = _next(ws, "json")
        assert info["mode"] == "pair" and [g["n_particles"] for g in info["gases"]] == [2500, 20000]
        ws.send_text(json.dumps({"cmd": "reset", "config": {"n_small": 64, "n_large": 256, "precision": "exact",
                                                            "steps_per_frame": 50, "reverse_at": 0.85}}))
        assert [g["n_particles"] for g in _next(ws, "json")["gases"]] == [64, 256]
        assert [r["n"] for r in parse_records(_next(ws, "bytes"))] == [64, 256]
        ws.send_text(json.dumps({"cmd": "reset", "config": {"n_particles": 64}}))
        assert _next(ws, "json")["message"].startswith("unknown key 'n_particles' for serve; valid keys: n_small, n_large")
        _next(ws, "bytes")
        ws.send_text(json.dumps({"cmd": "start"}))
        recs = parse_records(_next(ws, "bytes"))
        while any(r["status"] not in ("returned", "did not return") for r in recs):
            recs = parse_records(_next(ws, "bytes"))
        assert [r["status"] for r in recs] == ["returned", "returned"] and [r["return_error"] for r in recs] == [0, 0]


def test_unknown_mode_is_an_error(client):
    with client.websocket_connect("/ws?mode=triple") as ws:
        assert _next(ws, "json")["message"] == "mode must be one of single, pair, got 'triple'"


def test_closed_tab_frees_session(client):
    app = client.app
    with client.websocket_connect("/ws") as ws:
        _next(ws, "json")
        assert len(app.state.sessions) == 1
        with client.websocket_connect("/ws") as ws2:
            _next(ws2, "json")
            assert len(app.state.sessions) == 2
    deadline = time.monotonic() + 5
    while app.state.sessions and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(app.state.sessions) == 0


@pytest.mark.parametrize("field, bad", out_of_range_values(SessionConfig))
def test_session_config_rejects_out_of_range(field, bad):
    for value in bad:
        with pytest.raises(ConfigError, match=rf"^{field} must be"):
            SessionConfig(**{field: value})


def test_lyapunov_measured_for_each_gas(client):
    """After a reset the server measures lambda of the new gas and sends it (two-copy method)."""
    with client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"cmd": "reset", "config": {**SMALL, "n_particles": 200, "density": 0.3}}))
        lam = None
        while lam is None:
            msg = ws.receive()
            if msg.get("text"):
                data = json.loads(msg["text"])
                if data.get("type") == "lyapunov" and data["value"] > 0:
                    lam = data
        # a dense WCA gas is chaotic: lambda of order 1-3 per tau (PHYSICS.md), error smaller than the value
        assert 0.5 < lam["value"] < 6.0 and lam["err"] < lam["value"]
