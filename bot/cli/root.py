"""The ``exemplar`` command. Each command parses its options, calls one function, prints the result.

Exit codes: 0 success; 1 a source or an operation failed; 2 bad usage or configuration;
3 the database schema needs ``exemplar db upgrade``; 4 ``serve`` cannot listen on its address and port;
130 interrupted (Ctrl-C) part-way, what was finished kept.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot import __version__
from bot.errors import ConfigError, ExemplarError, InterruptedRunError
from bot.listen import CannotListenError

if TYPE_CHECKING:
    from bot.runtime import App

LABELS = ("video", "tool", "question")

# Where each command lives. A command's module is imported only when that command runs (or when
# `--help` lists them all), so `exemplar --version` loads neither the ORM nor any network's SDK.
# tests/test_startup.py checks that this lists every command the modules register.
COMMAND_MODULES: dict[str, str] = {
    "collect": "bot.cli.collection",
    "import": "bot.cli.collection",
    "db": "bot.cli.database",
    "demo": "bot.cli.demo",
    "digest": "bot.cli.digest",
    "curator": "bot.cli.desk",
    "exclude": "bot.cli.desk",
    "posts": "bot.cli.posts",
    "classify": "bot.cli.posts",
    "label": "bot.cli.posts",
    "optout": "bot.cli.posts",
    "run": "bot.cli.service",
    "serve": "bot.cli.service",
    "init": "bot.cli.setup",
    "check": "bot.cli.setup",
    "status": "bot.cli.setup",
    "subscribers": "bot.cli.subscribers",
}
# Modules that add subcommands to another module's group (``db backup`` and ``db restore``).
ALSO_LOAD: dict[str, tuple[str, ...]] = {"bot.cli.database": ("bot.cli.setup",)}

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_SCHEMA = 3
EXIT_CANNOT_LISTEN = 4
EXIT_INTERRUPTED = 130


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
        except CannotListenError as error:
            _fail(str(error), EXIT_CANNOT_LISTEN)
        except InterruptedRunError as error:
            _fail(str(error), EXIT_INTERRUPTED)
        except ExemplarError as error:
            _fail(str(error), EXIT_FAILED)
        except Exception as error:
            # Storage's errors, looked up only now: `exemplar --version` does not load the ORM.
            schema_error = _loaded("storage.db", "SchemaError")
            if schema_error is not None and isinstance(error, schema_error):
                _fail(str(error), EXIT_SCHEMA)
            sqlalchemy_error = _loaded("sqlalchemy.exc", "SQLAlchemyError")
            if sqlalchemy_error is not None and isinstance(error, sqlalchemy_error):
                # what storage.db could not explain: still one line
                orig = getattr(error, "orig", None)
                cause = str(orig if orig is not None else error).strip().splitlines()
                _fail(f"database error: {cause[0] if cause else type(error).__name__}", EXIT_FAILED)
            raise


def _loaded(module: str, name: str) -> type[Exception] | None:
    """The exception class ``module.name`` if that module is loaded (if not, nothing raised it)."""
    found: type[Exception] | None = getattr(sys.modules.get(module), name, None)
    return found


def _load_command_module(module: str) -> None:
    """Import a command module: importing it registers its commands on :data:`cli`."""
    with _no_garbage_collection():
        loaded = importlib.import_module(module)
        if module == "bot.cli.digest" and "digest" not in cli.commands:
            cli.add_command(loaded.digest_group(_open_from_context))
        for other in ALSO_LOAD.get(module, ()):
            importlib.import_module(other)


@contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """Importing a command's libraries makes many objects that live as long as the process, and sets
    off the cycle collector again and again as they are made, each time going over them all. It is
    paused while they load, and what they made is then set aside from every later collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


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
