"""`ipt contact`: a call or message outside a session, kept in the record."""

from typing import Annotated

import typer

from ipt_cli.cli import common, sealing

CONTACT_EPILOG = """Examples:

  ipt contact ab-2026 --date 2026-02-10 --note 'Phoned: safe; rebooked for Friday'

A missed appointment while the standing risk is moderate or high is named in every view
(FOLLOW-UP) until a later session is held or a contact on or after its date is recorded.
"""


def contact(
    ctx: typer.Context,
    course_id: common.CourseId,
    date: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="When the contact was made (default: today)."),
    ] = None,
    note: Annotated[
        str | None, typer.Option(metavar="TEXT", help="What was said and agreed.")
    ] = None,
) -> None:
    """Record a contact with the client outside a session (a phone call, a message)."""
    # lazy: keeps the models (pydantic) off start-up
    from ipt_cli.core import changes, dates

    today = common.today()
    when = dates.parse_date(date, "--date") if date else today
    at = sealing.recorded_now()
    common.store(ctx).update(course_id, lambda c: changes.add_contact(c, when, note, today, at))
    common.output(ctx).done(f"Recorded a contact on {when.isoformat()} for {course_id}.")


def register(app: typer.Typer) -> None:
    app.command("contact", epilog=CONTACT_EPILOG)(contact)
