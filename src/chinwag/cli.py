"""The ``chinwag`` command: serve, migrate, token, config."""

from __future__ import annotations

import asyncio
import sys

import click
import uvicorn
from pydantic import ValidationError

from chinwag.config import Settings


def load_settings() -> Settings:
    """The settings from the environment; a bad value exits with a message naming it."""
    from chinwag.settings_report import describe_errors

    try:
        return Settings()
    except ValidationError as exc:
        click.echo(describe_errors(exc), err=True)
        sys.exit(2)


@click.group()
def cli() -> None:
    """chinwag: a contract-first real-time chat backend."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to bind.")
@click.option("--demo", is_flag=True, help="Create demo data and print tokens to try it.")
@click.option(
    "--log-level", default="info", show_default=True, help="uvicorn and chinwag log level."
)
def serve(host: str, port: int, demo: bool, log_level: str) -> None:
    """Run the server (migrates the database first)."""
    from chinwag.app import create_app
    from chinwag.bootstrap import Runtime
    from chinwag.logs import configure_logging
    from chinwag.transport.limits.handshake_pacing import TurnGate, paced_http_protocol
    from chinwag.transport.socketio.memory import tune_collector
    from chinwag.transport.socketio.serving import ChinwagServer

    settings = load_settings()
    configure_logging(settings.log_format, log_level)

    async def show_demo(runtime: Runtime) -> None:
        from chinwag.demo import describe, seed_demo

        data = await seed_demo(runtime)
        # Offered to the /demo page (never the service token); see chinwag.webclient.
        app.state.demo_users.tokens.update(
            {user: token for user, token in data.tokens.items() if user != "service"}
        )
        click.echo(describe(data, f"http://{host}:{port}"))

    async def started(runtime: Runtime) -> None:
        if demo:
            await show_demo(runtime)
        # This process is a server of its own: tune its collector (never done for an app
        # embedded elsewhere); see chinwag.transport.socketio.memory.
        tune_collector()

    app = create_app(settings, on_startup=started)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        log_config=None,  # chinwag.logs configured every logger already
        access_log=log_level.lower() in ("debug", "trace"),
        ws_per_message_deflate=settings.websocket_compression,
        # New connections start a few per loop turn (a handshake flood cannot stall acks).
        http=paced_http_protocol(TurnGate()),
        timeout_graceful_shutdown=int(settings.shutdown_deadline_s),
        lifespan="on",
    )
    ChinwagServer(config, app.state.runtime.gateway).run()


@cli.command()
def migrate() -> None:
    """Upgrade the database to the newest schema."""
    from chinwag.storage import migrate as run_migrations

    settings = load_settings()
    asyncio.run(run_migrations(settings.database_url))
    click.echo("database is up to date")


@cli.command()
@click.argument("sub")
@click.option("--role", type=click.Choice(["user", "service"]), default="user", show_default=True)
@click.option("--ttl", type=int, default=3600, show_default=True, help="Lifetime in seconds.")
def token(sub: str, role: str, ttl: int) -> None:
    """Print an HS256 JWT for SUB signed with CHINWAG_JWT_SECRET."""
    from chinwag.services.auth import TokenService

    settings = load_settings()
    if settings.jwt_secret_is_default:
        click.echo("warning: CHINWAG_JWT_SECRET is not set; using the dev secret", err=True)
    service = TokenService(settings.effective_jwt_secret)
    click.echo(service.issue(sub, role="service" if role == "service" else "user", ttl=ttl))


@cli.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of aligned lines.")
def show_config(as_json: bool) -> None:
    """Print the effective configuration (environment and defaults), secrets masked."""
    from chinwag.settings_report import render_effective

    click.echo(render_effective(load_settings(), as_json))


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="chinwag")
    sys.exit(0)
