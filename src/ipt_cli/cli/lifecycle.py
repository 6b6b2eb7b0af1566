"""A course's lifecycle: `ipt ending`, `ipt archive`, `ipt delete`, `ipt import`
(`ipt export` is in export.py)."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common
from ipt_cli.cli.choices import Decision
from ipt_cli.cli.sealing import recorded_now
from ipt_cli.errors import ConflictError, InputError, Interrupted
from ipt_cli.store.paths import check_course_id

if TYPE_CHECKING:
    from ipt_cli.core.models import Course, Ending


def ending(
    ctx: typer.Context,
    course_id: common.CourseId,
    warning_sign: Annotated[
        list[str] | None,
        typer.Option("--warning-sign", metavar="TEXT", help="A relapse warning sign (repeatable)."),
    ] = None,
    warning_sign_depression: common.WarningSignDepressionOption = None,
    warning_sign_mania: common.WarningSignManiaOption = None,
    feelings_discussed: Annotated[
        bool | None,
        typer.Option(
            "--feelings-discussed/--feelings-not-discussed",
            help="Feelings about ending acknowledged?",
        ),
    ] = None,
    remaining: Annotated[str | None, typer.Option(metavar="TEXT", help="Remaining issues.")] = None,
    decision: Annotated[
        Decision | None, typer.Option(help="What follows the course.", show_default=False)
    ] = None,
    note: Annotated[str | None, typer.Option(metavar="TEXT", help="Note on the decision.")] = None,
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="Decide on maintenance or an end of care although the course has no "
            "response or the client is still a case (the manuals advise a referral); needed "
            "when no one is asked.",
        ),
    ] = False,
    date: common.ActDateOption = None,
    no_input: common.NoInput = False,
) -> None:
    """Record the termination work: warning signs, feelings, what comes next.

    It may be recorded before the last session (an early ending); the report shows it,
    dated --date (the day the work was done). IPSRT courses record the warning signs of each
    pole too (--warning-sign-depression, --warning-sign-mania); the relapse plan prints both.
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes

    poles = {
        "warning_signs_depression": warning_sign_depression or [],
        "warning_signs_mania": warning_sign_mania or [],
    }
    if any(poles.values()):  # refused before anything is asked or written
        changes.check_pole_signs(common.store(ctx).load(course_id), poles)
    today, made = common.today(), common.act_date(date)
    if made is not None:  # a wrong --date is refused before any question
        changes.course_act_date(common.store(ctx).load(course_id), made, today)

    if common.word(decision) in ("maintenance", "end"):
        # lazy: keeps the models (pydantic) and Rich off start-up
        from ipt_cli.core.progress import ending_gate
        from ipt_cli.interact.ending import confirm_despite_non_response

        course = common.store(ctx).load(course_id)
        ending_care = common.word(decision) == "end"
        gate = ending_gate(course, common.scoring_rules(ctx), ending_care)
        if gate is not None:
            what = "a decision for maintenance"
            if common.word(decision) == "end":
                what = "an end of care"
            confirm_despite_non_response(
                common.output(ctx),
                gate.advice,
                what,
                confirm,
                common.interactive(no_input),
                gate.reason,
            )

    def record(c: "Course") -> "tuple[Ending, Course]":
        changes.add_pole_signs(c, poles, today)
        ending = changes.record_ending(
            c,
            warning_sign or [],
            feelings_discussed,
            remaining,
            common.word(decision),
            note,
            today=today,
            made=made,
            recorded_at=recorded_now(),
        )
        return ending, c

    done, course = common.store(ctx).update(course_id, record)
    poles_done = ""
    if any(poles.values()):
        poles_done = (
            f", {len(course.warning_signs_depression)} of depression and "
            f"{len(course.warning_signs_mania)} of mania"
        )
    common.output(ctx).done(
        f"Termination record of {course_id}: {len(done.warning_signs)} warning "
        f"sign(s){poles_done}; decision: {done.decision or 'not yet'}.{common.dated(made)}"
    )


def archive(
    ctx: typer.Context,
    course_id: common.CourseId,
    undo: Annotated[bool, typer.Option("--undo", help="Bring the course back.")] = False,
) -> None:
    """Archive a course: it leaves `ipt list` (see `ipt list --all`)."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes

    today = common.today()
    common.store(ctx).update(course_id, lambda c: changes.set_archived(c, not undo, today))
    common.output(ctx).done(f"{'Restored' if undo else 'Archived'} {course_id}.")


def delete(
    ctx: typer.Context,
    course_id: common.CourseId,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a course file and its backups for good (asks first unless --yes).

    A member of a group is refused (ipt group remove GROUP_ID COURSE_ID first). In a
    synced folder the git history on this machine and the remote keeps the course:
    deleting removes the current file, not the history (docs/threat-model.md says how to
    purge it).
    """
    # lazy: keeps the models (pydantic) and group IPT off start-up
    from ipt_cli.store.groups import GroupStore

    store = common.store(ctx)
    course = store.load(course_id)
    groups, _ = GroupStore(store.paths.root).readable()
    member_of = [g.id for g in groups if course_id in g.members]
    if member_of:
        raise ConflictError(
            f"course {course_id!r} is a member of group {member_of[0]!r}; nothing was "
            f"deleted (first: ipt group remove {member_of[0]} {course_id})"
        )
    if not yes:
        if not common.interactive(no_input=False):
            raise InputError("refusing to delete without --yes when no one is at a terminal")
        # Rich: prompts only on a terminal
        from ipt_cli.interact import prompts

        question = (
            f"Delete course {course_id} ({course.client}, {len(course.sessions)} "
            "sessions)? This cannot be undone"
        )
        if not prompts.confirm(question, default=False):
            raise Interrupted("nothing was deleted")
    store.delete(course_id)
    common.output(ctx).done(f"Deleted {course_id}.")
    # lazy: keeps tomli off start-up
    from ipt_cli.store.sync import is_repo

    if is_repo(store.paths.root):
        common.output(ctx).warn(
            f"note: this folder is synced: the git history on this machine and on the "
            f"remote still holds {course_id} (see ipt history); deleting removed the current "
            "file only"
        )


def import_course(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A course file (.toml or .json).")],
    new_id: Annotated[
        str | None, typer.Option("--as", metavar="NEW_ID", help="Import under another id.")
    ] = None,
) -> None:
    """Import a course file after validating it; an existing id is refused.

    Signatures are kept as they are (a course imported under another id still verifies).
    """
    # lazy: keeps the models (pydantic) and tomli off start-up
    from ipt_cli.store.format import read_course_document

    store = common.store(ctx)
    course = read_course_document(file, store.cipher)
    if new_id is not None:
        course = course.model_copy(update={"id": check_course_id(new_id)})
    path = store.create(course)
    held = len(course.sessions)
    common.output(ctx).done(
        f"Imported {course.id} ({held} {'session' if held == 1 else 'sessions'}) to {path}."
    )
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core.signing import verify_chain

    if verify_chain(course).problems:  # kept as it came: the record shows what was changed
        common.output(ctx).warn(
            f"the signatures of {course.id} do not verify as imported; see: ipt verify {course.id}"
        )


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Example:\n\n  ipt ending ab-2026 --warning-sign 'Staying in bed' "
        "--warning-sign 'Not calling R.' --feelings-discussed --decision maintenance"
    )(ending)
    app.command(epilog="Examples:\n\n  ipt archive ab-2026\n\n  ipt archive ab-2026 --undo")(
        archive
    )
    app.command(epilog="Example:\n\n  ipt delete ab-2026 --yes")(delete)
    app.command(
        "import",
        epilog="Examples:\n\n  ipt import ab-2026.json\n\n  ipt import "
        "ab-2026.toml --as ab-2026-copy",
    )(import_course)
