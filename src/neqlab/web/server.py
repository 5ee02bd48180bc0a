"""The web app of ``neqlab serve``: a live gas with a Reverse button, and saved results.

Starlette + uvicorn. Every WebSocket connection (a browser tab) owns one
:class:`~neqlab.web.session.Session`; closing the tab cancels its loop and frees it.
No request reaches the file system except ``/results/...``, which serves only
``summary.json`` and ``figures/<name>.png`` of the results directory given at start.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from neqlab.core.errors import ConfigError, NeqlabError
from neqlab.web import results as saved
from neqlab.web.session import Session, make_session
from neqlab.web.texts import page_strings

FRAME_INTERVAL = 1.0 / 30.0  # seconds: at most 30 frames per second per tab
COMMANDS = ("reset", "start", "pause", "reverse", "set")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _page() -> str:
    return resources.files("neqlab.web").joinpath("static/index.html").read_text(encoding="utf-8")


_STATIC_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}\.(js|css)$")


def _static(name: str) -> str | None:
    """A script or style sheet of the page (package data), or None."""
    if not _STATIC_NAME.match(name):
        return None
    path = resources.files("neqlab.web").joinpath("static", name)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def create_app(results_dir: str | Path | None = None) -> Starlette:
    """The ASGI app. ``results_dir``: an essay report directory (index.html, summary.json, figures/)."""
    results = Path(results_dir).resolve() if results_dir is not None else None
    sessions: set[Session] = set()

    async def index(request):
        return HTMLResponse(_page())

    async def limits(request):
        info = Session.Config.field_info()
        return JSONResponse({k: {"default": v["default"], "allowed": v["allowed"], "unit": v["unit"],
                                 "doc": v["doc"], "choices": v["meta"].get("choices"),
                                 "lo": v["meta"].get("lo"), "hi": v["meta"].get("hi")}
                             for k, v in info.items()})

    async def summary(request):
        if results is None or not (results / "summary.json").is_file():
            return JSONResponse({"error": "no results directory (start with --results DIR)"}, status_code=404)
        return JSONResponse(json.loads((results / "summary.json").read_text()))

    async def figure(request):
        name = request.path_params["name"]
        if results is None or not _NAME.match(name):
            return Response("not found", status_code=404)
        path = (results / "figures" / f"{name}.png").resolve()
        if path.parent != results / "figures" or not path.is_file():
            return Response("not found", status_code=404)
        return FileResponse(path, media_type="image/png")

    async def status(request):
        return JSONResponse({"sessions": len(sessions)})

    async def live(ws: WebSocket):
        await ws.accept()
        try:
            session = await asyncio.to_thread(make_session, ws.query_params.get("mode"))
        except NeqlabError as exc:  # an unknown ?mode=
            await ws.send_json({"type": "error", "message": str(exc)})
            await ws.close()
            return
        sessions.add(session)
        lock = asyncio.Lock()
        await ws.send_json(session.info())
        await ws.send_bytes(session.frame())

        async def pump():
            while True:
                t0 = time.monotonic()
                if session.running:
                    async with lock:
                        try:
                            await asyncio.to_thread(session.advance)
                        except NeqlabError as exc:
                            session.pause()
                            await ws.send_json({"type": "error", "message": str(exc)})
                        frame = session.frame()
                    await ws.send_bytes(frame)
                await asyncio.sleep(max(0.0, FRAME_INTERVAL - (time.monotonic() - t0)))

        async def lyapunov():
            """Measure lambda of the new gas in the background; drop it if the gas was reset."""
            try:
                gen, value, err = await asyncio.to_thread(session.measure_lyapunov)
            except NeqlabError as exc:
                await ws.send_json({"type": "error", "message": f"lambda not measured: {exc}"})
                return
            if gen == session.generation:
                session.lyapunov = value
                await ws.send_json({"type": "lyapunov", "value": value, "err": err})

        task = asyncio.create_task(pump())
        side_tasks = {asyncio.create_task(lyapunov())}
        try:
            while True:
                text = await ws.receive_text()
                async with lock:
                    reply = await _handle(session, text)
                    frame = session.frame()
                for msg in reply:
                    await ws.send_json(msg)
                    if msg.get("type") == "init":
                        side_tasks.add(asyncio.create_task(lyapunov()))
                await ws.send_bytes(frame)
        except WebSocketDisconnect:
            pass
        finally:
            task.cancel()
            for t in side_tasks:
                t.cancel()
            sessions.discard(session)

    # -- the page's own files, texts and saved results in its language (web helper) --
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
    return app


async def _handle(session: Session, text: str) -> list[dict]:
    """Apply one command from the page; bad input becomes an error message, never a crash."""
    try:
        msg = json.loads(text)
        if not isinstance(msg, dict):
            raise ConfigError(f"message must be a JSON object, got {text[:60]!r}")
        cmd = msg.get("cmd")
        if cmd not in COMMANDS:
            raise ConfigError(f"cmd must be one of {', '.join(COMMANDS)}, got {cmd!r}")
        if cmd == "reset":
            cfg = session.Config.from_mapping(msg.get("config", {}))
            await asyncio.to_thread(session.reset, cfg)
            return [session.info()]
        if cmd == "set":  # change speed or eps without restarting
            values = msg.get("config", {})
            allowed = set(session.SETTABLE)
            bad = set(values) - allowed
            if bad:
                raise ConfigError(f"set accepts only {', '.join(sorted(allowed))}, got {sorted(bad)[0]!r}")
            session.config = session.Config.from_mapping(values, base=session.config)
            return []
        if cmd == "start":
            session.start()
        elif cmd == "pause":
            session.pause()
        elif cmd == "reverse":
            await asyncio.to_thread(session.reverse)
        return []
    except json.JSONDecodeError:
        return [{"type": "error", "message": f"message must be JSON, got {text[:60]!r}"}]
    except NeqlabError as exc:
        return [{"type": "error", "message": str(exc)}]
