"""`ipt sync`, `ipt history`, `ipt resolve` and git's `ipt merge-driver`: history and sync
across machines through git (store/sync.py)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.errors import DataError, InputError
from ipt_cli.store.paths import check_course_id


class Keep(StrEnum):
    mine = "mine"
    theirs = "theirs"


def sync(
    ctx: typer.Context,
    init: Annotated[
        bool,
        typer.Option(
            "--init",
            help="Make the data folder a git repository, or clone REMOTE_URL into an empty one.",
        ),
    ] = False,
    remote: Annotated[
        str | None,
        typer.Argument(metavar="[REMOTE_URL]", help="With --init: the repository to sync with."),
    ] = None,
    accept_settings: Annotated[
        bool,
        typer.Option(
            "--accept-settings",
            help="Take the remote's change to recipients.txt, encryption.toml, "
            "allowed_signers, config.toml, .gitignore or .gitattributes (shown first).",
        ),
    ] = False,
) -> None:
    """Commit what is pending, pull (merging courses session by session), then push.

    Nothing is ever pushed but by this command. The remote is not trusted: a change it
    makes to who can read the data, who may sign or what is synced stops the sync until
    you accept it (--accept-settings, or ipt recipients accept); a symbolic link in it
    stops the sync.
    """
    # lazy: keeps tomli off start-up
    from ipt_cli.store import sync as git_sync

    root = common.data_paths(ctx).root
    out = common.output(ctx)
    if init:
        out.done(git_sync.init(root, remote) + ".")
        return
    if remote is not None:
        raise InputError("REMOTE_URL goes with --init: ipt sync --init REMOTE_URL")
    try:
        done = git_sync.sync(root, accept_settings=accept_settings)
    except git_sync.TrustChangeError as error:
        out.message(error.difference.rstrip("\n"))
        raise
    if done.accepted:
        out.message(done.difference.rstrip("\n"))
        out.done(f"Accepted the remote's {', '.join(done.accepted)}.")
    for subject in done.came_in:
        out.done(f"in:  {subject}")
    for subject in done.went_out:
        out.done(f"out: {subject}")
    if not done.came_in and not done.went_out:
        out.done("Up to date: nothing came in, nothing went out.")


def history(ctx: typer.Context, course_id: common.CourseId) -> None:
    """The commits of one course, newest first (a synced data folder)."""
    # lazy: keeps tomli off start-up
    from ipt_cli.store import sync as git_sync

    lines = git_sync.history(common.data_paths(ctx).root, check_course_id(course_id))
    if not lines:
        common.output(ctx).done(f"No commits of {course_id} yet.")
    for line in lines:
        common.output(ctx).done(line)


def resolve(
    ctx: typer.Context,
    course_id: common.CourseId,
    keep: Annotated[
        Keep | None,
        typer.Option(
            "--keep",
            help="mine: keep this machine's versions; theirs: put the other machine's in place.",
        ),
    ] = None,
) -> None:
    """List a course's sync conflicts, or settle them all with --keep."""
    # lazy: keeps pydantic off start-up, and the merge off `ipt --help`
    from pydantic import ValidationError

    from ipt_cli.core.merge import UnplaceableConflict, describe, settle
    from ipt_cli.core.validation import describe_validation

    store = common.store(ctx)
    course = store.load(course_id)
    out = common.output(ctx)
    if not course.conflicts:
        out.done(f"{course_id} has no sync conflicts.")
        return
    if keep is None:
        for conflict in course.conflicts:
            out.done(describe(conflict.model_dump()))
        out.done(f"Settle them with: ipt resolve {course_id} --keep mine|theirs")
        return
    try:
        count = store.update(course_id, lambda c: settle(c, keep.value))
    except UnplaceableConflict as error:
        raise DataError(
            f"{course_id}, the other machine's version",
            [
                f"{error}, so it was not put in place; keep mine (ipt resolve {course_id} "
                f"--keep mine) or fix it with ipt edit {course_id}"
            ],
        ) from None
    except ValidationError as error:
        raise DataError(
            f"{course_id}, the other machine's version",
            [
                "is not a valid course, so it was not put in place; keep mine "
                f"(ipt resolve {course_id} --keep mine) or fix it with ipt edit {course_id}",
                *describe_validation(error),
            ],
        ) from None
    out.done(f"Settled {count} conflict(s) of {course_id}, keeping {keep.value}.")


def merge_driver(
    base: Annotated[Path, typer.Argument(metavar="BASE")],
    ours: Annotated[Path, typer.Argument(metavar="OURS")],
    theirs: Annotated[Path, typer.Argument(metavar="THEIRS")],
) -> None:
    """git's merge driver for course files (registered by ipt sync --init)."""
    # lazy: keeps tomli off start-up
    from ipt_cli.store.sync import merge_files

    merge_files(base, ours, theirs, Path.cwd())


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt sync --init git@example.org:me/ipt-data.git\n\n  ipt sync"
    )(sync)
    app.command(epilog="Example:\n\n  ipt history ab-2026")(history)
    app.command(epilog="Examples:\n\n  ipt resolve ab-2026\n\n  ipt resolve ab-2026 --keep mine")(
        resolve
    )
    app.command(
        "merge-driver",
        hidden=True,  # git runs it, not a person: not listed in `ipt --help`
        epilog="Example (git runs it; ipt sync --init registers it):\n\n  "
        "ipt merge-driver %O %A %B",
    )(merge_driver)
