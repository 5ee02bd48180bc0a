"""Server endpoints and the WebSocket protocol, without a browser."""

import json
import struct

import numpy as np
import pytest
from starlette.testclient import TestClient

from neqlab.core.errors import ConfigError
from neqlab.testing.validation import out_of_range_values
from neqlab.web.server import create_app
from neqlab.web.session import HEADER, RETURNED, Session, SessionConfig

SMALL = {"n_particles": 64, "density": 0.3, "precision": "exact", "init": "free_expansion", "steps_per_frame": 20}


def parse(frame: bytes) -> dict:
    magic, n, t, h, s, fl, since, flags, step, lt = HEADER.unpack_from(frame)
    assert magic == b"NQL1"
    xy = np.frombuffer(frame, "<u2", 2 * n, HEADER.size)
    return {"n": n, "t": t, "h": h, "s": s, "flags": flags, "step": step, "xy": xy, "len": len(frame)}


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


@pytest.fixture()
def client(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "macrostates.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "summary.json").write_text(json.dumps({"version": "x", "scale": "quick", "claims": []}))
    (tmp_path / "secret.txt").write_text("no")
    return TestClient(create_app(tmp_path))


def test_page_and_limits(client):
    r = client.get("/")
    assert r.status_code == 200 and '<canvas id="gas"' in r.text
    assert 'src="http' not in r.text and 'href="http' not in r.text  # offline: nothing fetched from outside
    lim = client.get("/api/limits").json()
    assert lim["precision"]["choices"] == ["f32", "f64", "exact"] and lim["n_particles"]["hi"] == 5000


def test_results_served_only_from_results_dir(client):
    assert client.get("/results/summary.json").json()["scale"] == "quick"
    assert client.get("/results/figures/macrostates.png").status_code == 200
    for bad in ("/results/figures/..%2Fsecret.png", "/results/secret.txt", "/results/figures/Secret.png",
                "/results/figures/nothere.png", "/../secret.txt"):
        assert client.get(bad).status_code == 404, bad


def test_no_results_dir():
    c = TestClient(create_app(None))
    assert c.get("/results/summary.json").status_code == 404


def test_websocket_reverse_exact_returns_and_bad_input_keeps_session(client):
    with client.websocket_connect("/ws") as ws:
        info = _next(ws, 'json')
        assert info["type"] == "init"
        parse(_next(ws, 'bytes'))
        ws.send_text(json.dumps({"cmd": "reset", "config": SMALL}))
        info = _next(ws, 'json')
        assert info["config"]["n_particles"] == 64 and len(info["side"]) == 64
        f0 = parse(_next(ws, 'bytes'))
        assert f0["len"] == HEADER.size + 5 * 64
        # bad input: an error message, the session stays usable
        ws.send_text(json.dumps({"cmd": "reset", "config": {"n_particles": 10**7}}))
        err = _next(ws, 'json')
        assert err["type"] == "error" and err["message"].startswith("n_particles must be an integer in [16, 5000]")
        _next(ws, 'bytes')
        ws.send_text("not json")
        assert _next(ws, 'json')["type"] == "error"
        _next(ws, 'bytes')
        ws.send_text(json.dumps({"cmd": "explode"}))
        assert "cmd must be one of reset, start, pause, reverse, set" in _next(ws, 'json')["message"]
        _next(ws, 'bytes')
        ws.send_text(json.dumps({"cmd": "start"}))
        f = parse(_next(ws, 'bytes'))
        while f["step"] < 200:
            f = parse(_next(ws, 'bytes'))
        ws.send_text(json.dumps({"cmd": "reverse"}))
        while not f["flags"] & RETURNED:
            f = parse(_next(ws, 'bytes'))
        assert np.array_equal(f["xy"], f0["xy"]) and f["s"] == f0["s"]
        assert abs(f["h"] - f0["h"]) < 1e-12


def test_session_exact_return_any_precision_flag():
    s = Session(SessionConfig(**{**SMALL, "n_particles": 100}))
    x0, v0 = s.state.positions.copy(), s.state.velocities.copy()
    s.start()
    for _ in range(7):
        s.advance()
    s.reverse()
    while s.running:
        s.advance()
    assert s.returned and s.film == 0
    assert np.array_equal(s.state.positions, x0) and np.array_equal(s.state.velocities, -v0)


def test_session_f64_reversal_with_eps_does_not_return_exactly():
    s = Session(SessionConfig(**{**SMALL, "precision": "f64", "eps": 0.01}))
    x0 = s.state.positions.copy()
    s.start()
    for _ in range(20):
        s.advance()
    s.reverse()
    while s.running:
        s.advance()
    assert s.returned and not np.array_equal(s.state.positions, x0)


def test_closed_tab_frees_session(client):
    app = client.app
    with client.websocket_connect("/ws") as ws:
        _next(ws, 'json')
        assert len(app.state.sessions) == 1
        with client.websocket_connect("/ws") as ws2:
            _next(ws2, 'json')
            assert len(app.state.sessions) == 2
    import time

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
