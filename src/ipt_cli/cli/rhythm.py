"""`ipt rhythm`: the daily social rhythm log of IPSRT, and its weekly regularity report."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipt_cli.cli import common
from ipt_cli.core import dates
from ipt_cli.errors import InputError

if TYPE_CHECKING:
    from ipt_cli.core.models import RhythmEntry

RHYTHM_EPILOG = """Examples:

  ipt rhythm cd-2026 --out-of-bed 07:30 --first-contact 08:15 --start-activity 09:00
  --dinner 18:30 --to-bed 23:00 --with-people 0,1,3,2,1 --mood 1

  ipt rhythm cd-2026 --date 2026-02-03 --out-of-bed 08:00 --to-bed 00:30 --mood -1

  ipt rhythm cd-2026 target --out-of-bed 07:30 --first-contact 08:30 --start-activity 09:00
  --dinner 18:30 --to-bed 23:00

  ipt rhythm cd-2026 report --weeks 4 --format json

  ipt rhythm cd-2026 chart --weeks 12
"""

ACTIONS = ("report", "target", "chart")


def _clock_option(help_text: str) -> Any:
    return typer.Option(metavar="HH:MM", show_default=False, help=help_text)


def rhythm(
    ctx: typer.Context,
    course_id: common.CourseId,
    action: Annotated[
        str | None,
        typer.Argument(
            metavar="[report|target|chart]",
            help="report: the log by day, the weekly regularity and the deviation from the "
            "targets; target: agree target times (dated with --date, earlier targets kept); "
            "chart: the life chart, weeks across (mood, SRM, mania and depression scores).",
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM-DD",
            help="The day logged, or the day a target starts (default: today).",
            show_default=False,
        ),
    ] = None,
    out_of_bed: Annotated[str | None, _clock_option("Out of bed.")] = None,
    first_contact: Annotated[
        str | None, _clock_option("First contact with another person.")
    ] = None,
    start_activity: Annotated[
        str | None, _clock_option("Start of work, school, housework or volunteering.")
    ] = None,
    dinner: Annotated[str | None, _clock_option("Dinner.")] = None,
    to_bed: Annotated[str | None, _clock_option("To bed (after midnight: 00:30).")] = None,
    with_people: Annotated[
        str | None,
        typer.Option(
            metavar="N,N,N,N,N",
            help="Who was involved in each of the five, in order, on the SRM's scale: 0 alone, "
            "1 others present, 2 others actively involved, 3 others very stimulating.",
        ),
    ] = None,
    mood: Annotated[
        int | None, typer.Option(metavar="-5..5", help="The day's mood, -5 (low) to +5 (high).")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the day's entry if there is one.")
    ] = False,
    weeks: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="report (default 1), chart (default 12): how many weeks, back from the "
            "latest day.",
            show_default=False,
        ),
    ] = None,
    output_format: common.FormatOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Log a day's social rhythm (SRM-5), agree target times, or show the log.

    Any of the five anchors may be missing. The report scores each week's regularity: an
    anchor done on 3 or more days has a habitual time (the mean, after dropping times more
    than 1.5 SD from it); a time within 45 minutes of it is a hit; the score is the hits
    per counted anchor, 0-7 (see docs/clinical-rules.md). With targets set
    (`ipt rhythm ID target`), it shows per anchor and week the mean deviation from the
    target in force and the days within 45 minutes of it.
    """
    # lazy: keeps the models (pydantic) and social rhythm off start-up
    from ipt_cli.core import rhythm

    times = (out_of_bed, first_contact, start_activity, dinner, to_bed)
    formats = output_format is not None or as_json
    if action in ("report", "chart"):
        if any(v is not None for v in (*times, with_people, mood, date)) or replace:
            raise InputError(f"`ipt rhythm ID {action}` takes only --weeks and --format")
        chosen = common.chosen_format(
            common.Format, output_format, as_json, None, common.Format.text
        )
        if action == "chart":
            if chosen is not common.Format.text:
                raise InputError("`ipt rhythm ID chart` is text (the HTML report has it too)")
            _chart(ctx, course_id, weeks or rhythm.CHART_WEEKS)
        else:
            _report(ctx, course_id, weeks or 1, chosen)
        return
    if action == "target":
        if with_people is not None or mood is not None or replace or formats or weeks:
            raise InputError("`ipt rhythm ID target` takes only the five times and --date")
        _target(ctx, course_id, date, times)
        return
    if action is not None:
        raise InputError(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    if formats or weeks is not None:
        raise InputError("--weeks and --format are for `ipt rhythm ID report`")
    entry = _entry(date, times, with_people, mood)
    _log(ctx, course_id, entry, replace)


def _entry(
    date: str | None,
    times: tuple[str | None, ...],
    with_people: str | None,
    mood: int | None,
) -> "RhythmEntry":
    # lazy: keeps the models (pydantic) and social rhythm off start-up
    from pydantic import ValidationError

    from ipt_cli.core.models import RHYTHM_ANCHORS, RhythmEntry
    from ipt_cli.core.rhythm import parse_clock, parse_people
    from ipt_cli.core.validation import describe_validation

    if mood is not None and not -5 <= mood <= 5:
        raise InputError("--mood: must be from -5 to 5")
    if all(t is None for t in times) and mood is None:
        raise InputError("give at least one time (--out-of-bed ... --to-bed) or --mood")
    fields: dict[str, object] = {
        "date": dates.parse_date(date, "--date") if date else common.today(),
        "mood": mood,
    }
    for anchor, text in zip(RHYTHM_ANCHORS, times, strict=True):
        if text is not None:
            fields[anchor] = parse_clock(text, "--" + anchor.replace("_", "-"))
    if with_people is not None:
        fields["involvement"] = parse_people(with_people)
    try:
        return RhythmEntry.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        lines = describe_validation(error, RhythmEntry, {"mood": "--mood", "date": "--date"})
        raise InputError("; ".join(lines)) from None


def _log(ctx: typer.Context, course_id: str, entry: "RhythmEntry", replace: bool) -> None:
    # lazy: keeps the models (pydantic) and social rhythm off start-up
    from ipt_cli.core import rhythm

    if entry.date > common.today():
        raise InputError(f"--date {entry.date.isoformat()} is in the future")
    replaced = common.store(ctx).update(course_id, lambda c: rhythm.record(c, entry, replace))
    what = "Replaced" if replaced else "Logged"
    common.output(ctx).done(
        f"{what} the social rhythm of {entry.date.isoformat()} for {course_id}."
    )


def _report(ctx: typer.Context, course_id: str, weeks: int, output_format: common.Format) -> None:
    # lazy: keeps the models (pydantic) and social rhythm off start-up
    from ipt_cli.core import rhythm

    if not 1 <= weeks <= 520:
        raise InputError("--weeks: must be 1-520")
    built = rhythm.build_report(common.store(ctx).load(course_id), weeks)
    if output_format is common.Format.json:
        # lazy: each format loads only its own rendering (the JSON shapes)
        from ipt_cli.views.json_shapes import rhythm_json

        common.output(ctx).json(rhythm_json(built))
    elif output_format is common.Format.markdown:
        # lazy: each format loads only its own rendering (Markdown)
        from ipt_cli.views.markdown import rhythm_markdown

        common.output(ctx).data(rhythm_markdown(built))
    else:
        from ipt_cli.views import terminal  # Rich: only to draw the text view

        common.output(ctx).show(terminal.rhythm_view(built))


def _target(
    ctx: typer.Context, course_id: str, date: str | None, times: tuple[str | None, ...]
) -> None:
    # lazy: keeps the models (pydantic) and social rhythm off start-up
    from ipt_cli.core import dates, rhythm
    from ipt_cli.core.models import RHYTHM_ANCHORS

    day = dates.parse_date(date, "--date") if date else common.today()
    given = {
        anchor: rhythm.parse_clock(text, "--" + anchor.replace("_", "-"))
        for anchor, text in zip(RHYTHM_ANCHORS, times, strict=True)
        if text is not None
    }
    target = common.store(ctx).update(course_id, lambda c: rhythm.set_target(c, day, given))
    shown = ", ".join(
        f"{rhythm.ANCHOR_NAMES[a].lower()} {t.strftime('%H:%M')}"
        for a in RHYTHM_ANCHORS
        if (t := target.time_of(a)) is not None
    )
    common.output(ctx).done(
        f"Targets of {course_id} from {day.isoformat()}: {shown} (ipt rhythm {course_id} report)."
    )


def _chart(ctx: typer.Context, course_id: str, weeks: int) -> None:
    # lazy: keeps the models (pydantic) and social rhythm off start-up
    from ipt_cli.core import rhythm
    from ipt_cli.views import terminal

    if not 1 <= weeks <= 520:
        raise InputError("--weeks: must be 1-520")
    chart = rhythm.life_chart(common.store(ctx).load(course_id), weeks)
    common.output(ctx).show(terminal.life_chart_view(chart))


def register(app: typer.Typer) -> None:
    app.command(epilog=RHYTHM_EPILOG)(rhythm)
