"""The ``exemplar`` command. Each command parses its options, calls one function, prints the result.

Exit codes: 0 success; 1 a source or an operation failed; 2 bad usage or configuration;
3 the database schema needs ``exemplar db upgrade``; 4 ``serve`` cannot listen on its address and port.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot import __version__
from bot.cli.digest import digest_group
from bot.errors import ConfigError, ExemplarError
from bot.listen import CannotListenError
from bot.runtime import App, configure_logging, open_app
from storage import digests as digest_repo
from storage.db import SchemaError

LABELS = ("video", "tool", "question")
EXCLUSION_KINDS = digest_repo.EXCLUSION_KINDS

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_SCHEMA = 3
EXIT_CANNOT_LISTEN = 4


class _ExemplarGroup(click.Group):
    """Turns our errors into one line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            _fail(f"configuration error: {error}", EXIT_CONFIG)
        except SchemaError as error:
            _fail(str(error), EXIT_SCHEMA)
        except CannotListenError as error:
            _fail(str(error), EXIT_CANNOT_LISTEN)
        except ExemplarError as error:
            _fail(str(error), EXIT_FAILED)
        except SQLAlchemyError as error:  # what storage.db could not explain: still one line
            cause = str(error.orig if isinstance(error, DBAPIError) else error).strip().splitlines()
            _fail(f"database error: {cause[0] if cause else type(error).__name__}", EXIT_FAILED)


def _fail(message: str, code: int) -> None:
    click.echo(f"exemplar: {message}", err=True)
    sys.exit(code)


class _Options:
    def __init__(self, config: Path | None, verbose: int, quiet: bool) -> None:
        self.config = config
        self.verbose = verbose
        self.quiet = quiet

    def open(self, *, check_schema: bool = True) -> App:
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


cli.add_command(digest_group(_open_from_context))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="exemplar")
