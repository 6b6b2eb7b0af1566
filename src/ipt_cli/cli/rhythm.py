"""`ipt rhythm`: the daily social rhythm log of IPSRT, and its weekly regularity report."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipt_cli.cli import common

if TYPE_CHECKING:
    from ipt_cli.core.models import RhythmEntry

RHYTHM_EPILOG = """Examples:

  ipt rhythm cd-2026 --out-of-bed 07:30 --first-contact 08:15 --start-activity 09:00
  --dinner 18:30 --to-bed 23:00 --with-people 0,1,3,2,1 --mood 1

  ipt rhythm cd-2026 --date 2026-02-03 --out-of-bed 08:00 --to-bed 00:30 --mood -1

  ipt rhythm cd-2026 report --weeks 4 --format json
"""


def _clock_option(help_text: str) -> Any:
    return typer.Option(metavar="HH:MM", show_default=False, help=help_text)


def rhythm(
    ctx: typer.Context,
    course_id: common.CourseId,
    action: Annotated[
        str | None,
        typer.Argument(
            metavar="[report]", help="report: the log by day and the weekly regularity."
        ),
    ] = None,
    date: common.DateOption = None,
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
            help="How many other people were involved in each of the five, in order.",
        ),
    ] = None,
    mood: Annotated[
        int | None, typer.Option(metavar="-5..5", help="The day's mood, -5 (low) to +5 (high).")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the day's entry if there is one.")
    ] = False,
    weeks: Annotated[
        int, typer.Option(metavar="N", help="report: how many weeks, back from the latest day.")
    ] = 1,
    output_format: common.FormatOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Log a day's social rhythm (SRM-5), or show the log: `ipt rhythm ID report`.

    Any of the five anchors may be missing. The report scores each week's regularity: an
    anchor done on 3 or more days has a habitual time (its mean); a time within 45 minutes
    of it is a hit; the score is the hits per counted anchor, 0-7 (see
    docs/clinical-rules.md).
    """
    from ipt_cli.errors import InputError

    times = (out_of_bed, first_contact, start_activity, dinner, to_bed)
    if action == "report":
        if any(v is not None for v in (*times, with_people, mood, date)) or replace:
            raise InputError("`ipt rhythm ID report` takes only --weeks and --format")
        chosen = common.chosen_format(
            common.Format, output_format, as_json, None, common.Format.text
        )
        _report(ctx, course_id, weeks, chosen)
        return
    if action is not None:
        raise InputError(f"unknown action {action!r}: the only one is `report`")
    if output_format is not None or as_json or weeks != 1:
        raise InputError("--weeks and --format are for `ipt rhythm ID report`")
    entry = _entry(date, times, with_people, mood)
    _log(ctx, course_id, entry, replace)


def _entry(
    date: str | None,
    times: tuple[str | None, ...],
    with_people: str | None,
    mood: int | None,
) -> "RhythmEntry":
    from pydantic import ValidationError

    from ipt_cli.core import dates
    from ipt_cli.core.models import RHYTHM_ANCHORS, RhythmEntry
    from ipt_cli.core.rhythm import parse_clock, parse_people
    from ipt_cli.core.validation import describe_validation
    from ipt_cli.errors import InputError

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
        fields["with_people"] = parse_people(with_people)
    try:
        return RhythmEntry.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        lines = describe_validation(error, RhythmEntry, {"mood": "--mood", "date": "--date"})
        raise InputError("; ".join(lines)) from None


def _log(ctx: typer.Context, course_id: str, entry: "RhythmEntry", replace: bool) -> None:
    from ipt_cli.core import rhythm
    from ipt_cli.errors import InputError

    if entry.date > common.today():
        raise InputError(f"--date {entry.date.isoformat()} is in the future")
    replaced = common.store(ctx).update(course_id, lambda c: rhythm.record(c, entry, replace))
    what = "Replaced" if replaced else "Logged"
    common.output(ctx).done(
        f"{what} the social rhythm of {entry.date.isoformat()} for {course_id}."
    )


def _report(ctx: typer.Context, course_id: str, weeks: int, output_format: common.Format) -> None:
    from ipt_cli.core import rhythm
    from ipt_cli.errors import InputError
    from ipt_cli.views import documents, terminal

    if not 1 <= weeks <= 520:
        raise InputError("--weeks: must be 1-520")
    built = rhythm.build_report(common.store(ctx).load(course_id), weeks)
    if output_format is common.Format.json:
        common.output(ctx).json(documents.rhythm_json(built))
    elif output_format is common.Format.markdown:
        common.output(ctx).data(documents.rhythm_markdown(built))
    else:
        common.output(ctx).show(terminal.rhythm_view(built))


def register(app: typer.Typer) -> None:
    app.command(epilog=RHYTHM_EPILOG)(rhythm)
