"""`ipt new-course`, `ipt contract` and `ipt maintenance`: a course's contracts."""

from typing import Annotated

import typer

from ipt_cli.cli import common

NEW_COURSE_EPILOG = """Examples:

  ipt new-course ab-2026 --client A.B. --problem-area grief

  ipt new-course cd-2026 --client C.D. --start 2026-01-05 --sessions 12
  --problem-area role-dispute --problem-area role-transition --dispute-stage impasse
  --phq9 2,2,1,2,1,1,1,0,0 --no-input
"""


def new_course(
    ctx: typer.Context,
    course_id: common.CourseId,
    client: Annotated[str | None, typer.Option(
        help="Client alias: a pseudonym or initials, never a real name.")] = None,
    start: Annotated[str | None, typer.Option(
        metavar="YYYY-MM-DD", help="Date of session 1 (default: today).")] = None,
    sessions: Annotated[int, typer.Option(
        "--sessions", help="Planned sessions, 4-30 (acute IPT: usually 12-16).")] = 16,
    cadence: Annotated[str, typer.Option(
        help="weekly, fortnightly or monthly.")] = "weekly",
    kind: Annotated[str, typer.Option(
        help="clinician-led, or self-guided (adds crisis guidance to safety notices).")
    ] = "clinician-led",
    problem_area: Annotated[list[str] | None, typer.Option(
        "--problem-area", metavar="AREA",
        help="grief, role-dispute, role-transition or interpersonal-deficits; give it twice "
        "for a secondary area (primary first).")] = None,
    dispute_stage: Annotated[str | None, typer.Option(
        help="For a role dispute: renegotiation, impasse or dissolution.")] = None,
    phq9: common.Phq9Option = None,
    phq9_difficulty: common.Phq9DifficultyOption = None,
    gad7: common.Gad7Option = None,
    hamd17: common.Hamd17Option = None,
    bdi2_total: common.Bdi2TotalOption = None,
    bdi2_item9: common.Bdi2Item9Option = None,
    no_input: common.NoInput = False,
) -> None:
    """Start a course: alias, dates, problem areas, baseline.

    The baseline measures count as session 0. Goals are prefilled from the chosen areas.
    """
    import datetime as dt

    from ipt_cli import actions, catalogue, inputs, render
    from ipt_cli.errors import ConflictError, InputError
    from ipt_cli.paths import check_course_id
    from ipt_cli.planning import build_agenda, contract_dates

    course_store = common.store(ctx)
    if course_store.exists(check_course_id(course_id)):
        raise ConflictError(f"course {course_id!r} already exists; it was left untouched")
    ask = common.interactive(no_input)
    if client is None:
        if not ask:
            raise InputError("missing --client (a pseudonym or initials)")
        from ipt_cli import prompts

        client = prompts.ask_text("Client alias (pseudonym or initials)")
    areas = list(problem_area or [])
    if not areas:
        if not ask:
            raise InputError("missing --problem-area (grief, role-dispute, role-transition "
                             "or interpersonal-deficits)")
        from ipt_cli import prompts

        areas = [prompts.ask_choice("Primary problem area", list(catalogue.PROBLEM_AREAS))]
    inputs.check_problem_areas(areas)
    inputs.check_choice(cadence, catalogue.CADENCES, "cadence")
    inputs.check_choice(kind, catalogue.COURSE_KINDS, "course kind")
    if dispute_stage is not None:
        inputs.check_choice(dispute_stage, catalogue.DISPUTE_STAGES, "dispute stage")
    start_date = inputs.parse_date(start, "--start") if start else inputs.today()
    baseline = actions.measure_fields(phq9, phq9_difficulty, gad7, hamd17, bdi2_total,
                                      bdi2_item9)
    course = actions.new_course(
        course_id, client, start_date, actions.check_planned(sessions), areas,
        now=dt.datetime.now(dt.UTC), cadence=cadence, kind=kind, dispute_stage=dispute_stage,
        baseline_measures=baseline,
    )
    path = course_store.create(course)
    note = actions.planned_count_note(sessions)
    if note:
        render.notice(note)
    if course.baseline and course.baseline.risk_scores():
        render.safety_notice([f"baseline: {i.upper()} item {n} = {s}"
                              for i, n, s in course.baseline.risk_scores()],
                             course.kind == "self-guided")
    dates = contract_dates(course.start_date, course.cadence, course.planned_sessions)
    render.out().print(
        f"Created course {course.id} for {course.client}: {course.planned_sessions} "
        f"{course.cadence} sessions, {dates[0].isoformat()} to {dates[-1].isoformat()}.\n"
        f"Saved to {path}"
    )
    render.print_agenda(build_agenda(course, 1, dates[0]), course.kind == "self-guided")


def contract(
    ctx: typer.Context,
    course_id: common.CourseId,
    sessions: Annotated[int, typer.Option("--sessions", help="The new number of sessions.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the count changes (kept).")],
) -> None:
    """Renegotiate the number of sessions (history kept)."""
    from ipt_cli import actions, inputs, render

    today = inputs.today()
    change = common.store(ctx).update(
        course_id, lambda course: actions.change_contract(course, sessions, reason, today)
    )
    note = actions.planned_count_note(sessions)
    if note:
        render.notice(note)
    render.out().print(f"Contract for {course_id}: {change.old} -> {change.new} sessions.")


def maintenance(
    ctx: typer.Context,
    course_id: common.CourseId,
    sessions: Annotated[int, typer.Option("--sessions", help="Maintenance sessions, 1-60.")
                        ] = 12,
    cadence: Annotated[str, typer.Option(help="weekly, fortnightly or monthly.")] = "monthly",
    start: Annotated[str | None, typer.Option(
        metavar="YYYY-MM-DD", help="First maintenance session (default: one interval after "
        "the last acute session).")] = None,
) -> None:
    """Open a maintenance contract after the acute course.

    Sessions dated from its start are recorded and reported apart from the acute ones.
    Run it again to change the number of sessions or the cadence.
    """
    from ipt_cli import actions, inputs, render

    today = inputs.today()
    first = inputs.parse_date(start, "--start") if start else None
    plan = common.store(ctx).update(
        course_id, lambda c: actions.open_maintenance(c, sessions, cadence, first, today))
    render.out().print(
        f"Maintenance for {course_id}: {plan.planned_sessions} {plan.cadence} sessions from "
        f"{plan.start_date.isoformat()}.")


def register(app: typer.Typer) -> None:
    app.command("new-course", epilog=NEW_COURSE_EPILOG)(new_course)
    app.command(epilog="Example:\n\n  ipt contract ab-2026 --sessions 20 --reason "
                "'Slower start after a bereavement'")(contract)
    app.command(epilog="Examples:\n\n  ipt maintenance ab-2026\n\n  ipt maintenance ab-2026 "
                "--sessions 24 --cadence monthly --start 2026-07-01")(maintenance)
