"""The web app of ``neqlab serve``: a live gas with a Reverse button, and saved results.

Starlette + uvicorn. Every WebSocket connection (a browser tab) owns one
:class:`~neqlab.web.session.Session`; closing the tab cancels its loop and frees it.
No request reaches the file system except ``/results/...``, which serves only
``summary.json`` and ``figures/<name>.png`` of the results directory given at start,
never through a symlink that leaves that directory.

Limits (each a keyword of :func:`create_app`; the defaults are the module constants):

- ``/ws`` accepts a browser only from the server's own origin (the scheme, address and
  port the connection arrived on; ``localhost`` too when that address is a loopback
  one) or from ``allowed_origins``; anything else (``null``, ``http://evil.example``,
  ``http://127.0.0.1.evil.example``) gets HTTP 403 at the handshake (the reason goes
  to the server's log). A client that
  sends no ``Origin`` (not a browser, so not driven by a web page) is accepted.
- at most ``max_sessions`` live gases at once; one more gets an error message and the
  close code 1013 (try again later);
- ``budget``: particle-steps per second shared by all sessions. Frames, resets and
  Lyapunov measurements each reserve their particle-steps and wait their turn, so many
  tabs make frames slower instead of saturating the cores (``None``: no limit);
- every malformed message (not JSON, nested too deeply, numbers of thousands of digits,
  a ``config`` that is not an object, unknown commands, binary frames, more than
  :data:`MAX_MESSAGE` characters) gets ``{"type": "error", "message": ...}`` (one line)
  and the session goes on. Messages over :data:`WS_MAX_SIZE` bytes are refused by the
  WebSocket layer itself, which closes the connection with code 1009.

:func:`serve` starts the server; it refuses a non-loopback address unless
``allow_remote=True``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import math
import re
import socket
import time
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from neqlab.core.config import shown
from neqlab.core.errors import ConfigError, NeqlabError
from neqlab.web import results as saved
from neqlab.web.session import Session, make_session
from neqlab.web.texts import page_strings

FRAME_INTERVAL = 1.0 / 30.0  # seconds: at most 30 frames per second per tab
COMMANDS = ("reset", "start", "pause", "reverse", "set")
MAX_SESSIONS = 8  # live gases at once (default of create_app / --max-sessions)
BUDGET = 20_000_000  # particle-steps per second over all sessions (about half a core; docs/reliability.md)
BURST = 1.0  # seconds of budget a session may use ahead when the server is idle
MAX_MESSAGE = 64 * 1024  # characters of one text message (a command is < 1 KB)
WS_MAX_SIZE = 1 << 20  # bytes: larger messages are refused by the WebSocket layer (close 1009)
MESSAGE_RATE = 60.0  # messages per second per tab; faster senders are read more slowly
SUMMARY_MAX = 16 << 20  # bytes of summary.json served
# particle-steps charged for work that is not a frame (the session's own constants):
RESET_TIME = 5.0  # [tau] equilibration of a new gas (models.gas.init, t_eq)
LYAPUNOV_TIME = 2.5  # [tau] t_total + t_transient of Session.measure_lyapunov, two copies
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
log = logging.getLogger("neqlab.web")


def _page() -> str:
    return resources.files("neqlab.web").joinpath("static/index.html").read_text(encoding="utf-8")


_STATIC_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}\.(js|css)$")


def _static(name: str) -> str | None:
    """A script or style sheet of the page (package data), or None."""
    if not _STATIC_NAME.match(name):
        return None
    path = resources.files("neqlab.web").joinpath("static", name)
    return path.read_text(encoding="utf-8") if path.is_file() else None


# -- origins ----------------------------------------------------------------------------
def parse_origin(text: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an origin such as ``http://127.0.0.1:8765``, else None."""
    if not isinstance(text, str) or len(text) > 300:
        return None
    try:
        u = urlsplit(text.strip())
        port = u.port
    except ValueError:
        return None
    scheme = u.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not u.hostname or u.username or u.password:
        return None
    if u.path not in ("", "/") or u.query or u.fragment:
        return None
    return scheme, u.hostname.lower(), port if port is not None else _DEFAULT_PORTS[scheme]


def check_origins(origins: Iterable[str]) -> frozenset[tuple[str, str, int]]:
    """The allow-list as parsed origins; ConfigError naming the first malformed one."""
    if isinstance(origins, str):
        origins = [origins]
    out = set()
    for o in origins:
        parsed = parse_origin(o)
        if parsed is None:
            raise ConfigError(f"allow_origin must be an origin such as http://myhost:8765 (scheme, host, "
                              f"optional port; no path), got {shown(o)}")
        out.add(parsed)
    return frozenset(out)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) names only this machine."""
    h = host.strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def own_origins(server: tuple[str, int] | None) -> set[tuple[str, str, int]]:
    """The origins of pages served by this server on the address a connection arrived at."""
    if not server or server[0] is None:
        return set()
    host, port = str(server[0]).lower(), int(server[1]) if server[1] is not None else 80
    out = {("http", host, port)}
    if is_loopback(host):  # browsers resolve localhost to loopback only: the same server
        out.add(("http", "localhost", port))
    return out


# -- the particle-step budget --------------------------------------------------------------
class StepBudget:
    """Particle-steps per second shared by every session (a virtual clock, first come first served).

    ``acquire(cost)`` reserves ``cost`` particle-steps at ``rate`` per second after the
    reservations made before it and sleeps until its turn; up to ``burst`` seconds of
    work may run ahead, so a lone tab on an idle server never waits.
    """

    def __init__(self, rate: float | None, burst: float = BURST):
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float))
                                 or not math.isfinite(rate) or rate <= 0):
            raise ConfigError(f"budget must be a number of particle-steps per second in (0, inf) or None, got {shown(rate)}")
        self.rate, self.burst = rate, burst
        self._clock = 0.0
        self.spent = 0.0  # particle-steps granted so far (for tests and /api/status)

    async def acquire(self, cost: float) -> float:
        """Wait until ``cost`` particle-steps fit in the budget; return the wait [s]."""
        self.spent += cost
        if self.rate is None:
            return 0.0
        now = time.monotonic()
        self._clock = max(self._clock, now) + cost / self.rate
        wait = self._clock - now - self.burst
        if wait > 0:
            await asyncio.sleep(wait)
            return wait
        return 0.0


def _particles(c) -> int:
    """Particles of a page's config: one gas (single) or both (pair)."""
    return c.n_particles if hasattr(c, "n_particles") else c.n_small + c.n_large


def _reset_cost(c) -> float:
    return _particles(c) * RESET_TIME / c.dt


def _lyapunov_cost(c) -> float:
    return 2 * _particles(c) * LYAPUNOV_TIME / c.dt


# -- the app -------------------------------------------------------------------------------
def create_app(
    results_dir: str | Path | None = None,
    *,
    allowed_origins: Iterable[str] = (),
    max_sessions: int = MAX_SESSIONS,
    budget: float | None = BUDGET,
) -> Starlette:
    """The ASGI app.

    results_dir: an essay report directory (index.html, summary.json, figures/).
    allowed_origins: origins allowed on ``/ws`` besides the server's own, e.g.
    ``["http://myhost.lan:8765"]`` (the CLI's ``--allow-origin``).
    max_sessions: live gases at once, 1 to 1024 (``--max-sessions``).
    budget: particle-steps per second over all sessions, or None for no limit.
    """
    results = Path(results_dir).resolve() if results_dir is not None else None
    allowed = check_origins(allowed_origins)
    if isinstance(max_sessions, bool) or not isinstance(max_sessions, int) or not 1 <= max_sessions <= 1024:
        raise ConfigError(f"max_sessions must be an integer in [1, 1024], got {shown(max_sessions)}")
    steps = StepBudget(budget)
    sessions: set[Session] = set()
    slots = {"taken": 0}

    async def index(request):
        return HTMLResponse(_page())

    async def limits(request):
        info = Session.Config.field_info()
        return JSONResponse({k: {"default": v["default"], "allowed": v["allowed"], "unit": v["unit"],
                                 "doc": v["doc"], "choices": v["meta"].get("choices"),
                                 "lo": v["meta"].get("lo"), "hi": v["meta"].get("hi")}
                             for k, v in info.items()})

    async def summary(request):
        if results is None:
            return JSONResponse({"error": "no results directory (start with --results DIR)"}, status_code=404)
        path = results / "summary.json"
        resolved = path.resolve()
        if not resolved.is_relative_to(results) or not resolved.is_file():
            return JSONResponse({"error": "summary.json must be a regular file inside the results directory"},
                                status_code=404)
        try:
            if resolved.stat().st_size > SUMMARY_MAX:
                raise ValueError(f"larger than {SUMMARY_MAX} bytes")
            data = resolved.read_bytes()
            json.loads(data.decode("utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            why = " ".join(str(exc).split())[:200] or type(exc).__name__
            return JSONResponse({"error": f"summary.json of the results directory is not valid JSON ({why})"},
                                status_code=500)
        return Response(data, media_type="application/json")

    async def figure(request):
        name = request.path_params["name"]
        if results is None or not _NAME.match(name):
            return Response("not found", status_code=404)
        path = (results / "figures" / f"{name}.png").resolve()
        if path.parent != results / "figures" or not path.is_file():
            return Response("not found", status_code=404)
        return FileResponse(path, media_type="image/png")

    async def status(request):
        return JSONResponse({"sessions": len(sessions), "max_sessions": max_sessions, "budget": budget})

    async def live(ws: WebSocket):
        origin = ws.headers.get("origin")
        if origin is not None:
            parsed = parse_origin(origin)
            if parsed is None or parsed not in own_origins(ws.scope.get("server")) | allowed:
                await _deny(ws, f"origin must be this server's own or one allowed with --allow-origin, "
                                f"got {shown(origin)}")
                return
        if slots["taken"] >= max_sessions:
            await ws.accept()
            await _send_quietly(ws, {"type": "error", "message":
                                     f"sessions must be at most {max_sessions} at once (all in use; close another "
                                     "tab, or start the server with a larger --max-sessions), got one more"})
            await ws.close(code=1013)
            return
        slots["taken"] += 1
        try:
            await ws.accept()
            await _run_session(ws, steps, sessions)
        finally:
            slots["taken"] -= 1

    # -- the page's own files, texts and saved results in its language ------------------
    async def static(request):
        name = request.path_params["name"]
        body = _static(name)
        if body is None:
            return Response("not found", status_code=404)
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return PlainTextResponse(body, media_type=kind)

    async def strings(request):
        try:
            return JSONResponse(page_strings(request.query_params.get("lang")))
        except NeqlabError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    async def claims(request):
        if results is None:
            return JSONResponse({"error": "no results directory (start with --results DIR)"}, status_code=404)
        try:
            return JSONResponse(saved.claims(results, request.query_params.get("lang")))
        except NeqlabError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)

    routes = [
        Route("/", index),
        Route("/static/{name}", static),
        Route("/api/strings", strings),
        Route("/results/claims", claims),
        Route("/api/limits", limits),
        Route("/api/status", status),
        Route("/results/summary.json", summary),
        Route("/results/figures/{name}.png", figure),
        WebSocketRoute("/ws", live),
    ]
    app = Starlette(routes=routes)
    app.state.sessions = sessions
    app.state.budget = steps
    return app


async def _deny(ws: WebSocket, message: str) -> None:
    """Refuse a handshake: HTTP 403, the reason in one line of the server's log.

    (A denial response with a body would tell the page why, but uvicorn's default
    WebSocket protocol logs an error for it; a refused page learns nothing it needs.)
    """
    log.warning("refused /ws: %s", message)
    await ws.close(code=1008)


async def _send_quietly(ws: WebSocket, msg: dict | bytes) -> bool:
    """Send; False (no exception, no log) if the tab has gone."""
    try:
        if isinstance(msg, bytes):
            await ws.send_bytes(msg)
        else:
            await ws.send_json(msg)
        return True
    except Exception:  # the peer closed: WebSocketDisconnect, RuntimeError or OSError by server
        return False


async def _run_session(ws: WebSocket, steps: StepBudget, sessions: set) -> None:
    try:
        kind = make_session(ws.query_params.get("mode"), build=False)  # validates ?mode= without building
    except NeqlabError as exc:  # an unknown ?mode=
        await _send_quietly(ws, {"type": "error", "message": str(exc)})
        await ws.close()
        return
    await steps.acquire(_reset_cost(kind.Config()))
    session = await asyncio.to_thread(kind)
    sessions.add(session)
    lock = asyncio.Lock()
    alive = {"open": True}
    side_tasks: set[asyncio.Task] = set()

    async def send(msg) -> None:
        if alive["open"] and not await _send_quietly(ws, msg):
            alive["open"] = False

    async def pump():
        while alive["open"]:
            t0 = time.monotonic()
            if session.running:
                c = session.config
                await steps.acquire(_particles(c) * c.steps_per_frame)
                async with lock:
                    try:
                        await asyncio.to_thread(session.advance)
                    except NeqlabError as exc:
                        session.pause()
                        await send({"type": "error", "message": str(exc)})
                    frame = session.frame()
                await send(frame)
            await asyncio.sleep(max(0.0, FRAME_INTERVAL - (time.monotonic() - t0)))

    async def lyapunov():
        """Measure lambda of the new gas in the background; drop it if the gas was reset."""
        await steps.acquire(_lyapunov_cost(session.config))
        try:
            gen, value, err = await asyncio.to_thread(session.measure_lyapunov)
        except NeqlabError as exc:
            await send({"type": "error", "message": f"lambda not measured: {exc}"})
            return
        if gen == session.generation:
            session.lyapunov = value
            await send({"type": "lyapunov", "value": value, "err": err})

    def spawn(coro) -> None:
        t = asyncio.create_task(coro)
        side_tasks.add(t)
        t.add_done_callback(_quiet_done(side_tasks))

    await send(session.info())
    await send(session.frame())
    spawn(pump())
    spawn(lyapunov())
    next_read = time.monotonic()
    try:
        while alive["open"]:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            async with lock:
                reply = await _dispatch(session, message, steps)
                frame = session.frame()
            for msg in reply:
                await send(msg)
                if msg.get("type") == "init":
                    spawn(lyapunov())
            await send(frame)
            next_read = max(next_read, time.monotonic() - 0.5) + 1.0 / MESSAGE_RATE
            await asyncio.sleep(max(0.0, next_read - time.monotonic()))  # a flood is read slowly
    except WebSocketDisconnect:
        pass
    finally:
        alive["open"] = False
        for t in list(side_tasks):
            t.cancel()
        sessions.discard(session)


def _quiet_done(tasks: set) -> Callable[[asyncio.Task], None]:
    def done(t: asyncio.Task) -> None:
        tasks.discard(t)
        if not t.cancelled() and t.exception() is not None:
            exc = t.exception()
            log.warning("session task ended: %s: %s", type(exc).__name__, " ".join(str(exc).split())[:200])
    return done


async def _dispatch(session: Session, message: dict, steps: StepBudget) -> list[dict]:
    """One WebSocket message: text is a command; anything else gets an error reply."""
    text = message.get("text")
    if text is None:
        size = len(message.get("bytes") or b"")
        return [{"type": "error", "message": f"message must be a JSON text frame, got a binary frame of {size} bytes"}]
    if len(text) > MAX_MESSAGE:
        return [{"type": "error", "message": f"message must be at most {MAX_MESSAGE} characters, got {len(text)}"}]
    try:
        return await _handle(session, text, steps)
    except Exception as exc:  # a bug must not end the tab's session; say it in one line
        why = " ".join(str(exc).split())[:200]
        log.warning("command failed: %s: %s", type(exc).__name__, why)
        return [{"type": "error", "message": f"command failed ({type(exc).__name__}: {why})"}]


async def _handle(session: Session, text: str, steps: StepBudget | None = None) -> list[dict]:
    """Apply one command from the page; bad input becomes an error message, never a crash."""
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError) as exc:  # not JSON, numbers of > 4300 digits, nested too deeply
        why = "nested too deeply" if isinstance(exc, RecursionError) else " ".join(str(exc).split())[:120]
        return [{"type": "error", "message": f"message must be JSON, got {shown(text)} ({why})"}]
    try:
        if not isinstance(msg, dict):
            raise ConfigError(f"message must be a JSON object, got {shown(text)}")
        cmd = msg.get("cmd")
        if cmd not in COMMANDS:
            raise ConfigError(f"cmd must be one of {', '.join(COMMANDS)}, got {shown(cmd)}")
        if cmd == "reset":
            values = msg.get("config", {})
            if not isinstance(values, dict):
                raise ConfigError(f"config must be a JSON object of keys and values, got {shown(values)}")
            cfg = session.Config.from_mapping(values)
            if steps is not None:
                await steps.acquire(_reset_cost(cfg))
            await asyncio.to_thread(session.reset, cfg)
            return [session.info()]
        if cmd == "set":  # change speed or eps without restarting
            values = msg.get("config", {})
            if not isinstance(values, dict):
                raise ConfigError(f"config must be a JSON object of keys and values, got {shown(values)}")
            allowed = set(session.SETTABLE)
            bad = sorted(set(values) - allowed)
            if bad:
                raise ConfigError(f"set accepts only {', '.join(sorted(allowed))}, got {shown(bad[0])}")
            session.config = session.Config.from_mapping(values, base=session.config)
            return []
        if cmd == "start":
            session.start()
        elif cmd == "pause":
            session.pause()
        elif cmd == "reverse":
            await asyncio.to_thread(session.reverse)
        return []
    except NeqlabError as exc:
        return [{"type": "error", "message": str(exc)}]


# -- starting the server -------------------------------------------------------------------
def bind(host: str = "127.0.0.1", port: int = 8765, *, allow_remote: bool = False) -> socket.socket:
    """A listening socket bound to ``host:port`` (port 0: any free port).

    A ``host`` that is not a loopback address (``0.0.0.0``, a LAN address, a name that
    resolves to one) is refused unless ``allow_remote`` is true: the page has no
    authentication, anyone who reaches the port can drive the simulation.
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigError(f"port must be an integer in [0, 65535], got {shown(port)}")
    if not isinstance(host, str) or not host or len(host) > 253:
        raise ConfigError(f"host must be an address or a name of this machine, got {shown(host)}")
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        raise ConfigError(f"host must be an address or a name of this machine, got {shown(host)} "
                          f"({getattr(exc, 'strerror', None) or exc})") from None
    remote = [a[4][0] for a in infos if not is_loopback(a[4][0])]
    if remote and not allow_remote:
        raise ConfigError(f"host must be a loopback address (127.0.0.1, ::1, localhost) unless remote access "
                          f"is allowed explicitly (--allow-remote), got {shown(host)} (reachable from other machines)")
    family, kind, proto, _, addr = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
        sock.listen(2048)  # connections made before the server runs wait in the backlog
    except OSError as exc:
        sock.close()
        raise ConfigError(f"port must be free on host {shown(host)}, got {port} ({exc.strerror})") from None
    return sock


def server_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def make_server(sock: socket.socket, app: Starlette):
    """A uvicorn Server for ``app`` (run it with ``server.run(sockets=[sock])``)."""
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", ws_max_size=WS_MAX_SIZE, lifespan="off")
    return uvicorn.Server(config)


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    allow_remote: bool = False,
    results_dir: str | Path | None = None,
    on_ready: Callable[[str], None] | None = None,
    **app_options,
) -> None:
    """Serve the live page until interrupted (the whole of ``neqlab serve``).

    ``allow_remote``: required to bind a non-loopback address (a warning is logged then).
    ``on_ready(url)`` is called once the port is bound. ``app_options`` go to
    :func:`create_app` (``allowed_origins``, ``max_sessions``, ``budget``).
    """
    sock = bind(host, port, allow_remote=allow_remote)
    try:
        app = create_app(results_dir, **app_options)
        if not is_loopback(sock.getsockname()[0]):
            log.warning("serving on %s: any machine that reaches this port can drive the simulation", host)
        if on_ready is not None:
            on_ready(server_url(sock))
        make_server(sock, app).run(sockets=[sock])
    finally:
        sock.close()
