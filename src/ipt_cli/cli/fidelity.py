"""`ipt fidelity`: rate a session against the IPT tasks of its phase and problem area."""

from typing import TYPE_CHECKING, Annotated

import typer

from ipt_cli.cli import common, sealing
from ipt_cli.core.dates import act_date
from ipt_cli.core.vocabulary import FidelityScoreId, listed
from ipt_cli.errors import InputError

if TYPE_CHECKING:
    import datetime as dt

    from ipt_cli.core.changes import Located
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
            help=f"Rate one item: {listed(FidelityScoreId)} (repeatable); the session's ids: "
            "ipt fidelity COURSE_ID SESSION --no-input.",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="NAME", help="Who rated (default: signer in config.toml)."),
    ] = None,
    output_format: Annotated[
        common.Format | None,
        typer.Option(
            "--format",
            "-f",
            help="text, markdown or json: the session's items and latest rating (never the "
            "walk-through); with --item, json prints them after the rating.",
        ),
    ] = None,
    as_json: common.JsonOption = False,
    date: common.ActDateOption = None,
    no_input: common.NoInput = False,
) -> None:
    """Rate a session's adherence to IPT, item by item (on a terminal, a walk-through).

    Without --item, on a terminal, walks through the items; with --no-input, --format or
    --json, or without a terminal, shows the session's items and its latest rating.
    Adherence is over the phase's applicable items, those left unrated counted in it and
    shown. The report shows adherence per phase and the tasks most often missed.
    """
    chosen = common.chosen_format(common.Format, output_format, as_json, None, common.Format.text)
    shown = output_format is not None or as_json  # a format asked for: show, never ask
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes
    from ipt_cli.core import fidelity as rules

    store = common.store(ctx)
    course = store.load(course_id)
    where = changes.locate_session(course, session)
    made = common.act_date(date)
    if made is not None:  # a wrong --date is refused before the walk-through
        act_date(made, common.today(), where.sitting.date, f"{where.described}")
    if item:
        ratings = rules.parse_items(item, course, where)
    elif common.interactive(no_input) and not shown:
        ratings = _walk_through(course, where)
    else:
        _show(ctx, course, where, chosen)
        return
    as_json = chosen is common.Format.json
    rated = _rate(ctx, course_id, session, ratings, (by, made), quiet=as_json)
    if as_json:  # the rating as stored, for a script
        _show(ctx, rated, changes.locate_session(rated, session), chosen)


def _walk_through(course: "Course", where: "Located") -> dict[str, str]:
    """Each item of the session asked in turn on the terminal, the latest scores shown."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import fidelity as rules
    from ipt_cli.core.record import session_of

    # Rich: prompts only on a terminal
    from ipt_cli.interact.fidelity import ask_ratings

    held = session_of(where).fidelity
    current: dict[str, str] = dict(held[-1].items) if held else {}
    heading = f"Fidelity of {where.described} ({rules.phase_of(course, where)} phase)"
    ratings = ask_ratings(heading, rules.items_for(course, where), current)
    if not ratings:  # the person has just seen every item: no list again
        raise InputError("nothing rated: every item was skipped, so no rating was recorded")
    return ratings


def _show(ctx: typer.Context, course: "Course", where: "Located", chosen: common.Format) -> None:
    """The session's items and latest rating, with its adherence, in the format asked."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import fidelity as rules
    from ipt_cli.core.record import session_of
    from ipt_cli.views import record as views

    items = rules.items_for(course, where)
    held = session_of(where).fidelity
    latest = held[-1] if held else None
    score = rules.session_adherence(course, where) if latest else None
    phase = rules.phase_of(course, where)
    heading = f"Fidelity of {where.described} ({phase} phase)"
    if chosen is common.Format.json:
        about = {"session": where.label, "date": where.sitting.date.isoformat(), "phase": phase}
        common.output(ctx).json(views.fidelity_json(course.id, about, items, latest, score))
    elif chosen is common.Format.markdown:
        common.output(ctx).data(views.fidelity_markdown(heading, items, latest, score))
    else:
        common.output(ctx).data(
            "\n".join(views.fidelity_lines(heading, items, latest, score)) + "\n"
        )


def _rate(
    ctx: typer.Context,
    course_id: str,
    session: str,
    ratings: dict[str, str],
    by_made: "tuple[str | None, dt.date | None]",
    *,
    quiet: bool = False,
) -> "Course":
    """Record the rating; say what it gives (done of the applicable items, the unrated shown;
    `quiet`: on stderr, stdout carrying JSON) and return the course as stored."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import fidelity as rules
    from ipt_cli.views.record import adherence_summary

    by, made = by_made
    rater = sealing.signer(ctx, by)
    today, at, seal = common.today(), sealing.now(), sealing.sealer(ctx)
    recorded = sealing.recorded_now()

    def change(course: "Course") -> tuple[str, "PhaseAdherence", "Course"]:
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
        return where.described, rules.session_adherence(course, where), course

    described, score, course = common.store(ctx).update(course_id, change)
    said = (
        f"Fidelity of {described} of {course_id} rated: {adherence_summary(score)}."
        f"{common.dated(made)}"
    )
    if quiet:
        common.output(ctx).message(said)
    else:
        common.output(ctx).done(said)
    return course


def register(app: typer.Typer) -> None:
    app.command(
        epilog="Examples:\n\n  ipt fidelity ab-2026 5\n\n  ipt fidelity ab-2026 5 --item "
        "mid-opening=done --item mid-rating=done --item grief-fid-feelings=partly"
    )(fidelity)
