"""The live server against a hostile or careless client (issue 18: items 12, 13, 14, 17).

A real uvicorn server on a free loopback port, driven by a real WebSocket client
(``websockets``): malformed messages get one error line and the session goes on, with
no traceback in the server's log; the Origin check, the session cap and the
particle-step budget; ``summary.json`` served like ``figures/``; binding needs
``allow_remote`` for any non-loopback address.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager

import pytest
from starlette.testclient import TestClient
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from neqlab.core.errors import ConfigError
from neqlab.web.server import (
    BUDGET,
    MAX_MESSAGE,
    MAX_SESSIONS,
    StepBudget,
    bind,
    create_app,
    make_server,
    parse_origin,
)

SMALL = {"n_particles": 64, "density": 0.3, "precision": "exact", "init": "free_expansion", "steps_per_frame": 20,
         "dt": 0.005}


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        if not any(r is record for r in self.records):  # attached to a logger and its parent
            self.records.append(record)

    def tracebacks(self) -> list[str]:
        out = []
        for r in self.records:
            text = r.getMessage()
            if r.exc_info or "Traceback" in text or r.levelno >= logging.ERROR:
                out.append(f"{r.name}: {text}")
        return out


@contextmanager
def live_server(results=None, **options):
    """(base URL, app, log records) of a server running in a thread; stopped on exit."""
    sock = bind("127.0.0.1", 0)
    app = create_app(results, **options)
    server = make_server(sock, app)
    records = _Records()
    loggers = [logging.getLogger(n) for n in ("", "uvicorn", "uvicorn.error", "asyncio", "neqlab.web")]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for lg in loggers:  # after uvicorn has configured its logging
        lg.addHandler(records)
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    host, port = sock.getsockname()[:2]
    try:
        yield f"127.0.0.1:{port}", app, records
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        for lg in loggers:
            lg.removeHandler(records)
        sock.close()


def ws_connect(base, **kw):
    kw.setdefault("proxy", None)
    kw.setdefault("open_timeout", 30)
    return connect(f"ws://{base}/ws", **kw)


def next_json(ws, timeout=60.0) -> dict:
    """The next JSON message, skipping frames and lambda reports."""
    deadline = time.monotonic() + timeout
    while True:
        msg = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
        if isinstance(msg, bytes):
            continue
        data = json.loads(msg)
        if data.get("type") != "lyapunov":
            return data


def next_frame(ws, timeout=60.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        msg = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
        if isinstance(msg, bytes):
            return msg


def _reset(ws, **config):
    """Reset to SMALL (+ config) and return its init message (the connection's own init skipped)."""
    want = {**SMALL, **config}
    ws.send(json.dumps({"cmd": "reset", "config": want}))
    while True:
        info = next_json(ws)
        assert info["type"] == "init", info
        if all(info["config"][k] == v for k, v in want.items()):
            return info


# -- item 12: malformed messages ------------------------------------------------------------------
MALFORMED = [
    ('{"cmd":"reset","config":null}', "config must be a JSON object of keys and values, got None"),
    ('{"cmd":"reset","config":5}', "config must be a JSON object of keys and values, got 5"),
    ('{"cmd":"reset","config":[["eps",1]]}', "config must be a JSON object of keys and values, got [['eps', 1]]"),
    ('{"cmd":"set","config":null}', "config must be a JSON object of keys and values, got None"),
    ('{"cmd":"set","config":[["eps",1]]}', "config must be a JSON object of keys and values"),
    ('{"cmd":"set","config":{"eps":"1e400"}}', "eps must be a number in [0.0, 1.0], got '1e400'"),
    ('{"cmd":"set","config":{"n_particles":100}}', "set accepts only eps, kick, steps_per_frame, got 'n_particles'"),
    ('{"cmd":"reset","config":{"seed":' + "9" * 400 + "}}", "seed must be an integer in [0, 2147483647], got 999999999999...9999 (400 digits)"),
    ('{"cmd":"reset","config":{"seed":' + "9" * 5000 + "}}", "message must be JSON, got"),
    ('{"cmd":"reset","config":{"n_particles":2.0}}', "n_particles must be an integer in [16, 5000], got 2.0"),
    ('{"cmd":"reset","config":{"precision":[1]}}', "precision must be one of 'f32', 'f64', 'exact', got (1,)"),
    ("[" * 30_000 + "]" * 30_000, "message must be JSON, got"),
    ("[" * 100_000, f"message must be at most {MAX_MESSAGE} characters, got 100000"),
    ("x" * (MAX_MESSAGE + 1), f"message must be at most {MAX_MESSAGE} characters"),
    ('"just a string"', "message must be a JSON object"),
    ("null", "message must be a JSON object"),
    ('{"cmd":["reset"]}', "cmd must be one of reset, start, pause, reverse, set, got ['reset']"),
    ('{"cmd":"explode"}', "cmd must be one of reset, start, pause, reverse, set, got 'explode'"),
    ('{"cmd":' + '"x' * 20_000 + '"}', "message must be JSON, got"),
    ("not json", "message must be JSON, got 'not json'"),
    ("\ud800", "message must be JSON"),
]


def test_every_malformed_message_gets_one_error_line_and_the_session_goes_on():
    with live_server() as (base, app, records):
        with ws_connect(base, max_size=None) as ws:
            _reset(ws)
            for text, expected in MALFORMED:
                if "\ud800" in text:
                    continue  # not encodable as a text frame by a client
                ws.send(text)
                err = next_json(ws)
                assert err["type"] == "error" and expected in err["message"], (text[:60], err)
                assert "\n" not in err["message"] and len(err["message"]) < 400
                next_frame(ws)  # the state after the command
            for blob in (b"", b"\x00\x01", b'{"cmd":"start"}', bytes(range(256)) * 100):
                ws.send(blob)
                err = next_json(ws)
                assert err == {"type": "error", "message":
                               f"message must be a JSON text frame, got a binary frame of {len(blob)} bytes"}
            # over 1 MiB the WebSocket layer refuses the message (close 1009): only that connection ends
            with ws_connect(base, max_size=None) as big:
                next_json(big)
                big.send("x" * (2 << 20))
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        big.recv(timeout=30)
                assert closed.value.rcvd.code == 1009
            info = _reset(ws, n_particles=80)  # still the same, usable session
            assert info["config"]["n_particles"] == 80
            ws.send(json.dumps({"cmd": "start"}))
            f1, f2 = next_frame(ws), next_frame(ws)
            from neqlab.web.gas import HEADER  # one gas's record: header, 80 (x, y) uint16 pairs, 80 speeds

            assert len(f1) == len(f2) == HEADER.size + 5 * 80
        assert records.tracebacks() == []


# -- item 13: Origin and session cap ------------------------------------------------------------
@pytest.mark.parametrize("origin", [
    "null", "http://evil.example", "http://127.0.0.1.evil.example", "http://127.0.0.1.evil.example:{port}",
    "https://127.0.0.1:{port}", "http://127.0.0.1:{other}", "http://localhost:{other}", "http://[::1]:{port}",
    "file://", "http://user@127.0.0.1:{port}", "http://127.0.0.1:{port}/path", "", "x" * 5000,
])
def test_foreign_origins_are_refused_at_the_handshake(origin):
    with live_server() as (base, app, records):
        port = int(base.rsplit(":", 1)[1])
        header = origin.format(port=port, other=port + 1 if port < 65535 else port - 1)
        with pytest.raises(InvalidStatus) as info:
            ws_connect(base, additional_headers={"Origin": header})
        assert info.value.response.status_code == 403
        assert len(app.state.sessions) == 0
        assert records.tracebacks() == []
        said = [r.getMessage() for r in records.records if r.name == "neqlab.web"]
        assert len(said) == 1 and said[0].startswith("refused /ws: origin must be this server's own"), said


def test_the_servers_own_origin_localhost_and_the_allow_list_are_accepted():
    with live_server(allowed_origins=["http://myhost.lan:8765", "https://lab.example"]) as (base, app, records):
        port = base.rsplit(":", 1)[1]
        for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"HTTP://LOCALHOST:{port}",
                       "http://myhost.lan:8765", "https://lab.example:443", None):
            headers = {"Origin": origin} if origin else {}
            with ws_connect(base, additional_headers=headers) as ws:
                assert next_json(ws)["type"] == "init", origin
        with pytest.raises(InvalidStatus):
            ws_connect(base, additional_headers={"Origin": "http://myhost.lan:8766"})


@pytest.mark.parametrize("bad", ["myhost:8765", "http://h:8765/page", "ftp://h", "null", "*", ""])
def test_a_malformed_allow_list_entry_is_a_config_error(bad):
    with pytest.raises(ConfigError, match=r"^allow_origin must be an origin such as http://myhost:8765"):
        create_app(None, allowed_origins=[bad])


def test_origin_parsing():
    assert parse_origin("http://LocalHost:80") == ("http", "localhost", 80)
    assert parse_origin("https://[::1]") == ("https", "::1", 443)
    assert parse_origin("http://127.0.0.1:99999") is None and parse_origin("null") is None


def test_sessions_are_capped_with_a_message():
    assert MAX_SESSIONS == 8
    with live_server(max_sessions=2) as (base, app, records), ExitStack() as stack:
        a = stack.enter_context(ws_connect(base))
        next_json(a)
        b = stack.enter_context(ws_connect(base))
        next_json(b)
        with ws_connect(base) as c:
            err = json.loads(c.recv(timeout=30))
            assert err["type"] == "error" and err["message"].startswith("sessions must be at most 2 at once")
            with pytest.raises(ConnectionClosed) as info:
                c.recv(timeout=30)
            assert info.value.rcvd.code == 1013
        assert len(app.state.sessions) == 2
        a.close()
        deadline = time.monotonic() + 10
        while len(app.state.sessions) > 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        with ws_connect(base) as d:  # a freed slot is usable again
            assert next_json(d)["type"] == "init"
        b.close()
        assert records.tracebacks() == []


@pytest.mark.parametrize("bad", [0, 1025, 2.0, True, "8"])
def test_max_sessions_is_validated(bad):
    with pytest.raises(ConfigError, match=r"^max_sessions must be an integer in \[1, 1024\]"):
        create_app(None, max_sessions=bad)


def test_frames_are_slowed_to_the_particle_step_budget():
    """The default gas (1000 particles) at 200 steps per frame costs 2e5 particle-steps a frame;
    under a budget of 2e6 per second it gets at most budget x (time + burst) / cost frames
    (31 in 2 s), not 30 per second (60)."""
    budget, cost = 2e6, 1000 * 200
    with live_server(budget=budget) as (base, app, records):
        with ws_connect(base) as ws:
            assert next_json(ws)["config"]["n_particles"] == 1000
            ws.send(json.dumps({"cmd": "set", "config": {"steps_per_frame": 200}}))
            ws.send(json.dumps({"cmd": "start"}))
            next_frame(ws)
            next_frame(ws)
            t0, n = time.monotonic(), 0
            while time.monotonic() - t0 < 2.0:
                next_frame(ws)
                n += 1
            elapsed = time.monotonic() - t0
        # the burst (1 s of budget) is the only slack; the lambda measurement only takes budget away
        assert 1 <= n <= budget * (elapsed + 1.0) / cost + 1, n
        assert records.tracebacks() == []


def test_step_budget_never_grants_more_than_rate_times_time_plus_burst(monkeypatch):
    """The budget's bookkeeping on a simulated clock: eight greedy sessions, 10 s."""
    clock = {"t": 0.0}
    monkeypatch.setattr("neqlab.web.server.time.monotonic", lambda: clock["t"])
    granted: list[tuple[float, float]] = []

    async def fake_sleep(s):
        clock["t"] += s

    async def session(b, cost):
        for _ in range(5000):  # bounded: a budget that never waits must fail, not loop forever
            if clock["t"] >= 10.0:
                break
            await b.acquire(cost)
            granted.append((clock["t"], cost))
            await fake_sleep(0.0)

    b = StepBudget(1e6, burst=0.5)
    monkeypatch.setattr("neqlab.web.server.asyncio.sleep", fake_sleep)

    async def main():
        await asyncio.gather(*(session(b, cost) for cost in (1e4, 3e4, 1e5, 5e5, 1e4, 2e4, 7e4, 2e5)))

    asyncio.run(main())
    for t_end in (1.0, 2.5, 5.0, 10.0):
        used = sum(c for t, c in granted if t <= t_end)
        assert used <= 1e6 * (t_end + 0.5) + 5e5, (t_end, used)  # + one reservation in flight
    assert sum(c for _, c in granted) >= 1e6 * 9.0  # and the budget is used, not wasted


def test_budget_default_and_validation():
    assert BUDGET == 20_000_000
    assert StepBudget(None).rate is None
    for bad in (0, -1.0, float("nan"), float("inf"), True, "1e6"):
        with pytest.raises(ConfigError, match=r"^budget must be a number of particle-steps per second"):
            create_app(None, budget=bad)


# -- item 14: summary.json like figures/ -----------------------------------------------------------
@pytest.fixture()
def results(tmp_path):
    r = tmp_path / "essay"
    (r / "figures").mkdir(parents=True)
    (tmp_path / "secret.json").write_text('{"secret": 1}')
    return r


def test_summary_is_served_only_as_a_file_inside_the_results(results):
    outside = results.parent / "secret.json"
    client = TestClient(create_app(results))
    (results / "summary.json").symlink_to(outside)  # leaves the results directory: refused
    r = client.get("/results/summary.json")
    assert r.status_code == 404 and "secret" not in r.text
    assert r.json()["error"] == "summary.json must be a regular file inside the results directory"
    (results / "summary.json").unlink()
    (results / "data").mkdir()
    (results / "data" / "s.json").write_text('{"claims": []}')
    (results / "summary.json").symlink_to(results / "data" / "s.json")  # stays inside: served
    assert client.get("/results/summary.json").json() == {"claims": []}
    (results / "summary.json").unlink()
    (results / "summary.json").mkdir()  # not a file
    assert client.get("/results/summary.json").status_code == 404
    (results.parent / "outside.png").write_bytes(b"\x89PNG outside")  # figures: the same rule
    (results / "figures" / "loschmidt.png").symlink_to(results.parent / "outside.png")
    assert client.get("/results/figures/loschmidt.png").status_code == 404


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe{}", b"[" * 100_000, b"", b'{"a": 1}{'])
def test_invalid_summary_gives_a_json_error_not_a_traceback(results, content):
    (results / "summary.json").write_bytes(content)
    r = TestClient(create_app(results), raise_server_exceptions=True).get("/results/summary.json")
    assert r.status_code == 500
    msg = r.json()["error"]
    assert msg.startswith("summary.json of the results directory is not valid JSON (") and "\n" not in msg


# -- item 17: binding --------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_non_loopback_bind_needs_allow_remote(host):
    if host == "::" and not socket.has_ipv6:
        pytest.skip("no IPv6")
    for loopback in ("127.0.0.1", "localhost", "127.0.0.2"):
        sock = bind(loopback, 0)
        socket.create_connection(sock.getsockname()[:2], timeout=5).close()  # listening already
        sock.close()
    with pytest.raises(ConfigError, match=r"^host must be a loopback address \(127\.0\.0\.1, ::1, localhost\) unless"):
        bind(host, 0)
    try:
        sock = bind(host, 0, allow_remote=True)
    except ConfigError as exc:  # e.g. IPv6 disabled in this container
        pytest.skip(str(exc))
    sock.close()


SERVE = ("import sys; from neqlab.web.server import serve; "
         "serve(sys.argv[1], 0, allow_remote=sys.argv[2] == '1', max_sessions=3, "
         "allowed_origins=['http://myhost.lan:8765'], on_ready=lambda url: print(url, flush=True))")


def test_serve_is_reachable_as_soon_as_it_says_so_and_refuses_remote_hosts():
    """serve() (what `neqlab serve` will call) prints its URL once bound; a client
    connecting at once is served. A non-loopback host without allow_remote: one line."""
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "127.0.0.1", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/"), proc.stderr.read()
        with ws_connect(url[len("http://"):-1], additional_headers={"Origin": "http://myhost.lan:8765"}) as ws:
            assert next_json(ws)["type"] == "init"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err
    r = subprocess.run([sys.executable, "-c", SERVE, "0.0.0.0", "0"], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "ConfigError: host must be a loopback address" in r.stderr


def test_bind_errors_are_config_errors():
    with pytest.raises(ConfigError, match=r"^host must be an address or a name of this machine, got 'no-such-host\.invalid'"):
        bind("no-such-host.invalid", 0)
    with pytest.raises(ConfigError, match=r"^port must be an integer in \[0, 65535\], got 70000"):
        bind("127.0.0.1", 70000)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        with pytest.raises(ConfigError, match=r"^port must be free on host '127\.0\.0\.1', got \d+"):
            bind("127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()


def test_an_unknown_page_mode_is_refused_with_one_error_line():
    with live_server() as (base, app, records):
        with connect(f"ws://{base}/ws?mode=bogus", proxy=None, open_timeout=30) as ws:
            err = next_json(ws)
            assert err["type"] == "error" and err["message"].startswith("mode must be one of single, pair")
