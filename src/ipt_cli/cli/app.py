"""The `ipt` application: global options, command registration, and the one error exit."""

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ipt_cli import __version__
from ipt_cli.cli import (
    assessment,
    calendar,
    course,
    data,
    demo,
    export,
    guide,
    lifecycle,
    plan,
    report,
    search,
    session,
)
from ipt_cli.errors import ExitCode, IptError

DEBUG_ENV = "IPT_DEBUG"


class IptGroup(TyperGroup):
    """Turns every expected failure into one line on stderr and its documented exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except IptError as error:
            sys.stderr.write(f"ipt: error: {error.message}\n")
            raise typer.Exit(int(error.exit_code)) from None
        except (KeyboardInterrupt, EOFError) as stop:
            why = "interrupted" if isinstance(stop, KeyboardInterrupt) else "input ended"
            sys.stderr.write(f"\nipt: {why}; nothing more was saved\n")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            # The reader stopped listening; say nothing more, and keep Python from
            # complaining when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(int(ExitCode.BROKEN_PIPE)) from None
        except (typer.Exit, typer.Abort, typer.TyperException, SystemExit):
            raise  # TyperException: a usage error, which Typer reports itself (exit 2)
        except Exception as error:
            if os.environ.get(DEBUG_ENV):
                raise
            # Only the type: an exception's text could hold note text.
            sys.stderr.write(
                f"ipt: unexpected error ({type(error).__name__}). This is a bug; run again "
                f"with {DEBUG_ENV}=1 to see the full trace.\n"
            )
            raise typer.Exit(int(ExitCode.UNEXPECTED)) from None


app = typer.Typer(
    name="ipt",
    cls=IptGroup,
    help="Plan and record courses of Interpersonal Psychotherapy (IPT) from the terminal.\n\n"
    "Data stays on this machine, in TOML files readable by you only. ipt is a "
    "record-keeping aid, not a crisis service.",
    epilog="Examples:\n\n  ipt demo\n\n  ipt new-course ab-2026 --client A.B. "
    "--problem-area grief --phq9 2,2,1,2,1,1,1,0,0\n\n  ipt session ab-2026 --phq9 "
    "1,1,1,1,1,0,1,0,0 --note 'Talked about the funeral'\n\n  ipt report ab-2026",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"ipt {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            metavar="PATH",
            envvar=None,
            help="Data folder (default: $IPT_HOME, else the platform's user data folder).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = {"data_dir": data_dir}


for module in (
    course,
    assessment,
    session,
    plan,
    report,
    lifecycle,
    export,
    calendar,
    search,
    data,
    guide,
    demo,
):
    module.register(app)


def main() -> None:
    # ipt uses no pydantic plugins; skipping their discovery (a scan of every installed
    # package's entry points) saves about 25 ms on every command that reads a course.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app(prog_name="ipt")
