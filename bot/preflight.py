"""What a command checks before it starts; each failure is one line with the problem and fix."""

from __future__ import annotations

import contextlib
import errno
import socket
from pathlib import Path

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.errors import StartupError
from bot.settings import SettingError
from storage.db import Database
from storage.migrate import migrate

REJECTED_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "account_inactive"}
)
BOT_TOKEN_FIX = "copy the Bot User OAuth Token from your app's OAuth & Permissions page"
APP_TOKEN_FIX = (
    "create an app-level token with the connections:write scope under your app's"
    " Basic Information, App-Level Tokens"
)
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
REASON_LENGTH = 200
CHECK_TIMEOUT_SECONDS = 10


def reserve_port(host: str, port: int) -> socket.socket:
    """Bind the address `serve` will listen on, before anything else is started."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise SettingError(
            f"cannot listen on host {host!r} ({error.strerror}); check --host or HOST"
        ) from None
    listener = socket.socket(family, kind, protocol)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
    except OSError as error:
        listener.close()
        raise StartupError(_bind_failure(host, port, error)) from None
    return listener


def _bind_failure(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use; stop the program that holds it,"
            " or choose another port with --port or PORT"
        )
    if error.errno == errno.EACCES:
        return (
            f"no permission to listen on port {port}; choose a port above 1023 with --port"
            " or PORT, and put a reverse proxy in front (docs/deploy.md)"
        )
    return f"cannot listen on {host}:{port} ({error.strerror}); check --host, --port, HOST and PORT"


def _checking_client(api_url: str, token: str) -> AsyncWebClient:
    """A client that asks once: a check that fails says so, rather than retrying."""
    return AsyncWebClient(
        token=token, base_url=api_url, timeout=CHECK_TIMEOUT_SECONDS, retry_handlers=[]
    )


async def check_bot_token(bot_token: str, api_url: str) -> None:
    """Call auth.test once; a token Slack rejects stops the command (exit 2)."""
    try:
        await _checking_client(api_url, bot_token).auth_test()
    except SlackApiError as error:
        raise _slack_refusal("SLACK_BOT_TOKEN", BOT_TOKEN_FIX, api_url, error) from None
    except (ClientError, OSError) as error:
        raise _slack_unreachable("SLACK_BOT_TOKEN", api_url, error) from None


async def open_socket_mode_url(app_token: str, api_url: str) -> str:
    """Ask Slack for a Socket Mode URL; a rejected SLACK_APP_TOKEN stops the command."""
    try:
        response = await _checking_client(api_url, app_token).apps_connections_open(
            app_token=app_token
        )
    except SlackApiError as error:
        raise _slack_refusal("SLACK_APP_TOKEN", APP_TOKEN_FIX, api_url, error) from None
    except (ClientError, OSError) as error:
        raise _slack_unreachable("SLACK_APP_TOKEN", api_url, error) from None
    return str(response["url"])


def _slack_refusal(setting: str, fix: str, api_url: str, error: SlackApiError) -> StartupError:
    code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
    if code in REJECTED_TOKEN_ERRORS:
        return SettingError(f"{setting} was rejected by Slack ({code}); {fix}")
    return StartupError(
        f"Slack at {api_url} could not check {setting} ({code}); try again in a moment,"
        " or check SLACK_API_URL"
    )


def _slack_unreachable(setting: str, api_url: str, error: Exception) -> StartupError:
    return StartupError(
        f"cannot reach Slack at {api_url} to check {setting} ({_reason(error)});"
        " check the network, or SLACK_API_URL"
    )


async def prepare_database(db: Database, url: str, *, create: bool = True) -> None:
    """Reach the database and apply pending migrations; `create=False` refuses to make a new
    SQLite file. A SQLite file made by a failed attempt is removed again."""
    path = sqlite_path(url)
    if path is not None:
        _check_sqlite_location(path, create=create)
    existed = path is None or path.exists()
    try:
        await _reach(db, url)
        await _migrate(db, url)
    except BaseException:
        if path is not None and not existed:
            await db.dispose()
            _remove_sqlite_files(path)
        raise


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _check_sqlite_location(path: Path, *, create: bool) -> None:
    if not path.parent.is_dir():
        raise StartupError(
            f"the folder {path.parent} of the SQLite database in DATABASE_URL does not exist;"
            " create it, or change DATABASE_URL"
        )
    if not create and not path.exists():
        raise StartupError(
            f"there is no database at {path} yet; run `leadbot migrate` (or `leadbot serve`)"
            " first, or point DATABASE_URL at your database"
        )


async def _reach(db: Database, url: str) -> None:
    try:
        await db.ping()
    except (OSError, DBAPIError) as error:
        raise StartupError(
            f"cannot reach the database {_shown(url)} ({_reason(error)}); check DATABASE_URL"
            " and that the database server is running"
        ) from None


async def _migrate(db: Database, url: str) -> None:
    try:
        await migrate(db)
    except Exception as error:
        raise StartupError(
            f"cannot migrate the database {_shown(url)} ({_reason(error)}); check that"
            " DATABASE_URL names leadbot's database and that this leadbot is not older"
            " than the one that last migrated it"
        ) from None


def _remove_sqlite_files(path: Path) -> None:
    for name in (path.name, *(path.name + suffix for suffix in SQLITE_COMPANIONS)):
        with contextlib.suppress(FileNotFoundError):
            (path.parent / name).unlink()


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _reason(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return (lines[0] if lines else type(cause).__name__)[:REASON_LENGTH]
