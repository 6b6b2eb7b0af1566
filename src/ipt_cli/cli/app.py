"""The `ipt` application: global options, command registration, and the one error exit."""

import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from ipt_cli import __version__
from ipt_cli.cli import (
    assessment,
    course,
    data,
    demo,
    guide,
    lifecycle,
    plan,
    report,
    session,
)
from ipt_cli.errors import ExitCode, IptError

DEBUG_ENV = "IPT_DEBUG"


class IptGroup(TyperGroup):
    """Turns every expected failure into one line on stderr and its documented exit code."""

    def invoke(self, ctx: Any) -> Any:
        from ipt_cli.store.commits import committed

        before = committed()
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # inside the guard: a failing stdout is handled below
            return result
        except IptError as error:
            from ipt_cli.views.text_safety import terminal_safe

            _say(f"ipt: error: {terminal_safe(error.message)}\n")
            raise typer.Exit(int(error.exit_code)) from None
        except (KeyboardInterrupt, EOFError) as stop:
            why = "interrupted" if isinstance(stop, KeyboardInterrupt) else "input ended"
            _say(f"\nipt: {why}; nothing more was saved\n")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (typer.Exit, typer.Abort, typer.TyperException, SystemExit):
            raise  # TyperException: a usage error, which Typer reports itself (exit 2)
        except OSError as error:
            if committed() == before and not isinstance(error, BrokenPipeError):
                _unexpected(error, saved=False)
            # The output went away (a closed pipe, a full disk behind a redirect): say
            # nothing more there, and keep Python from failing on it again at exit.
            _silence_stdout()
            if committed() != before:
                _say("ipt: the change was saved; its confirmation could not be printed\n")
                raise typer.Exit(int(ExitCode.OK)) from None
            raise typer.Exit(int(ExitCode.BROKEN_PIPE)) from None
        except Exception as error:
            _unexpected(error, saved=committed() != before)


def _say(text: str) -> None:
    """Write to stderr; a stderr that is gone must not turn into a second error."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _silence_stdout() -> None:
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # an in-memory stdout (tests): nothing to silence


def _unexpected(error: Exception, saved: bool) -> NoReturn:
    if os.environ.get(DEBUG_ENV):
        raise error
    # Only the type: an exception's text could hold note text.
    saved_note = " The change was saved." if saved else ""
    _say(
        f"ipt: unexpected error ({type(error).__name__}).{saved_note} This is a bug; run "
        f"again with {DEBUG_ENV}=1 to see the full trace.\n"
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


for module in (course, assessment, session, plan, report, lifecycle, data, guide, demo):
    module.register(app)


def main() -> None:
    # ipt uses no pydantic plugins; skipping their discovery (a scan of every installed
    # package's entry points) saves about 25 ms on every command that reads a course.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from ipt_cli.views.stdio import prepare_standard_streams

    prepare_standard_streams()
    app(prog_name="ipt")
