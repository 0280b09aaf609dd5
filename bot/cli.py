"""The `leadbot` command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from aiohttp import web

from bot.app import create_app
from bot.config import load_config
from bot.demo import DEFAULT_PORT, DemoOptions, run_demo
from bot.errors import EXIT_UNAVAILABLE, StartupError
from bot.export import export_leads
from bot.list_import import import_file
from bot.logs import configure_logging
from bot.preflight import check_bot_token, open_socket_mode_url, prepare_database, reserve_port
from bot.report import FORMATS, write_report
from bot.server import build_web_app, set_aside_startup_objects
from bot.services import AppServices, build_services, utc_now
from bot.settings import Mode, Settings, load_settings
from bot.socket_mode import connect_socket_mode
from leadloop.context import Loop
from leadloop.list_import import ImportOptions
from leadloop.reports import funnel_of
from leads.config import LeadbotConfig
from leads.funnel import period
from leads.model import Source
from scheduler.jobs import JOBS, run_job
from storage.db import Database, create_database

log = logging.getLogger("leadbot")
SHUTDOWN_SECONDS = 3.0  # requests in flight get this long to finish after SIGTERM
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `leadbot` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(_mode_of(args))
        configure_logging(settings.log_level, _secrets(settings))
        return int(asyncio.run(args.run(args, settings)))
    except StartupError as error:
        return _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:
        log.debug("%s failed", args.command, exc_info=True)
        reason = (str(error).strip().splitlines() or [""])[0][:200]
        return _fail(
            f"{args.command} failed unexpectedly ({type(error).__name__}: {reason}); run it"
            " again with LOG_LEVEL=DEBUG for the details and report them",
            EXIT_UNAVAILABLE,
        )


def _fail(message: str, code: int) -> int:
    print(f"leadbot: {message}", file=sys.stderr)
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadbot", description="Lead capture and routing for Slack."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP server (Slack Events API mode)")
    serve.add_argument("--host", help="interface to listen on (env HOST, default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (env PORT, default 3000)")
    serve.set_defaults(run=_serve)
    socket = commands.add_parser("socket", help="run over Socket Mode (needs SLACK_APP_TOKEN)")
    socket.set_defaults(run=_socket)
    commands.add_parser("migrate", help="apply database migrations and exit").set_defaults(
        run=_migrate
    )
    jobs = commands.add_parser("jobs", help="list the scheduled jobs or run one now")
    job_commands = jobs.add_subparsers(dest="job_command", required=True)
    job_commands.add_parser("list", help="list the scheduled jobs").set_defaults(run=_jobs_list)
    run = job_commands.add_parser("run", help="run one job once, now")
    run.add_argument("name", choices=sorted(JOBS))
    run.set_defaults(run=_jobs_run)
    export = commands.add_parser("export", help="write every lead as CSV or JSON lines")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    export.set_defaults(run=_export)
    report = commands.add_parser("report", help="print the funnel by source and by event")
    report.add_argument("--period", default="30d", help="7d, 30d, 90d, all, or Nd (default 30d)")
    report.add_argument("--format", choices=FORMATS, default="table")
    report.set_defaults(run=_report)
    list_import = commands.add_parser(
        "import", help="import an attendee or business-card list (CSV, English or Japanese)"
    )
    list_import.add_argument("file", type=Path, metavar="FILE.csv")
    list_import.add_argument(
        "--source", choices=[source.value for source in Source], help="source of every lead"
    )
    list_import.add_argument("--event", default="", help="event of rows that name none")
    list_import.add_argument(
        "--dry-run", action="store_true", help="read and check everything, store nothing"
    )
    list_import.set_defaults(run=_import)
    demo = commands.add_parser(
        "demo", help="the whole bot against a local Slack workspace in your browser (offline)"
    )
    demo.add_argument("--port", type=int, default=DEFAULT_PORT, help="default %(default)s")
    demo.add_argument("--seed", action="store_true", help="load twelve weeks of sample history")
    demo.add_argument("--speed", type=float, default=1.0, help="run the bot's clock N times faster")
    demo.add_argument(
        "--socket-mode", action="store_true", help="connect the bot over Socket Mode, not HTTP"
    )
    demo.set_defaults(run=_demo)
    return parser


def _mode_of(args: argparse.Namespace) -> Mode:
    if args.command in ("serve", "socket"):
        return "serve" if args.command == "serve" else "socket"
    return "jobs" if args.command == "jobs" and args.job_command == "run" else "cli"


def _secrets(settings: Settings) -> list[str]:
    return [settings.bot_token(), settings.signing_secret(), settings.app_token()]


def load_rules(settings: Settings) -> LeadbotConfig:
    """The rules file (LEADBOT_CONFIG); from now on its webhook secrets are masked in logs."""
    config = load_config(settings.leadbot_config)
    webhook_secrets = [webhook.secret for webhook in config.webhooks]
    configure_logging(settings.log_level, [*_secrets(settings), *webhook_secrets])
    return config


async def _serve(args: argparse.Namespace, settings: Settings) -> int:
    config = load_rules(settings)
    host, port = args.host or settings.host, args.port if args.port is not None else settings.port
    listener = reserve_port(host, port)
    try:
        services = await _started_services(settings, config)
    except BaseException:
        listener.close()
        raise
    runner = web.AppRunner(
        build_web_app(create_app(services, verified_by_server=True), services),
        access_log=None,
        shutdown_timeout=SHUTDOWN_SECONDS,
    )
    await runner.setup()
    try:
        await web.SockSite(runner, listener).start()
        set_aside_startup_objects()
        log.info("leadbot listening", extra={"host": host, "port": port})
        await _until_stopped()
    finally:
        await runner.cleanup()
    return 0


async def _socket(args: argparse.Namespace, settings: Settings) -> int:
    config = load_rules(settings)
    await check_bot_token(settings.bot_token(), settings.slack_api_url)
    socket_url = await open_socket_mode_url(settings.app_token(), settings.slack_api_url)
    services = build_services(settings, config)
    async with _closed_on_failure(services):
        await prepare_database(services.db, settings.database_url)
    stop = await connect_socket_mode(services, settings.app_token(), socket_url)
    log.info("leadbot connected over Socket Mode")
    try:
        await _until_stopped()
    finally:
        await stop()
    return 0


async def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    async with _database(settings):
        pass  # reaching and migrating it is the whole job
    print("database is up to date")
    return 0


async def _jobs_list(args: argparse.Namespace, settings: Settings) -> int:
    config = load_rules(settings)
    for job in JOBS.values():
        print(f"{job.name:<10} every {job.interval(config):g} s  {job.description}")
    return 0


async def _jobs_run(args: argparse.Namespace, settings: Settings) -> int:
    services = await _started_services(settings, load_rules(settings))
    try:
        print(await run_job(args.name, services.job_context(by_hand=True)))
    finally:
        await services.close()
    return 0


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    async with _database(settings, create=False) as db:
        count = await _export_to(args.output, db, args.format)
    print(f"exported {count} lead(s)", file=sys.stderr)
    return 0


async def _export_to(output: Path | None, db: Database, fmt: str) -> int:
    if output is None:
        return await export_leads(db, sys.stdout, fmt=fmt)
    try:
        with output.open("w", encoding="utf-8", newline="") as stream:
            return await export_leads(db, stream, fmt=fmt)
    except OSError as error:
        raise StartupError(
            f"cannot write {output} ({error.strerror}); choose another --output"
        ) from None


async def _report(args: argparse.Namespace, settings: Settings) -> int:
    config = load_config(settings.leadbot_config)
    chosen = period(args.period, now=utc_now(), timezone=config.timezone)
    if chosen is None:
        raise StartupError(f"--period {args.period!r} is not a period; use 7d, 30d, 90d or all")
    async with _database(settings, create=False) as db:
        loop = Loop(db=db, config=config, sales_channel="", clock=utc_now)
        funnel = await funnel_of(loop, chosen)
    write_report(funnel, sys.stdout, fmt=args.format, currency=config.outcomes.currency)
    return 0


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    config = load_rules(settings)
    options = ImportOptions(
        source=Source(args.source) if args.source else None,
        event=args.event.strip(),
        dry_run=args.dry_run,
    )
    async with _database(settings) as db:
        loop = Loop(
            db=db,
            config=config,
            sales_channel=settings.leadbot_sales_channel,
            clock=utc_now,
            marketing_channel=settings.leadbot_marketing_channel,
        )
        summary, rejected = await import_file(
            args.file, loop, options, show_progress=sys.stderr.isatty()
        )
    if rejected.rows:
        print(f"rejected rows and their reasons: {rejected.path}", file=sys.stderr)
    print(summary.line())
    return 0


async def _demo(args: argparse.Namespace, settings: Settings) -> int:
    options = DemoOptions(
        port=args.port, seed=args.seed, speed=args.speed, socket_mode=args.socket_mode
    )
    return await run_demo(options, _until_stopped)


async def _started_services(settings: Settings, config: LeadbotConfig) -> AppServices:
    """Services whose Slack token was accepted and whose database is migrated."""
    await check_bot_token(settings.bot_token(), settings.slack_api_url)
    services = build_services(settings, config)
    async with _closed_on_failure(services):
        await prepare_database(services.db, settings.database_url)
    return services


@contextlib.asynccontextmanager
async def _database(settings: Settings, *, create: bool = True) -> AsyncIterator[Database]:
    """The database of DATABASE_URL, reached and migrated (`create=False`: it must exist),
    disposed of on the way out."""
    db = create_database(settings.database_url)
    try:
        await prepare_database(db, settings.database_url, create=create)
        yield db
    finally:
        await db.dispose()


@contextlib.asynccontextmanager
async def _closed_on_failure(services: AppServices) -> AsyncIterator[None]:
    try:
        yield
    except BaseException:
        await services.close()
        raise


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()


if __name__ == "__main__":
    raise SystemExit(main())
