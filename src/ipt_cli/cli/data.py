"""Looking after the data folder: `ipt doctor` and `ipt restore`."""

from typing import Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.errors import ExitCode, InputError


def doctor(
    ctx: typer.Context,
    fix: Annotated[
        bool,
        typer.Option("--fix", help="Repair what is safe: permissions and stray temporary files."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Check every file: parse, validate, permissions, stray temp and lock files, and
    every signed session (as `ipt verify`).

    First it names both settings files, each in full: yours (~/.config/ipt/config.toml on
    Linux) and the data folder's config.toml, which wins key by key.

    Exits 4 when a course file is damaged, else 9 when a signed record no longer verifies,
    so it can run from cron.
    """
    # lazy: keeps the models (pydantic) and tomli off start-up
    from ipt_cli.store.doctor import examine
    from ipt_cli.views import terminal

    store = common.store(ctx)
    findings = examine(store, fix=fix)
    if as_json:
        common.output(ctx).json(
            [
                {
                    "path": str(f.path),
                    "status": f.status,
                    "detail": f.problem,  # what was found, for every status
                    "problem": f.problem,  # the same text under its first name (a contract)
                    "fixed": f.fixed,
                }
                for f in findings
            ]
        )
    else:
        common.output(ctx).show(terminal.findings_view(findings, store.paths.root))
    errors = [f for f in findings if f.status == "error"]
    if any(f.kind != "signature" for f in errors):
        raise typer.Exit(int(ExitCode.DATA_ERROR))
    if errors:  # only signed records that no longer verify
        raise typer.Exit(int(ExitCode.VERIFY_FAILED))


def restore(
    ctx: typer.Context,
    course_id: common.CourseId,
    show: Annotated[bool, typer.Option("--list", help="List the kept backups.")] = False,
    number: Annotated[
        int | None,
        typer.Option(
            "--from",
            metavar="N",
            help="Restore backup N (1 = newest) after backing up the current file.",
        ),
    ] = None,
    commit: Annotated[
        str | None,
        typer.Option(
            "--commit",
            metavar="REV",
            help="In a synced folder: restore the course as committed in REV (see ipt history).",
        ),
    ] = None,
) -> None:
    """List or restore the last 5 versions kept before each change (or, in a synced folder,
    any committed version: --commit)."""
    store = common.store(ctx)
    if commit is not None:
        course = store.restore_commit(course_id, commit)
        common.output(ctx).done(
            f"Restored {course_id} as of commit {commit} ({len(course.sessions)} sessions)."
        )
        return
    if number is not None:
        course = store.restore(course_id, number)
        common.output(ctx).done(
            f"Restored backup {number} of {course_id} ({len(course.sessions)} sessions)."
        )
        return
    if not show:
        raise InputError("give --list to see the backups, or --from N to restore one")
    backups = store.backups(course_id)
    if not backups:
        common.output(ctx).done(f"No backups of {course_id} yet.")
        return
    for backup in backups:
        common.output(ctx).done(
            f"{backup.number}  {backup.taken.strftime('%Y-%m-%d %H:%M:%S')} UTC"
            f"  {backup.path.stat().st_size} bytes"
        )


def register(app: typer.Typer) -> None:
    app.command(epilog="Examples:\n\n  ipt doctor\n\n  ipt doctor --fix")(doctor)
    app.command(
        epilog="Examples:\n\n  ipt restore ab-2026 --list\n\n  ipt restore ab-2026 --from 1\n\n  "
        "ipt restore ab-2026 --commit 3f2a9c1"
    )(restore)
