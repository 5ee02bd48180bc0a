"""``neqlab serve`` flags (issue 18, item 17): localhost unless --allow-remote (with a
warning), --allow-origin (repeatable) and --max-sessions reach the server. The real
command in a subprocess, driven by a real WebSocket client."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from clitools import neq_here, one_error_line


@contextmanager
def serving(*args, cwd):
    """(URL, process) of `neqlab serve --port 0 ARGS`; stopped with SIGINT on exit."""
    proc = subprocess.Popen([sys.executable, "-m", "neqlab.cli.main", "serve", "--port", "0", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        line = proc.stdout.readline()  # "neqlab serve: open URL  (Ctrl-C stops)" once the port is bound
        assert line.startswith("neqlab serve: open http://"), (line, proc.stderr.read() if proc.poll() else "")
        yield line.split()[3], proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def ws_url(url: str) -> str:
    return url.replace("http://", "ws://").rstrip("/") + "/ws"


def first_message(ws) -> dict:
    return json.loads(ws.recv(timeout=60))


def test_serve_origins_and_session_cap_reach_the_server(tmp_path):
    with serving("--allow-origin", "http://myhost.lan:8765", "--allow-origin", "http://other.lan:9000",
                 "--max-sessions", "1", cwd=tmp_path) as (url, proc):
        with pytest.raises(InvalidStatus):  # a foreign page
            connect(ws_url(url), origin="http://evil.example", open_timeout=30)
        with urllib.request.urlopen(url + "api/status", timeout=30) as resp:
            assert json.loads(resp.read())["max_sessions"] == 1
        with connect(ws_url(url), origin="http://myhost.lan:8765", open_timeout=30):  # takes the one slot
            with connect(ws_url(url), origin="http://other.lan:9000", open_timeout=30) as b:
                msg = first_message(b)
                assert msg["type"] == "error" and "sessions must be at most 1" in msg["message"]
    assert proc.returncode in (0, 130, -signal.SIGINT)


def test_non_loopback_host_is_refused_without_allow_remote(tmp_path):
    for host in ("0.0.0.0", "::"):
        line = one_error_line(neq_here("serve", "--host", host, "--port", "0", cwd=tmp_path))
        assert "host must be a loopback address" in line and "--allow-remote" in line


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="needs Linux")
def test_allow_remote_binds_and_warns_on_stderr(tmp_path):
    with serving("--host", "0.0.0.0", "--allow-remote", cwd=tmp_path) as (url, proc):
        assert url.startswith("http://0.0.0.0:")
        time.sleep(0.2)
    err = proc.stderr.read()
    assert "warning: serving on 0.0.0.0" in err and "any machine that reaches this port" in err


def test_serve_bad_flags(tmp_path):
    cases = [
        (["--port", "70000"], "port must be an integer in [0, 65535], got '70000'"),
        (["--max-sessions", "0"], "max_sessions must be an integer in [1, 1024], got '0'"),
        (["--allow-origin", "evil"], "allow_origin must be an origin such as http://myhost:8765"),
        (["--results", "nowhere"], "results must be an existing directory"),
    ]
    for args, needle in cases:
        assert needle in one_error_line(neq_here("serve", *args, cwd=tmp_path))
