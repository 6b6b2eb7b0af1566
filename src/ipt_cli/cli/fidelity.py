"""`ipt fidelity`: rate a session against the IPT tasks of its phase and problem area."""

from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common, sealing
from ipt_cli.core.dates import act_date
from ipt_cli.core.vocabulary import FidelityScoreId, listed

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.core.fidelity import PhaseAdherence
    from ipt_cli.core.models import Course


def fidelity(
    ctx: typer.Context,
    course_id: common.CourseId,
    session: common.SessionArgument,
    item: Annotated[
        list[str] | None,
        typer.Option(
            "--item",
            metavar="ID=SCORE",
            help=f"Rate one item: {listed(FidelityScoreId)} (repeatable); ids: ipt guide fidelity.",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="NAME", help="Who rated (default: signer in config.toml)."),
    ] = None,
    output_format: common.FormatOption = common.Format.text,
    date: common.ActDateOption = None,
    no_input: common.NoInput = False,
) -> None:
    """Rate a session's adherence to IPT, item by item (on a terminal, a walk-through).

    Without --item and without a terminal, shows the session's items and its latest
    rating. The report shows adherence per phase and the tasks most often missed.
    """
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes
    from ipt_cli.core import fidelity as rules
    from ipt_cli.core.record import session_of
    from ipt_cli.views import record as views

    store = common.store(ctx)
    course = store.load(course_id)
    where = changes.locate_session(course, session)
    made = common.act_date(date)
    if made is not None:  # a wrong --date is refused before the walk-through
        act_date(made, common.today(), where.sitting.date, f"{where.described}")
    items = rules.items_for(course, where)
    held = session_of(where).fidelity
    latest = held[-1] if held else None
    heading = f"Fidelity of {where.described} ({rules.phase_of(course, where)} phase)"
    if item:
        ratings = dict(rules.parse_item(text) for text in item)
    elif common.interactive(no_input):
        # Rich: prompts only on a terminal
        from ipt_cli.interact.fidelity import ask_ratings

        ratings = ask_ratings(heading, items, dict(latest.items) if latest else {})
    elif output_format is common.Format.json:
        common.output(ctx).json(
            {
                "course_id": course_id,
                "session": where.label,
                "date": where.sitting.date.isoformat(),
                "phase": rules.phase_of(course, where),
                "rated": None if latest is None else latest.date.isoformat(),
                "rated_by": None if latest is None else latest.by,
                "recorded_at": None  # when the rating was written (UTC); null in older files
                if latest is None or latest.recorded_at is None
                else latest.recorded_at.isoformat(),
                "items": [
                    {
                        "id": i.id,
                        "text": i.text,
                        "score": latest.items.get(i.id) if latest else None,
                    }
                    for i in items
                ],
            }
        )
        return
    else:
        common.output(ctx).data("\n".join(views.fidelity_lines(heading, items, latest)) + "\n")
        return
    _rate(ctx, course_id, session, ratings, (by, made))


def _rate(
    ctx: typer.Context,
    course_id: str,
    session: str,
    ratings: dict[str, str],
    by_made: "tuple[str | None, dt.date | None]",
) -> None:
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import fidelity as rules

    by, made = by_made
    rater = sealing.signer(ctx, by)
    today, at, seal = common.today(), sealing.now(), sealing.sealer(ctx)
    recorded = sealing.recorded_now()

    def change(course: "Course") -> tuple[str, "PhaseAdherence"]:
        _, where = rules.rate(
            course,
            session,
            ratings,
            rater,
            today,
            at,
            seal,
            wall=sealing.wall_clock(),
            made=made,
            recorded_at=recorded,
        )
        return where.described, rules.session_adherence(course, where)

    described, score = common.store(ctx).update(course_id, change)
    share = f" ({score.percent}%)" if score.percent is not None else ""
    unrated = f"; {score.unrated} unrated" if score.unrated else ""
    common.output(ctx).done(
        f"Fidelity of {described} of {course_id} rated: {score.done} of {score.applicable} "
        f"applicable item(s) done{share} ({score.rated} rated{unrated}).{common.dated(made)}"
    )


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt fidelity ab-2026 5\n\n  ipt fidelity ab-2026 5 --item "
        "mid-opening=done --item mid-rating=done --item grief-fid-feelings=partly"
    )(fidelity)
