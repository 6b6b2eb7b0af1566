"""The `ipt` application: global options, command registration, and the one error exit."""

import difflib
import importlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from ipt_cli import __version__
from ipt_cli.cli import startup
from ipt_cli.errors import ExitCode, InputError, IptError
from ipt_cli.views.stdio import prepare_standard_streams

DEBUG_ENV = "IPT_DEBUG"

# Command -> the module of ipt_cli.cli that defines it, in the order `ipt --help` lists them.
# Only the module of the command being run is imported and turned into a click command.
COMMANDS = {
    "new-course": "course",
    "contract": "course",
    "maintenance": "course",
    "course": "course_set",
    "inventory": "inventory",
    "timeline": "timeline",
    "goal": "goal",
    "formulation": "formulation",
    "edit": "formulation",
    "session": "session",
    "risk-review": "session",
    "contact": "contact",
    "rhythm": "rhythm",
    "group": "group",
    "note": "note",
    "safety-plan": "safety_plan",
    "supervise": "supervise",
    "fidelity": "fidelity",
    "sign": "sign",
    "verify": "sign",
    "plan": "plan",
    "agenda": "plan",
    "report": "report",
    "list": "report",
    "outcomes": "outcomes",
    "search": "search",
    "ending": "lifecycle",
    "archive": "lifecycle",
    "delete": "lifecycle",
    "export": "export",
    "import": "lifecycle",
    "calendar": "calendar",
    "init": "encrypt",
    "encrypt": "encrypt",
    "decrypt": "encrypt",
    "recipients": "encrypt",
    "sync": "sync",
    "history": "sync",
    "resolve": "sync",
    "merge-driver": "sync",
    "doctor": "data",
    "restore": "data",
    "guide": "guide",
    "demo": "demo",
}


# `ipt --help` lists the commands under these headings, in this order (COMMANDS' order
# within each); a command in no section is listed under the last.
HELP_SECTIONS = {
    "Course": [
        "new-course", "course", "contract", "maintenance", "inventory", "timeline", "goal",
        "formulation", "edit", "ending", "archive", "delete",
    ],
    "Sessions": ["session", "risk-review", "contact", "rhythm", "group"],
    "Record and safety": ["note", "safety-plan", "supervise", "fidelity", "sign", "verify"],
    "Views": ["plan", "agenda", "report", "list", "outcomes", "search"],
    "Data and sync": [
        "export", "import", "calendar", "init", "encrypt", "decrypt", "recipients", "sync",
        "history", "resolve", "doctor", "restore",
    ],
    "Help": ["guide", "demo"],
}  # fmt: skip


def _commands_of(module_name: str) -> dict[str, Any]:
    """The click commands one module of ipt_cli.cli registers."""
    module = importlib.import_module(f"ipt_cli.cli.{module_name}")
    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    holder.callback()(lambda: None)  # a callback makes a group even for one command
    module.register(holder)
    group = typer.main.get_command(holder)
    return dict(getattr(group, "commands", {}))


class IptGroup(TyperGroup):
    """Loads only the command being run, and turns every expected failure into one line on
    stderr and its documented exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.commands.update(_commands_of(COMMANDS[cmd_name]))
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands under task headings (HELP_SECTIONS), each with its whole first
        sentence: wrapped, never cut with an ellipsis."""
        listed = {name: self.get_command(ctx, name) for name in self.list_commands(ctx)}
        shown = {name: cmd for name, cmd in listed.items() if cmd is not None and not cmd.hidden}
        placed = {name for names in HELP_SECTIONS.values() for name in names}
        sections = [*HELP_SECTIONS.items(), ("Other", [n for n in shown if n not in placed])]
        for title, names in sections:
            rows = [(n, shown[n].get_short_help_str(limit=1000)) for n in names if n in shown]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As click's, with the nearest commands named when the one typed does not exist
        (typer's own suggestion sees only the commands already loaded: none)."""
        typed = args[0] if args else ""
        if typed and not typed.startswith("-") and typed not in self.list_commands(ctx):
            known = [n for n in self.list_commands(ctx) if n != "merge-driver"]
            near = difflib.get_close_matches(typed, known, n=3, cutoff=0.6)
            hint = f"; did you mean: {', '.join(near)}?" if near else ""
            raise InputError(f"no such command {typed!r}{hint} (see: ipt --help)")
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and name is not None and any(_undecodable(a) for a in rest):
            option = _undecodable_text_option(command, name, rest, ctx)
            if option is not None:
                raise InputError(
                    f"{option} is not valid UTF-8 text (a byte of another encoding); "
                    "type it again, or set the terminal's encoding (locale) to UTF-8"
                )
        return name, command, rest

    def invoke(self, ctx: Any) -> Any:
        # lazy: keeps store.commits off `ipt --version`
        from ipt_cli.store.commits import committed
        from ipt_cli.views.output import Output

        ctx.obj = {"output": Output()}
        before = committed()
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # inside the guard: a failing stdout is handled below
            return result
        except IptError as error:
            ctx.obj["output"].error(error.message)  # neutralised and never failing
            raise typer.Exit(int(error.exit_code)) from None
        except (KeyboardInterrupt, EOFError) as stop:
            why = "interrupted" if isinstance(stop, KeyboardInterrupt) else "input ended"
            _say(f"\nipt: {why}; nothing more was saved\n")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except typer.TyperException as error:
            ctx.obj["output"].error(_usage_line(error))
            raise typer.Exit(getattr(error, "exit_code", 2)) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
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


def _undecodable(text: str) -> bool:
    """Whether a command-line word held bytes that are not UTF-8 (Python keeps each as a
    lone surrogate, which no file or terminal can take as text)."""
    return any("\udc80" <= char <= "\udcff" for char in text)


def _undecodable_text_option(command: Any, name: str, args: list[str], parent: Any) -> str | None:
    """The first text option or argument (not a path: a file name may be any bytes) of
    `command` given bytes that are not UTF-8, found by parsing `args` without side effects;
    None when there is none or the words do not parse (the usage error says why)."""
    try:
        sub = command.make_context(name, list(args), parent=parent, resilient_parsing=True)
    except (typer.TyperException, typer.Exit, IptError):
        return None
    for param in command.get_params(sub):
        if type(param.type).__name__ != "StringParamType":
            continue  # paths, numbers, choices: converted or refused by click itself
        value = sub.params.get(param.name or "")
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, str) and _undecodable(v) for v in values):
            option = param.param_type_name == "option" and param.opts
            return str(param.opts[0] if option else param.human_readable_name)
    rest = [*getattr(sub, "_protected_args", []), *sub.args]
    if rest and hasattr(command, "resolve_command"):  # a group: its command's words
        try:
            sub_name, sub_command, sub_rest = command.resolve_command(sub, rest)
        except typer.TyperException:
            return None
        if sub_command is not None and sub_name is not None:
            return _undecodable_text_option(sub_command, sub_name, sub_rest, sub)
    return None


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


def _usage_line(error: typer.TyperException) -> str:
    """A usage error (unknown option, bad choice, missing argument) in one line, with the
    command whose --help explains it."""
    failed = getattr(error, "ctx", None)
    command = failed.command_path if failed is not None else "ipt"
    format_message = getattr(error, "format_message", None)
    text = format_message() if callable(format_message) else str(error)
    return f"{text} (see: {command} --help)"


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
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Never page long output (default on a terminal: $PAGER, else less -R).",
        ),
    ] = False,
) -> None:
    ctx.obj["data_dir"] = data_dir
    if no_pager:
        ctx.obj["output"].paging = False


def main() -> None:
    startup.prepare()
    prepare_standard_streams()  # closed streams reopened; any encoding can be written
    try:
        app(prog_name="ipt")
    except SystemExit as stop:
        startup.finish(stop.code)
    startup.finish(0)
