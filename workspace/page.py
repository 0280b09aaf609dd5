"""The demo page's HTTP routes: static files, JSON for what the page shows, what people do,
and a WebSocket that says when something changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from workspace.local import Answer, LocalWorkspace

STATIC = Path(__file__).resolve().parent / "static"
WORKSPACE = web.AppKey("workspace", LocalWorkspace)
COMMANDS = web.AppKey("commands", list)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_page_routes(
    app: web.Application,
    workspace: LocalWorkspace,
    commands: list[dict[str, str]],
    *,
    japanese_font: Path | None = None,
) -> None:
    """Serve the page from `app` (the fake Web API's server) for `workspace`; a TrueType
    `japanese_font` is served as /fonts/ja.ttf for browsers without one (headless ones)."""
    app[WORKSPACE] = workspace
    app[COMMANDS] = commands
    app.router.add_get("/", _index)
    if japanese_font is not None and japanese_font.is_file():
        app.router.add_get("/fonts/ja.ttf", _font_file(japanese_font))
    app.router.add_static("/static/", STATIC, follow_symlinks=False)
    app.router.add_get("/demo/directory", _directory)
    app.router.add_get("/demo/channel", _channel)
    app.router.add_get("/demo/view", _view)
    app.router.add_get("/demo/home", _home)
    app.router.add_get("/demo/live", _live)
    app.router.add_get("/files/{file_id}", _file)
    app.router.add_post("/demo/command", _command)
    app.router.add_post("/demo/message", _message)
    app.router.add_post("/demo/action", _action)
    app.router.add_post("/demo/submit", _submit)
    app.router.add_post("/demo/close", _close)
    app.router.add_post("/demo/home", _open_home)


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def _font_file(path: Path) -> Handler:
    async def font(request: web.Request) -> web.FileResponse:
        return web.FileResponse(path, headers={"Content-Type": "font/ttf"})

    return font


def _workspace(request: web.Request) -> LocalWorkspace:
    return request.app[WORKSPACE]


def _user(request: web.Request, body: dict[str, Any] | None = None) -> str:
    user = str((body or {}).get("user") or request.query.get("user", ""))
    if user not in _workspace(request).people:
        raise web.HTTPBadRequest(text="unknown user")
    return user


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="send JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="send a JSON object")
    return body


def _answer(answer: Answer) -> web.Response:
    return web.json_response(answer.json())


async def _directory(request: web.Request) -> web.Response:
    return web.json_response({**_workspace(request).directory(), "commands": request.app[COMMANDS]})


async def _channel(request: web.Request) -> web.Response:
    user, channel = _user(request), request.query.get("channel", "")
    return web.json_response({"messages": _workspace(request).channel_messages(channel, user)})


async def _view(request: web.Request) -> web.Response:
    return web.json_response({"view": _workspace(request).top_view(_user(request))})


async def _home(request: web.Request) -> web.Response:
    return web.json_response({"view": _workspace(request).home(_user(request))})


async def _file(request: web.Request) -> web.Response:
    file_id = request.match_info["file_id"]
    found = next((f for f in _workspace(request).slack.files if f.id == file_id), None)
    if found is None:
        raise web.HTTPNotFound()
    kind = "image/png" if found.name.lower().endswith(".png") else "application/octet-stream"
    return web.Response(body=found.content, content_type=kind)


async def _command(request: web.Request) -> web.Response:
    body = await _body(request)
    text = str(body.get("text", ""))
    command, _, rest = text.strip().partition(" ")
    if command not in {c["command"] for c in request.app[COMMANDS]}:
        return _answer(Answer(notice=f"{command} is not a command here"))
    workspace = _workspace(request)
    return _answer(await workspace.command(_user(request, body), _channel_of(body), rest, command))


async def _message(request: web.Request) -> web.Response:
    body = await _body(request)
    text = str(body.get("text", "")).strip()
    if text:
        thread = str(body.get("thread_ts") or "") or None
        await _workspace(request).say(_user(request, body), _channel_of(body), text, thread)
    return _answer(Answer())


async def _action(request: web.Request) -> web.Response:
    body = await _body(request)
    action, where = body.get("action"), body.get("where")
    if not isinstance(action, dict) or not isinstance(where, dict):
        raise web.HTTPBadRequest(text="send action and where")
    return _answer(await _workspace(request).click(_user(request, body), action, where))


async def _submit(request: web.Request) -> web.Response:
    body = await _body(request)
    view_id, values = str(body.get("view_id", "")), body.get("values") or {}
    return _answer(await _workspace(request).submit(_user(request, body), view_id, values))


async def _close(request: web.Request) -> web.Response:
    body = await _body(request)
    view_id = str(body.get("view_id", ""))
    return _answer(await _workspace(request).close_view(_user(request, body), view_id))


async def _open_home(request: web.Request) -> web.Response:
    body = await _body(request)
    return _answer(await _workspace(request).open_home(_user(request, body)))


def _channel_of(body: dict[str, Any]) -> str:
    channel = str(body.get("channel", ""))
    if not channel.isalnum():
        raise web.HTTPBadRequest(text="unknown channel")
    return channel


async def _live(request: web.Request) -> web.WebSocketResponse:
    socket = web.WebSocketResponse(heartbeat=30)
    await socket.prepare(request)
    workspace = _workspace(request)
    workspace.sockets.add(socket)
    try:
        async for message in socket:
            if message.type == WSMsgType.ERROR:
                break
    finally:
        workspace.sockets.discard(socket)
    return socket
