"""`ipt supervise`: a supervisor's comments on a session, and sign-off."""

from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common, sealing

if TYPE_CHECKING:
    from ipt_cli.core.models import Course


def supervise(
    ctx: typer.Context,
    course_id: common.CourseId,
    session: common.SessionArgument,
    comment: Annotated[
        str | None, typer.Option(metavar="TEXT", help="The supervisor's comment.")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", metavar="NAME", help="The supervisor (default: signer in config.toml)."
        ),
    ] = None,
    sign_off: Annotated[
        bool, typer.Option("--sign", help="Record the supervisor's sign-off of a signed session.")
    ] = False,
    date: common.ActDateOption = None,
) -> None:
    """Add a supervisor's comment to a session, or sign it off (append-only, dated).

    A sign-off is of a signed session (`ipt sign` first) and is itself signed in the
    course's chain. `ipt report --supervision` lists the sessions not yet reviewed.
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core.supervision import supervise as add

    name = sealing.signer(ctx, by)
    today, at, seal = common.today(), sealing.now(), sealing.sealer(ctx)
    made, recorded = common.act_date(date), sealing.recorded_now()

    def change(course: "Course") -> tuple[str, bool]:
        entry, where = add(
            course,
            session,
            comment,
            name,
            sign_off,
            today,
            at,
            seal,
            wall=sealing.wall_clock(),
            made=made,
            recorded_at=recorded,
        )
        return where.described, entry.signature is not None

    described, sealed = common.store(ctx).update(course_id, change)
    what = "Sign-off" if sign_off else "Supervision comment"
    what = "Comment and sign-off" if sign_off and comment else what
    by_said = f" by {name}" if name else ""
    signed = " (signed in the course's chain)" if sealed else ""
    common.output(ctx).done(
        f"{what}{by_said} recorded for {described} of {course_id}{signed}.{common.dated(made)}"
    )


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt supervise ab-2026 3 --comment 'Good use of role-play' "
        "--by 'Dr S.'\n\n  ipt supervise ab-2026 2026-01-26 --sign --by 'Dr S.'"
    )(supervise)
