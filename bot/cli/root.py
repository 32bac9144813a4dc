"""The ``exemplar`` command. Each command parses its options, calls one function, prints the result.

Exit codes: 0 success; 1 a source or an operation failed; 2 bad usage or configuration;
3 the database schema needs ``exemplar db upgrade``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot import __version__
from bot.errors import ConfigError, ExemplarError

if TYPE_CHECKING:
    from bot.runtime import App

LABELS = ("video", "tool", "question")

# Where each command lives. A command's module is imported only when that command runs (or when
# `--help` lists them all), so `exemplar --version` loads neither the ORM nor any network's SDK.
COMMAND_MODULES: dict[str, str] = {
    "collect": "bot.cli.collection",
    "import": "bot.cli.collection",
    "db": "bot.cli.database",
    "demo": "bot.cli.demo",
    "digest": "bot.cli.digest",
    "posts": "bot.cli.posts",
    "classify": "bot.cli.posts",
    "label": "bot.cli.posts",
    "exclude": "bot.cli.posts",
    "optout": "bot.cli.posts",
    "run": "bot.cli.service",
    "serve": "bot.cli.service",
    "curator": "bot.cli.service",
}

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_SCHEMA = 3


class _ExemplarGroup(click.Group):
    """Turns our errors into one line on stderr and an exit code, never a traceback, and loads each
    command's module only when the command is asked for (:data:`COMMAND_MODULES`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            _load_command_module(COMMAND_MODULES[cmd_name])
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            _fail(f"configuration error: {error}", EXIT_CONFIG)
        except ExemplarError as error:
            _fail(str(error), EXIT_FAILED)
        except Exception as error:
            schema_error = _schema_error_type()
            if schema_error is not None and isinstance(error, schema_error):
                _fail(str(error), EXIT_SCHEMA)
            raise


def _schema_error_type() -> type[Exception] | None:
    """``storage.db.SchemaError`` when storage has been loaded (it cannot be raised otherwise)."""
    storage_db = sys.modules.get("storage.db")
    found: type[Exception] | None = getattr(storage_db, "SchemaError", None)
    return found


def _load_command_module(module: str) -> None:
    """Import a command module: importing it registers its commands on :data:`cli`."""
    loaded = importlib.import_module(module)
    if module == "bot.cli.digest" and "digest" not in cli.commands:
        cli.add_command(loaded.digest_group(_open_from_context))


def _fail(message: str, code: int) -> None:
    click.echo(f"exemplar: {message}", err=True)
    sys.exit(code)


class _Options:
    def __init__(self, config: Path | None, verbose: int, quiet: bool) -> None:
        self.config = config
        self.verbose = verbose
        self.quiet = quiet

    def open(self, *, check_schema: bool = True) -> App:
        from bot.runtime import configure_logging, open_app

        app = open_app(self.config, check_schema=check_schema)
        click.get_current_context().call_on_close(app.engine.dispose)
        level = app.settings.log_level
        if self.verbose:
            level = "debug" if self.verbose > 1 else "info"
        elif self.quiet:
            level = "error"
        configure_logging(level)
        return app


pass_options = click.make_pass_decorator(_Options)


@click.group(cls=_ExemplarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (default: $EXEMPLAR_CONFIG, ./exemplar.toml, then the user config directory).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors in the log output.")
@click.version_option(__version__, prog_name="exemplar")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, verbose: int, quiet: bool) -> None:
    """Exemplar keeps the best of a hashtag: it collects posts, classifies them and builds digests."""
    ctx.obj = _Options(config, verbose, quiet)


def _open_from_context() -> App:
    options: _Options = click.get_current_context().find_object(_Options)  # type: ignore[assignment]
    return options.open()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="exemplar")
